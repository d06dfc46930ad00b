/**
 * MediaGate: the semaphore for upstream media downloads, server-wide, with two pools:
 * `media` for ordinary downloads and `stream` for over-cap files streamed through, so
 * slow readers of big files never take a slot an ordinary download needs. A slot is a
 * lease with an expiry: one whose holder crashed frees itself when the lease runs out.
 */
import { DurableObject } from "cloudflare:workers";

export type Pool = "media" | "stream";

export type LeaseResult =
  | { status: "granted"; leaseId: string; active: number }
  | { status: "busy"; retryAfterMs: number; active: number };

/** How long a busy caller is asked to wait: a typical download, not a whole timeout. */
const BUSY_RETRY_MS = 2_000;

export class MediaGate extends DurableObject<Env> {
  private peak = 0;
  private busyRejections = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `DROP TABLE IF EXISTS leases;
       CREATE TABLE IF NOT EXISTS pool_leases (id TEXT PRIMARY KEY, pool TEXT NOT NULL,
         key TEXT NOT NULL, expires_at INTEGER NOT NULL);`,
    );
  }

  private active(pool: Pool, now: number): number {
    this.ctx.storage.sql.exec("DELETE FROM pool_leases WHERE expires_at <= ?", now);
    return this.ctx.storage.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM pool_leases WHERE pool = ?", pool)
      .one().n;
  }

  private busy(pool: Pool, key: string, active: number, max: number): LeaseResult {
    this.busyRejections++;
    console.log(`[wa media] busy key=${key} pool=${pool} active=${active} max=${max}`);
    return { status: "busy", retryAfterMs: BUSY_RETRY_MS, active };
  }

  acquire(key: string, maxConcurrency: number, leaseMs: number, pool: Pool = "media"): LeaseResult {
    const now = Date.now();
    const active = this.active(pool, now);
    if (active >= maxConcurrency) return this.busy(pool, key, active, maxConcurrency);
    const leaseId = crypto.randomUUID();
    this.ctx.storage.sql.exec(
      "INSERT INTO pool_leases (id, pool, key, expires_at) VALUES (?, ?, ?, ?)",
      leaseId,
      pool,
      key,
      now + leaseMs,
    );
    if (pool === "media") this.peak = Math.max(this.peak, active + 1);
    return { status: "granted", leaseId, active: active + 1 };
  }

  /**
   * Moves a held lease to another pool (a download that turned out to be over the item
   * cap) in one step: the old slot is free the moment the new one is taken. When the
   * other pool is full the lease is released and the caller answered busy.
   */
  move(
    leaseId: string,
    key: string,
    pool: Pool,
    maxConcurrency: number,
    leaseMs: number,
  ): LeaseResult {
    const now = Date.now();
    const active = this.active(pool, now);
    if (active >= maxConcurrency) {
      this.release(leaseId);
      return this.busy(pool, key, active, maxConcurrency);
    }
    const moved = this.ctx.storage.sql.exec(
      "UPDATE pool_leases SET pool = ?, expires_at = ? WHERE id = ?",
      pool,
      now + leaseMs,
      leaseId,
    ).rowsWritten;
    if (moved === 0) return this.acquire(key, maxConcurrency, leaseMs, pool);
    return { status: "granted", leaseId, active: active + 1 };
  }

  /** Extends a lease still held (a long stream); false when it had already expired. */
  renew(leaseId: string, leaseMs: number): boolean {
    const now = Date.now();
    this.ctx.storage.sql.exec("DELETE FROM pool_leases WHERE expires_at <= ?", now);
    return (
      this.ctx.storage.sql.exec(
        "UPDATE pool_leases SET expires_at = ? WHERE id = ?",
        now + leaseMs,
        leaseId,
      ).rowsWritten > 0
    );
  }

  release(leaseId: string): void {
    this.ctx.storage.sql.exec("DELETE FROM pool_leases WHERE id = ?", leaseId);
  }

  snapshot(): { active: number; streams: number; peak: number; busyRejections: number } {
    const now = Date.now();
    return {
      active: this.active("media", now),
      streams: this.active("stream", now),
      peak: this.peak,
      busyRejections: this.busyRejections,
    };
  }
}
