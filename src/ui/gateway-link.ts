/**
 * The page's lines to the gateway and what each says about it: the realtime socket (with
 * the first ticket taken before the lists are read), every API answer and failure, and
 * the browser's `online`. Any sign of the gateway ends "gateway not answering" and sends
 * again what got no answer; a call that found no gateway makes a live socket prove itself.
 */
import type { ApiClient } from "../client/api-client.ts";
import { noGatewayAnswer } from "../client/api-error.ts";
import { RealtimeConnection, realtimeUrl } from "../client/realtime.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import type { PageDeps } from "./boot.ts";
import type { Sender } from "./sender.ts";
import type { WahaWatch } from "./waha-watch.ts";

export interface GatewayLinkDeps extends Pick<PageDeps, "onApiAnswer" | "onApiFailure"> {
  api: ApiClient;
  pingIntervalMs: number;
  watch: WahaWatch;
  sender: Sender;
  onEvent: (event: RealtimeEvent, seq: number | undefined) => void;
  /** Whether live updates flow, and when the socket tries again while they do not. */
  onLiveState: (live: boolean, reconnectInMs: number | undefined) => void;
  /** Live updates flow (again): what the socket missed is replayed. */
  onLive: () => void;
}

/** A ticket lives 30 s; the first one is used only while it surely still does. */
const FIRST_TICKET_MS = 20_000;

export class GatewayLink {
  readonly #deps: GatewayLinkDeps;
  readonly #realtime: RealtimeConnection;
  #firstTicket: { ticket: string; seq: number; at: number } | undefined;

  constructor(deps: GatewayLinkDeps) {
    this.#deps = deps;
    this.#realtime = new RealtimeConnection({
      ticket: () => this.#ticket(),
      url: (ticket, since) => realtimeUrl(window.location, ticket, since),
      pingIntervalMs: deps.pingIntervalMs,
      onEvent: deps.onEvent,
      onAnswer: () => this.#answered(),
      onLiveChange: (live) => {
        deps.watch.setRealtimeLive(live);
        deps.onLiveState(live, undefined);
        if (live) deps.onLive();
      },
      onReconnectScheduled: (delayMs) => deps.onLiveState(false, delayMs),
    });
    deps.onApiAnswer(() => this.#answered());
    deps.onApiFailure((error) => {
      if (noGatewayAnswer(error)) this.#realtime.probe();
    });
  }

  get live(): boolean {
    return this.#realtime.live;
  }

  /** The first ticket's seq, taken before the lists are read: the socket replays anything after. */
  async prepare(): Promise<void> {
    try {
      const first = await this.#deps.api.realtimeTicket();
      this.#firstTicket = { ...first, at: Date.now() };
    } catch {
      // The socket asks for its own ticket and retries; the lists do not wait for it.
    }
  }

  start(): void {
    window.addEventListener("online", this.#online);
    this.#realtime.start();
  }

  stop(): void {
    window.removeEventListener("online", this.#online);
    this.#realtime.stop();
  }

  #answered(): void {
    this.#deps.watch.gatewayAnswered();
    this.#deps.sender.gatewayAnswered();
  }

  /** The browser has a network again: nobody waits out a backoff to find out what works. */
  readonly #online = (): void => {
    this.#deps.watch.checkSoon();
    this.#realtime.reconnectNow();
    this.#deps.sender.retryNow();
  };

  async #ticket(): Promise<{ ticket: string; seq: number }> {
    const first = this.#firstTicket;
    this.#firstTicket = undefined;
    if (first && Date.now() - first.at < FIRST_TICKET_MS) return first;
    const fresh = await this.#deps.api.realtimeTicket();
    return first ? { ticket: fresh.ticket, seq: first.seq } : fresh;
  }
}
