/**
 * The one backoff formula, for the gateway's retries toward WAHA and the browser's
 * reconnects and polling alike: `baseMs × factor^attempt`, capped, with part of each
 * delay taken off at random so that many callers spread out. Imports nothing, so the
 * browser library can use it as it is.
 */
export interface BackoffPolicy {
  /** The delay before the first retry (attempt 0). */
  baseMs: number;
  /** No delay is longer than this. */
  capMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Share of each delay taken off at random, 0–1 (default 0: exact). */
  jitter?: number;
}

/** The delay before retry `attempt` (0-based). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const { baseMs, capMs, factor = 2, jitter = 0 } = policy;
  const ceiling = Math.min(capMs, baseMs * factor ** Math.max(0, attempt));
  return Math.round(ceiling * (1 - jitter * random()));
}
