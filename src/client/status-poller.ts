/**
 * Adaptive polling of the WAHA session status: every baseInterval, or authenticatedInterval
 * while the session works and no realtime socket carries the news; backing off on failures,
 * honouring Retry-After, silent while the page is hidden. The socket does not silence it:
 * WAHA says nothing when it dies, so only asking finds out.
 */
import { backoffDelay } from "../lib/backoff.ts";
import { ApiError } from "./api-error.ts";
import { type Cancel, type Scheduler, systemScheduler } from "./scheduler.ts";
import type { PollingConfig } from "./types.ts";
import { alwaysVisible, type Visibility } from "./visibility.ts";

export type PollerMode = "idle" | "polling" | "paused-hidden" | "stopped";

export interface StatusPollerOptions<T> {
  config: PollingConfig;
  /** One status check: resolves with what it found, throws (an ApiError) on failure. */
  check: () => Promise<T>;
  /** Whether an answer says the session works (default: the answer is "WORKING"). */
  working?: (value: T) => boolean;
  /** The first check's delay; default the config's initialCheckDelay. */
  firstCheckDelayMs?: number;
  /** The shortest gap between the end of one check and a `checkSoon` (default 2 s). */
  minGapMs?: number;
  onStatus?: (value: T) => void;
  onError?: (error: unknown, nextCheckInMs: number) => void;
  scheduler?: Scheduler;
  visibility?: Visibility;
}

export class StatusPoller<T = string | undefined> {
  readonly #config: PollingConfig;
  readonly #check: () => Promise<T>;
  readonly #working: (value: T) => boolean;
  readonly #firstDelay: number;
  readonly #minGap: number;
  readonly #onStatus: (value: T) => void;
  readonly #onError: (error: unknown, nextCheckInMs: number) => void;
  readonly #clock: Scheduler;
  readonly #visibility: Visibility;

  #started = false;
  #stopped = false;
  #visible = true;
  #realtimeLive = false;
  #inFlight = false;
  #failures = 0;
  #isWorking = false;
  #lastEndedAt = Number.NEGATIVE_INFINITY;
  #soonAfterRun = false;
  /** When the next check is due; pauses keep it, so resuming never checks early. */
  #dueAt = 0;
  #cancelTimer: Cancel | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: StatusPollerOptions<T>) {
    this.#config = options.config;
    this.#check = options.check;
    this.#working = options.working ?? ((value) => value === "WORKING");
    this.#firstDelay = options.firstCheckDelayMs ?? options.config.initialCheckDelay;
    this.#minGap = options.minGapMs ?? 2_000;
    this.#onStatus = options.onStatus ?? (() => {});
    this.#onError = options.onError ?? (() => {});
    this.#clock = options.scheduler ?? systemScheduler;
    this.#visibility = options.visibility ?? alwaysVisible;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#dueAt = this.#clock.now() + this.#firstDelay;
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
   * While the socket delivers, the lists need no refreshing by poll, but the status still
   * does; the working session's slower interval only applies without a socket, when each
   * check also stands in for the events.
   */
  setRealtimeLive(live: boolean): void {
    if (this.#realtimeLive === live) return;
    this.#realtimeLive = live;
    if (this.#failures === 0 && this.#lastEndedAt > Number.NEGATIVE_INFINITY) {
      this.#dueAt = Math.min(this.#dueAt, this.#lastEndedAt + this.#interval());
    }
    this.#arm();
  }

  /** Something hints that WAHA changed (a failed call, a frame): check now, not on schedule. */
  checkSoon(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#inFlight) {
      // This check may have left before the change: another comes once it is back.
      this.#soonAfterRun = true;
      return;
    }
    const soonest = this.#lastEndedAt + this.#minGap;
    this.#dueAt = Math.min(this.#dueAt, Math.max(this.#clock.now(), soonest));
    this.#arm();
  }

  get mode(): PollerMode {
    if (this.#stopped) return "stopped";
    if (!this.#started) return "idle";
    if (!this.#visible) return "paused-hidden";
    return "polling";
  }

  /** When the next check will run, or undefined while paused or stopped. */
  get nextCheckAt(): number | undefined {
    return this.#cancelTimer ? this.#dueAt : undefined;
  }

  #interval(): number {
    const { authenticatedInterval, baseInterval } = this.#config;
    return this.#isWorking && !this.#realtimeLive ? authenticatedInterval : baseInterval;
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
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await this.#check() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    this.#inFlight = false;
    if (this.#stopped) return;
    this.#lastEndedAt = this.#clock.now();
    const soon = this.#soonAfterRun ? this.#lastEndedAt + this.#minGap : Infinity;
    this.#soonAfterRun = false;
    if (outcome.ok) {
      this.#failures = 0;
      this.#isWorking = this.#working(outcome.value);
      this.#dueAt = Math.min(soon, this.#clock.now() + this.#interval());
      this.#arm();
      this.#onStatus(outcome.value);
    } else {
      this.#failures += 1;
      const delay = Math.min(soon - this.#clock.now(), this.#backoff(outcome.error));
      this.#dueAt = this.#clock.now() + delay;
      this.#arm();
      this.#onError(outcome.error, delay);
    }
  }
}
