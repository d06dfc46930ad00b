/**
 * Reconnect delays for the realtime socket: the one backoff formula (lib/backoff.ts) with
 * the browser's policy, 2 s doubling to 60 s with up to a quarter taken off at random, so
 * that a gateway restart is not stormed and clients spread out.
 */
import { type BackoffPolicy, backoffDelay as delayFor } from "../lib/backoff.ts";

export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 60_000, jitter: 0.25 };

/** Parts of RECONNECT_BACKOFF to change. */
export type BackoffOptions = Partial<BackoffPolicy>;

/** The delay before reconnect `attempt` (0-based). */
export function reconnectDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  return delayFor(attempt, { ...RECONNECT_BACKOFF, ...options }, random);
}
