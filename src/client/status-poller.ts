/**
 * Adaptive polling of the WAHA session status: slow while the session works, faster while
 * it does not, backing off on failures, honouring Retry-After, silent while the realtime
 * socket delivers and while the page is hidden.
 */
import { backoffDelay } from "../lib/backoff.ts";
import { ApiError } from "./api-error.ts";
import { type Cancel, type Scheduler, systemScheduler } from "./scheduler.ts";
import type { PollingConfig } from "./types.ts";
import { alwaysVisible, type Visibility } from "./visibility.ts";

export type PollerMode = "idle" | "polling" | "paused-realtime" | "paused-hidden" | "stopped";

export interface StatusPollerOptions {
  config: PollingConfig;
  /** One status check: resolves with the session status, throws (an ApiError) on failure. */
  check: () => Promise<string | undefined>;
  onStatus?: (status: string | undefined) => void;
  onError?: (error: unknown, nextCheckInMs: number) => void;
  scheduler?: Scheduler;
  visibility?: Visibility;
}

export class StatusPoller {
  readonly #config: PollingConfig;
  readonly #check: () => Promise<string | undefined>;
  readonly #onStatus: (status: string | undefined) => void;
  readonly #onError: (error: unknown, nextCheckInMs: number) => void;
  readonly #clock: Scheduler;
  readonly #visibility: Visibility;

  #started = false;
  #stopped = false;
  #visible = true;
  #realtimeLive = false;
  #inFlight = false;
  #failures = 0;
  /** Whether a check has succeeded yet. */
  #answered = false;
  #status: string | undefined;
  /** When the next check is due; pauses keep it, so resuming never checks early. */
  #dueAt = 0;
  #cancelTimer: Cancel | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: StatusPollerOptions) {
    this.#config = options.config;
    this.#check = options.check;
    this.#onStatus = options.onStatus ?? (() => {});
    this.#onError = options.onError ?? (() => {});
    this.#clock = options.scheduler ?? systemScheduler;
    this.#visibility = options.visibility ?? alwaysVisible;
  }

  /** The first check comes `initialCheckDelay` after this, so a page load does not stampede. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#dueAt = this.#clock.now() + this.#config.initialCheckDelay;
    this.#visible = this.#visibility.visible();
    this.#unsubscribe = this.#visibility.subscribe((visible) => {
      this.#visible = visible;
      this.#arm();
    });
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#unsubscribe?.();
  }

  /**
   * WebSocket priority: no polling while the realtime socket is connected and delivering.
   * The first check still runs, since the socket reports changes, not the current state.
   */
  setRealtimeLive(live: boolean): void {
    this.#realtimeLive = live;
    this.#arm();
  }

  get mode(): PollerMode {
    if (this.#stopped) return "stopped";
    if (!this.#started) return "idle";
    if (!this.#visible) return "paused-hidden";
    if (this.#realtimeLive && this.#answered) return "paused-realtime";
    return "polling";
  }

  /** When the next check will run, or undefined while paused or stopped. */
  get nextCheckAt(): number | undefined {
    return this.#cancelTimer ? this.#dueAt : undefined;
  }

  /** The delay after a success: the slower interval once the session works. */
  #interval(): number {
    const { authenticatedInterval, baseInterval } = this.#config;
    return this.#status === "WORKING" ? authenticatedInterval : baseInterval;
  }

  #backoff(error: unknown): number {
    const { backoffMultiplier, maxInterval } = this.#config;
    const delay = backoffDelay(this.#failures, {
      baseMs: this.#interval(),
      capMs: maxInterval,
      factor: backoffMultiplier,
    });
    const overloaded = error instanceof ApiError && (error.status === 429 || error.status === 503);
    if (overloaded && error.retryAfterMs !== undefined) return Math.max(delay, error.retryAfterMs);
    return delay;
  }

  #arm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.mode !== "polling" || this.#inFlight) return;
    const wait = Math.max(0, this.#dueAt - this.#clock.now());
    this.#cancelTimer = this.#clock.after(wait, () => {
      this.#cancelTimer = undefined;
      void this.#run();
    });
  }

  async #run(): Promise<void> {
    this.#inFlight = true;
    let outcome: { ok: true; status: string | undefined } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, status: await this.#check() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    this.#inFlight = false;
    if (this.#stopped) return;
    if (outcome.ok) {
      this.#failures = 0;
      this.#answered = true;
      this.#status = outcome.status;
      this.#dueAt = this.#clock.now() + this.#interval();
      this.#arm();
      this.#onStatus(outcome.status);
    } else {
      this.#failures += 1;
      const delay = this.#backoff(outcome.error);
      this.#dueAt = this.#clock.now() + delay;
      this.#arm();
      this.#onError(outcome.error, delay);
    }
  }
}
