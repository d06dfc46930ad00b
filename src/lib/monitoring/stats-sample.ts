/**
 * One monitoring sample, counters only, as /admin's charts need them (WAHA calls, browser
 * requests, the cache's answers, media turned away): taken from the Stats object's counters,
 * or from a stats answer in the browser, with the same sums.
 */
import type { MonitoringStats, StatsSample } from "../contracts/api.ts";

export type { StatsSample } from "../contracts/api.ts";

const CACHE = /^cache\.(hit|miss|coalesced|stale):/;

/** The sample of the Stats object's counters at `at`; `since` is when they started (ms). */
export function sampleFromCounters(
  counters: Record<string, number>,
  since: number,
  at: number,
): StatsSample {
  let cacheAsked = 0;
  let cacheServed = 0;
  for (const [name, value] of Object.entries(counters)) {
    const result = CACHE.exec(name)?.[1];
    if (!result) continue;
    cacheAsked += value;
    if (result === "hit" || result === "coalesced") cacheServed += value;
  }
  const n = (name: string) => counters[name] ?? 0;
  return {
    at,
    since: new Date(since).toISOString(),
    requests: n("requests.total"),
    upstreamCalls: n("upstream.calls"),
    cacheAsked,
    cacheServed,
    mediaRejected: n("media.busyRejections") + n("media.cooldownRejections"),
  };
}

/** The same sample from a stats answer (the browser's own readings). */
export function sampleFromStats(stats: MonitoringStats, at: number): StatsSample {
  const { cache } = stats;
  return {
    at,
    since: stats.since,
    requests: stats.requests.total,
    upstreamCalls: stats.upstream.calls,
    cacheAsked: cache.hits + cache.misses + cache.coalesced + cache.stale,
    cacheServed: cache.hits + cache.coalesced,
    mediaRejected: stats.media.busyRejections + stats.media.cooldownRejections,
  };
}
