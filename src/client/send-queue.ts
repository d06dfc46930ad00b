/**
 * Our sends leave in order, one chat's at a time: each after the gateway answered the one
 * before. A send the gateway never answered (no answer at all, a proxy's page) stays first
 * in its chat's line, the ones behind it wait, and it goes again under the same clientId
 * when the gateway shows itself (`gatewayAnswered`), the network is back (`retryNow`), or
 * after a backoff; the gateway makes the repeat the same send, never a second one.
 */
import { reconnectDelay } from "./backoff.ts";
import { type Cancel, type Scheduler, systemScheduler } from "./scheduler.ts";

/** Whether the gateway answered a send (yes, queued or no alike), or never did. */
export type Delivery = "answered" | "unanswered";

export interface SendQueueOptions {
  /** Sends (or sends again) one send; resolves with whether the gateway answered it. */
  deliver: (clientId: string) => Promise<Delivery>;
  /** This send waits for the gateway: it, or one before it in its chat, got no answer. */
  onWaiting: (clientId: string) => void;
  scheduler?: Scheduler;
  random?: () => number;
}

/** Tries without a sign of the gateway wait 2 s doubling to this. */
const RETRY_CAP_MS = 30_000;

export class SendQueue {
  readonly #options: SendQueueOptions;
  readonly #clock: Scheduler;
  /** Per chat, the clientIds not yet answered, oldest first; the first is on its way or waits. */
  readonly #lines = new Map<string, string[]>();
  readonly #busy = new Set<string>();
  /** Chats whose first send got no answer: they go again when the gateway shows itself. */
  readonly #stalled = new Set<string>();
  #unanswered = 0;
  /** A sign of the gateway sent them again and they still got no answer: wait the backoff. */
  #answersTried = false;
  #timer: Cancel | undefined;
  #stopped = false;

  constructor(options: SendQueueOptions) {
    this.#options = options;
    this.#clock = options.scheduler ?? systemScheduler;
  }

  /** Sends not yet answered, in every chat. */
  get size(): number {
    let size = 0;
    for (const line of this.#lines.values()) size += line.length;
    return size;
  }

  push(jid: string, clientId: string): void {
    const line = this.#lines.get(jid) ?? [];
    if (line.includes(clientId)) return;
    line.push(clientId);
    this.#lines.set(jid, line);
    if (this.#stalled.has(jid)) this.#options.onWaiting(clientId);
    else this.#next(jid);
  }

  /**
   * The gateway answered something: waiting chats go now, once. If they still get no
   * answer, the gateway answers others but not them (a route that fails, an upload that
   * breaks): further answers do not hurry them past their backoff.
   */
  gatewayAnswered(): void {
    if (this.#answersTried || this.#stalled.size === 0) return;
    this.#answersTried = true;
    this.#go();
  }

  /** The network is back: every waiting chat goes now. */
  retryNow(): void {
    this.#answersTried = false;
    this.#go();
  }

  /** Signed out: nothing more leaves (what storage keeps goes with the next sign-in). */
  stop(): void {
    this.#stopped = true;
    this.#timer?.();
    this.#timer = undefined;
  }

  #go(): void {
    if (this.#stalled.size === 0) return;
    this.#timer?.();
    this.#timer = undefined;
    const stalled = [...this.#stalled];
    this.#stalled.clear();
    for (const jid of stalled) this.#next(jid);
  }

  #next(jid: string): void {
    if (this.#stopped || this.#busy.has(jid) || this.#stalled.has(jid)) return;
    const line = this.#lines.get(jid);
    const head = line?.[0];
    if (head === undefined) {
      this.#lines.delete(jid);
      return;
    }
    this.#busy.add(jid);
    this.#options.deliver(head).then(
      (delivery) => this.#delivered(jid, head, delivery),
      // A delivery that broke inside the page will not do better by repeating.
      () => this.#delivered(jid, head, "answered"),
    );
  }

  #delivered(jid: string, clientId: string, delivery: Delivery): void {
    this.#busy.delete(jid);
    const line = this.#lines.get(jid) ?? [];
    if (delivery === "answered") {
      this.#unanswered = 0;
      this.#answersTried = false;
      if (line[0] === clientId) line.shift();
      this.#next(jid);
      return;
    }
    this.#stalled.add(jid);
    for (const waiting of line) this.#options.onWaiting(waiting);
    if (this.#timer || this.#stopped) return;
    // Nothing else may show the gateway back (a page left alone): try again by itself too.
    const delay = reconnectDelay(this.#unanswered, { capMs: RETRY_CAP_MS }, this.#options.random);
    this.#unanswered += 1;
    this.#timer = this.#clock.after(delay, () => {
      this.#timer = undefined;
      this.retryNow();
    });
  }
}
