/**
 * MediaLedger: the byte budget of one data centre's media cache. The Cache API is per
 * data centre, so there is one ledger per colo; the Worker in that colo does every put
 * and delete, and asks the ledger which items to delete to stay under the cap.
 * Recency is approximate: Workers report hits in batches (see media/cache.ts).
 */
import { DurableObject } from "cloudflare:workers";
import type { LedgerSnapshot } from "../src/lib/contracts/media.ts";

export class MediaLedger extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, size INTEGER NOT NULL, used_at INTEGER NOT NULL);
       CREATE INDEX IF NOT EXISTS items_used_at ON items (used_at);
       CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
       INSERT OR IGNORE INTO totals (name, value) VALUES ('evictions', 0);`,
    );
  }

  private bytes(): number {
    return this.ctx.storage.sql
      .exec<{ n: number }>("SELECT coalesce(sum(size), 0) AS n FROM items")
      .one().n;
  }

  /**
   * Records a cached item and returns the least recently used keys that must go for
   * the total to stay within `maxBytes`. The new item itself is never evicted.
   */
  record(key: string, size: number, maxBytes: number): { evicted: string[]; bytes: number } {
    const sql = this.ctx.storage.sql;
    sql.exec(
      "INSERT INTO items (key, size, used_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET size = excluded.size, used_at = excluded.used_at",
      key,
      size,
      Date.now(),
    );
    const evicted: string[] = [];
    let total = this.bytes();
    while (total > maxBytes) {
      const oldest = sql
        .exec<{ key: string; size: number }>(
          "SELECT key, size FROM items WHERE key <> ? ORDER BY used_at, rowid LIMIT 1",
          key,
        )
        .toArray()[0];
      if (!oldest) break;
      sql.exec("DELETE FROM items WHERE key = ?", oldest.key);
      total -= oldest.size;
      evicted.push(oldest.key);
      console.log(
        `[wa media] evict key=${oldest.key} bytes=${oldest.size} total=${total} max=${maxBytes}`,
      );
    }
    if (evicted.length > 0) {
      sql.exec("UPDATE totals SET value = value + ? WHERE name = 'evictions'", evicted.length);
    }
    return { evicted, bytes: total };
  }

  /** Marks keys as used now (hits, reported in batches). */
  touch(keys: string[]): void {
    const now = Date.now();
    for (const key of keys) {
      this.ctx.storage.sql.exec("UPDATE items SET used_at = ? WHERE key = ?", now, key);
    }
  }

  /** Drops a key the cache no longer holds. */
  forget(key: string): void {
    this.ctx.storage.sql.exec("DELETE FROM items WHERE key = ?", key);
  }

  snapshot(): LedgerSnapshot {
    const sql = this.ctx.storage.sql;
    const items = sql.exec<{ n: number }>("SELECT count(*) AS n FROM items").one().n;
    const evictions = sql
      .exec<{ value: number }>("SELECT value FROM totals WHERE name = 'evictions'")
      .one().value;
    return { items, bytes: this.bytes(), evictions };
  }
}
