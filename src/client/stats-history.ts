/**
 * The monitoring counters as rates over time, for /admin: each sample (a reading of
 * `/api/waha/monitoring/stats`, or one the gateway kept) against the one before it gives
 * WAHA calls and browser requests per minute, the hit rate of that stretch and the media
 * it turned away. The gateway's own samples come first, so the charts open filled.
 */
import { type StatsSample, sampleFromStats } from "../lib/monitoring/stats-sample.ts";
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
  #last: StatsSample | undefined;
  #latest: MonitoringStats | undefined;
  #points: StatsPoint[] = [];

  constructor(max = 60) {
    this.#max = max;
  }

  get points(): readonly StatsPoint[] {
    return this.#points;
  }

  get latest(): MonitoringStats | undefined {
    return this.#latest;
  }

  /** A reading of the stats, taken at `at`. */
  add(stats: MonitoringStats, at: number): void {
    this.#latest = stats;
    this.addSample(sampleFromStats(stats, at));
  }

  /** Samples the gateway kept, oldest first (those not newer than the last are skipped). */
  seed(samples: readonly StatsSample[]): void {
    for (const sample of samples) this.addSample(sample);
  }

  addSample(sample: StatsSample): void {
    const last = this.#last;
    if (last && sample.at <= last.at) return;
    this.#last = sample;
    // Counters started over (a new `since`): the stretch means nothing.
    if (!last || last.since !== sample.since) return;
    const minutes = (sample.at - last.at) / 60_000;
    const delta = (field: keyof Omit<StatsSample, "at" | "since">) =>
      Math.max(0, sample[field] - last[field]);
    const asked = delta("cacheAsked");
    this.#points.push({
      at: sample.at,
      wahaPerMinute: delta("upstreamCalls") / minutes,
      requestsPerMinute: delta("requests") / minutes,
      hitRate: asked === 0 ? null : delta("cacheServed") / asked,
      mediaRejections: delta("mediaRejected"),
    });
    if (this.#points.length > this.#max) this.#points.splice(0, this.#points.length - this.#max);
  }
}
