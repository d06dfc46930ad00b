/**
 * Stats: the one place counters from every isolate add up. Totals live in SQLite
 * storage; upstream calls are also kept in per-minute buckets for a sliding
 * calls-per-minute figure.
 */
import { DurableObject } from "cloudflare:workers";

const WINDOW_MINUTES = 5;
const WINDOWED = /^upstream\.calls$/;

export class Stats extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
       CREATE TABLE IF NOT EXISTS minutes (name TEXT NOT NULL, minute INTEGER NOT NULL,
         value INTEGER NOT NULL, PRIMARY KEY (name, minute));
       CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
       INSERT OR IGNORE INTO meta (key, value) VALUES ('since', ${Date.now()});`,
    );
  }

  add(deltas: Record<string, number>, at: number): void {
    const minute = Math.floor(at / 60_000);
    for (const [name, by] of Object.entries(deltas)) {
      this.ctx.storage.sql.exec(
        "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        name,
        by,
      );
      if (WINDOWED.test(name)) {
        this.ctx.storage.sql.exec(
          "INSERT INTO minutes (name, minute, value) VALUES (?, ?, ?) ON CONFLICT (name, minute) DO UPDATE SET value = value + excluded.value",
          name,
          minute,
          by,
        );
      }
    }
    this.ctx.storage.sql.exec("DELETE FROM minutes WHERE minute < ?", minute - WINDOW_MINUTES);
  }

  /** Totals, and per-minute averages over the last WINDOW_MINUTES (or since start). */
  snapshot(at: number): { since: number; counters: Record<string, number>; perMinute: Record<string, number> } {
    const since = this.ctx.storage.sql
      .exec<{ value: number }>("SELECT value FROM meta WHERE key = 'since'")
      .one().value;
    const counters: Record<string, number> = {};
    for (const row of this.ctx.storage.sql.exec<{ name: string; value: number }>(
      "SELECT name, value FROM counters",
    )) {
      counters[row.name] = row.value;
    }
    const minute = Math.floor(at / 60_000);
    const spanMinutes = Math.max(1, Math.min(WINDOW_MINUTES, (at - since) / 60_000));
    const perMinute: Record<string, number> = {};
    for (const row of this.ctx.storage.sql.exec<{ name: string; total: number }>(
      "SELECT name, sum(value) AS total FROM minutes WHERE minute > ? GROUP BY name",
      minute - WINDOW_MINUTES,
    )) {
      perMinute[row.name] = Math.round((row.total / spanMinutes) * 100) / 100;
    }
    return { since, counters, perMinute };
  }
}
