/**
 * Stats: the one place counters from every isolate add up. Totals live in SQLite
 * storage; windowed counters (upstream calls and errors) are also kept per second, so
 * "in the last minute" is a sliding window rather than an average since start.
 */
import { DurableObject } from "cloudflare:workers";
import type { StatsSnapshot } from "../src/lib/contracts/stats.ts";

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
}
