/**
 * The page's lines to the gateway and what each says about it: the realtime sockets, one
 * per WhatsApp number (each with its first ticket taken before the lists are read), every API answer and failure, and
 * the browser's `online`. Any sign of the gateway ends "gateway not answering" and sends
 * again what got no answer; a call that found no gateway makes a live socket prove itself.
 */
import type { ApiClient } from "../client/api-client.ts";
import { noGatewayAnswer } from "../client/api-error.ts";
import { RealtimeConnection, realtimeUrl, resumeSocket } from "../client/realtime.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import type { PageDeps } from "./boot.ts";
import type { Sender } from "./sender.ts";
import type { WahaWatch } from "./waha-watch.ts";

export interface GatewayLinkDeps extends Pick<PageDeps, "onApiAnswer" | "onApiFailure"> {
  api: ApiClient;
  pingIntervalMs: number;
  watch: WahaWatch;
  sender: Sender;
  /** A frame of `number`'s socket ("" for a gateway that names no numbers). */
  onEvent: (event: RealtimeEvent, seq: number | undefined, number: string) => void;
  /** Whether live updates flow (on every socket), and when one tries again while they do not. */
  onLiveState: (live: boolean, reconnectInMs: number | undefined) => void;
  /** Live updates flow (again): what the socket missed is replayed. */
  onLive: () => void;
  /** The gateway refused `number` to this user (taken away): its socket is gone for good. */
  onWithdrawn: (number: string) => void;
}

/** A ticket lives 30 s; the first one is used only while it surely still does. */
const FIRST_TICKET_MS = 20_000;

interface FirstTicket {
  ticket: string;
  seq: number;
  at: number;
}

export class GatewayLink {
  readonly #deps: GatewayLinkDeps;
  /** One socket per number the user may see, each with its own seqs. */
  readonly #sockets = new Map<string, RealtimeConnection>();
  readonly #firstTickets = new Map<string, FirstTicket>();
  #live = false;

  constructor(deps: GatewayLinkDeps) {
    this.#deps = deps;
    deps.onApiAnswer(() => this.#answered());
    deps.onApiFailure((error) => {
      if (noGatewayAnswer(error)) for (const socket of this.#sockets.values()) socket.probe();
    });
  }

  get live(): boolean {
    return this.#live;
  }

  /**
   * The first tickets' seqs, taken before the lists are read: each socket replays anything
   * after. `numbers`: the numbers' ids, or [""] for a gateway that names none.
   */
  async prepare(numbers: readonly string[]): Promise<void> {
    for (const number of numbers) {
      if (this.#sockets.has(number)) continue;
      this.#sockets.set(number, this.#connection(number));
    }
    await Promise.all(
      numbers.map(async (number) => {
        try {
          const first = await this.#deps.api.realtimeTicket(number);
          this.#firstTickets.set(number, { ...first, at: Date.now() });
        } catch {
          // The socket asks for its own ticket and retries; the lists do not wait for it.
        }
      }),
    );
  }

  start(): void {
    window.addEventListener("online", this.#online);
    for (const socket of this.#sockets.values()) socket.start();
  }

  stop(): void {
    window.removeEventListener("online", this.#online);
    for (const socket of this.#sockets.values()) socket.stop();
  }

  #connection(number: string): RealtimeConnection {
    const deps = this.#deps;
    return new RealtimeConnection({
      ticket: () => this.#ticket(number),
      url: (ticket, since) => realtimeUrl(window.location, ticket, since),
      resume: (since) => resumeSocket(window.location, since, number, deps.api.token()),
      pingIntervalMs: deps.pingIntervalMs,
      onEvent: (event, seq) => deps.onEvent(event, seq, number),
      onAnswer: () => this.#answered(),
      onLiveChange: () => this.#liveChanged(),
      onReconnectScheduled: (delayMs) => deps.onLiveState(false, delayMs),
      onRefused: (status) => {
        if (status !== 403) return;
        this.#sockets.delete(number);
        this.#liveChanged();
        deps.onWithdrawn(number);
      },
    });
  }

  /** Live while every number's socket is. */
  #liveChanged(): void {
    const live = [...this.#sockets.values()].every((s) => s.live);
    if (live === this.#live) return;
    this.#live = live;
    this.#deps.watch.setRealtimeLive(live);
    this.#deps.onLiveState(live, undefined);
    if (live) this.#deps.onLive();
  }

  #answered(): void {
    this.#deps.watch.gatewayAnswered();
    this.#deps.sender.gatewayAnswered();
  }

  /** The browser has a network again: nobody waits out a backoff to find out what works. */
  readonly #online = (): void => {
    this.#deps.watch.checkSoon();
    for (const socket of this.#sockets.values()) socket.reconnectNow();
    this.#deps.sender.retryNow();
  };

  async #ticket(number: string): Promise<{ ticket: string; seq: number }> {
    const first = this.#firstTickets.get(number);
    this.#firstTickets.delete(number);
    if (first && Date.now() - first.at < FIRST_TICKET_MS) return first;
    const fresh = await this.#deps.api.realtimeTicket(number);
    return first ? { ticket: fresh.ticket, seq: first.seq } : fresh;
  }
}
