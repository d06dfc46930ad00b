/**
 * Stats: the one place counters from every isolate add up. Totals live in SQLite
 * storage; windowed counters (upstream calls and errors) are also kept per second, so
 * "in the last minute" is a sliding window rather than an average since start.
 */
import { DurableObject } from "cloudflare:workers";
import type { StatsSnapshot } from "../src/lib/contracts/stats.ts";
import { type StatsSample, sampleFromCounters } from "../src/lib/monitoring/stats-sample.ts";

/** How far back /admin's chart history goes, and how many samples it holds at most. */
export const HISTORY_MS = 86_400_000;
const HISTORY_MAX_ROWS = 8_640;

/** Length of the sliding window, and how long per-second rows are kept. */
export const WINDOW_MS = 60_000;
const WINDOWED = /^upstream\.(calls|errors)$/;

export class Stats extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
       CREATE TABLE IF NOT EXISTS seconds (name TEXT NOT NULL, second INTEGER NOT NULL,
         value INTEGER NOT NULL, PRIMARY KEY (name, second));
       CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
       CREATE TABLE IF NOT EXISTS samples (at INTEGER PRIMARY KEY, sample TEXT NOT NULL);
       INSERT OR IGNORE INTO meta (key, value) VALUES ('since', ${Date.now()});`,
    );
  }

  add(deltas: Record<string, number>, at: number): void {
    const second = Math.floor(at / 1000);
    const sql = this.ctx.storage.sql;
    for (const [name, by] of Object.entries(deltas)) {
      sql.exec(
        "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        name,
        by,
      );
      if (WINDOWED.test(name)) {
        sql.exec(
          "INSERT INTO seconds (name, second, value) VALUES (?, ?, ?) ON CONFLICT (name, second) DO UPDATE SET value = value + excluded.value",
          name,
          second,
          by,
        );
      }
    }
    sql.exec("DELETE FROM seconds WHERE second <= ?", second - WINDOW_MS / 1000);
  }

  snapshot(at: number): StatsSnapshot {
    const sql = this.ctx.storage.sql;
    const since = sql
      .exec<{ value: number }>("SELECT value FROM meta WHERE key = 'since'")
      .one().value;
    const counters: Record<string, number> = {};
    for (const row of sql.exec<{ name: string; value: number }>(
      "SELECT name, value FROM counters",
    )) {
      counters[row.name] = row.value;
    }
    const lastMinute: Record<string, number> = {};
    for (const row of sql.exec<{ name: string; total: number }>(
      "SELECT name, sum(value) AS total FROM seconds WHERE second > ? GROUP BY name",
      Math.floor(at / 1000) - WINDOW_MS / 1000,
    )) {
      lastMinute[row.name] = row.total;
    }
    return { since, counters, lastMinute };
  }

  /**
   * Keeps a sample of the counters unless one was kept less than `gapMs` ago; the history
   * holds a day at most (and HISTORY_MAX_ROWS rows). Answers whether one was kept.
   */
  keepSample(at: number, gapMs: number): boolean {
    const sql = this.ctx.storage.sql;
    const last = sql.exec<{ at: number }>("SELECT max(at) AS at FROM samples").one().at;
    if (last !== null && at - last < Math.max(gapMs, 1)) return false;
    const { since, counters } = this.snapshot(at);
    sql.exec(
      "INSERT INTO samples (at, sample) VALUES (?, ?)",
      at,
      JSON.stringify(sampleFromCounters(counters, since, at)),
    );
    sql.exec(
      `DELETE FROM samples WHERE at <= ? OR at NOT IN
         (SELECT at FROM samples ORDER BY at DESC LIMIT ?)`,
      at - HISTORY_MS,
      HISTORY_MAX_ROWS,
    );
    return true;
  }

  /** The samples kept after `after` (ms), oldest first. */
  history(after: number): StatsSample[] {
    return [
      ...this.ctx.storage.sql.exec<{ sample: string }>(
        "SELECT sample FROM samples WHERE at > ? ORDER BY at",
        after,
      ),
    ].map((row) => JSON.parse(row.sample) as StatsSample);
  }
}
