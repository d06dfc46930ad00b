/**
 * A load that keeps trying by itself: after a failure it tries again with backoff (2 s
 * doubling to 30 s, or the answer's Retry-After when that is longer), and `now()` tries
 * at once (a reconnect, WAHA back, a click). Only the newest attempt's answer counts.
 */
import { backoffDelay } from "../lib/backoff.ts";
import { ApiError } from "./api-error.ts";
import { type Cancel, type Scheduler, systemScheduler } from "./scheduler.ts";

export interface RetryingLoadOptions<T> {
  load: () => Promise<T>;
  onValue: (value: T) => void;
  /** A failure and when the next attempt is due (ms since the epoch), or undefined if none. */
  onError: (error: unknown, retryAt: number | undefined) => void;
  /** Whether a failure is worth trying again (default: all but 4xx other than 408/429). */
  retryable?: (error: unknown) => boolean;
  baseMs?: number;
  capMs?: number;
  scheduler?: Scheduler;
  random?: () => number;
}

export class RetryingLoad<T> {
  readonly #options: RetryingLoadOptions<T>;
  readonly #clock: Scheduler;
  #failures = 0;
  #attempt = 0;
  #running = false;
  #stopped = false;
  #timer: Cancel | undefined;
  #retryAt: number | undefined;

  constructor(options: RetryingLoadOptions<T>) {
    this.#options = options;
    this.#clock = options.scheduler ?? systemScheduler;
  }

  /** When the next attempt is due after a failure; undefined while none is scheduled. */
  get retryAt(): number | undefined {
    return this.#retryAt;
  }

  get loading(): boolean {
    return this.#running;
  }

  /** Loads now, dropping any retry that was waiting; a load under way is superseded. */
  now(): void {
    if (this.#stopped) return;
    this.#cancel();
    void this.#run();
  }

  /** Loads now only if the last attempt failed (or none was made), e.g. when WAHA is back. */
  ifFailed(): void {
    if (this.#retryAt !== undefined) this.now();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #cancel(): void {
    this.#timer?.();
    this.#timer = undefined;
    this.#retryAt = undefined;
  }

  async #run(): Promise<void> {
    const attempt = ++this.#attempt;
    this.#running = true;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await this.#options.load() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (attempt !== this.#attempt || this.#stopped) return;
    this.#running = false;
    if (outcome.ok) {
      this.#failures = 0;
      this.#options.onValue(outcome.value);
      return;
    }
    const retryable = (this.#options.retryable ?? isRetryable)(outcome.error);
    if (!retryable) {
      this.#options.onError(outcome.error, undefined);
      return;
    }
    const backoff = backoffDelay(
      this.#failures,
      { baseMs: this.#options.baseMs ?? 2_000, capMs: this.#options.capMs ?? 30_000, jitter: 0.2 },
      this.#options.random ?? Math.random,
    );
    this.#failures += 1;
    const wait =
      outcome.error instanceof ApiError && outcome.error.retryAfterMs !== undefined
        ? Math.max(backoff, outcome.error.retryAfterMs)
        : backoff;
    this.#retryAt = this.#clock.now() + wait;
    this.#timer = this.#clock.after(wait, () => {
      this.#timer = undefined;
      this.#retryAt = undefined;
      void this.#run();
    });
    this.#options.onError(outcome.error, this.#retryAt);
  }
}

/** A 4xx says the request itself is wrong (or not allowed); trying again will not help. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  if (error.status === 0 || error.status >= 500) return true;
  return error.status === 408 || error.status === 429;
}
