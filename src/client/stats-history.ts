/**
 * The monitoring counters as rates over time, for /admin: each sample of
 * `/api/waha/monitoring/stats` against the one before it gives WAHA calls and browser
 * requests per minute, the hit rate of that stretch and the media it turned away.
 */
import type { MonitoringStats } from "./types.ts";

export interface StatsPoint {
  /** End of the stretch (ms since the epoch). */
  at: number;
  wahaPerMinute: number;
  requestsPerMinute: number;
  /** Cached answers served from the cache in this stretch, 0–1; null when none were asked. */
  hitRate: number | null;
  /** Media requests answered 429 busy or from a cooldown in this stretch. */
  mediaRejections: number;
}

export class StatsHistory {
  readonly #max: number;
  #last: { at: number; stats: MonitoringStats } | undefined;
  #points: StatsPoint[] = [];

  constructor(max = 60) {
    this.#max = max;
  }

  get points(): readonly StatsPoint[] {
    return this.#points;
  }

  get latest(): MonitoringStats | undefined {
    return this.#last?.stats;
  }

  add(stats: MonitoringStats, at: number): void {
    const last = this.#last;
    this.#last = { at, stats };
    // Counters started over (a new `since`): the stretch means nothing.
    if (!last || last.stats.since !== stats.since || at <= last.at) return;
    const minutes = (at - last.at) / 60_000;
    const delta = (now: number, then: number) => Math.max(0, now - then);
    const cacheAsked = (s: MonitoringStats) =>
      s.cache.hits + s.cache.misses + s.cache.coalesced + s.cache.stale;
    const served = (s: MonitoringStats) => s.cache.hits + s.cache.coalesced;
    const asked = delta(cacheAsked(stats), cacheAsked(last.stats));
    const rejected = (s: MonitoringStats) => s.media.busyRejections + s.media.cooldownRejections;
    this.#points.push({
      at,
      wahaPerMinute: delta(stats.upstream.calls, last.stats.upstream.calls) / minutes,
      requestsPerMinute: delta(stats.requests.total, last.stats.requests.total) / minutes,
      hitRate: asked === 0 ? null : delta(served(stats), served(last.stats)) / asked,
      mediaRejections: delta(rejected(stats), rejected(last.stats)),
    });
    if (this.#points.length > this.#max) this.#points.splice(0, this.#points.length - this.#max);
  }
}
