/**
 * The two shapes every answer from WAHA takes on its way to a browser: a `Result` (a
 * value, or the failure the browser is told about) and a `Cached` result (the same, with
 * where it came from). Failures are decided once, where the call to WAHA was made.
 */

/** What a browser is told when WAHA gave no usable answer. */
export interface Failure {
  status: 400 | 404 | 409 | 422 | 502 | 503;
  /** Kebab-case code for the JSON error body. */
  error: string;
  message: string;
  retryAfterMs?: number;
  /** WAHA's own status when WAHA answered 4xx (the caller may act on it). */
  upstreamStatus?: number;
  /** The WhatsApp session's status when the call failed because it is not WORKING. */
  sessionStatus?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export type CacheStatus = "HIT" | "MISS" | "COALESCED" | "STALE";

export type Cached<T> =
  | { ok: true; value: T; cache: CacheStatus; fetchedAt: number }
  | { ok: false; failure: Failure };

/** An older answer may stand in for one that failed on WAHA's side, never for a bad request. */
export function mayStandIn(failure: Failure): boolean {
  return failure.status >= 500;
}
