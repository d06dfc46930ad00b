/** Exponential backoff with jitter for reconnects: slow enough that a gateway restart is not stormed. */
export interface BackoffOptions {
  /** First delay (default 2 s). */
  initialMs?: number;
  /** Cap (default 60 s). */
  maxMs?: number;
  /** Share of each delay taken off at random, 0–1 (default 0.25), so clients spread out. */
  jitter?: number;
}

export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialMs = 2_000, maxMs = 60_000, jitter = 0.25 } = options;
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 - jitter * random()));
}
