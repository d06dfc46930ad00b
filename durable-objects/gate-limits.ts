/** The gate's pools: how many leases each holds at once and how long a lease lives. */
import type { Config } from "../src/lib/config.ts";
import type { Pool } from "../src/lib/contracts/gate.ts";

/** How long a busy media caller is asked to wait: a typical download, not a whole timeout. */
export const MEDIA_BUSY_RETRY_MS = 2_000;
/** Suggested wait for an API caller whose turn did not come within its timeout. */
export const API_BUSY_RETRY_MS = 1_000;
/** Media leases outlive their download's timeout by this much. */
const MEDIA_SLACK_MS = 5_000;
/** API leases outlive one attempt's timeout by this much. */
const API_SLACK_MS = 1_000;

export function leaseMs(pool: Pool, c: Config): number {
  switch (pool) {
    case "media":
      return c.WA_MEDIA_TIMEOUT_MS + MEDIA_SLACK_MS;
    case "stream":
      // Between two chunks: the reader may pause up to its idle limit, WAHA up to the timeout.
      return c.WA_MEDIA_STREAM_IDLE_MS + c.WA_MEDIA_TIMEOUT_MS + MEDIA_SLACK_MS;
    case "api":
      return c.WAHA_REQUEST_TIMEOUT_MS + API_SLACK_MS;
  }
}

export function capOf(pool: Pool, c: Config): number {
  switch (pool) {
    case "media":
      return c.WA_MEDIA_MAX_CONCURRENCY;
    case "stream":
      return c.WA_MEDIA_STREAM_MAX_CONCURRENCY;
    case "api":
      return c.WAHA_MAX_CONCURRENT_REQUESTS;
  }
}
