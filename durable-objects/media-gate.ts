/**
 * MediaGate: the one semaphore for upstream media downloads, server-wide. A slot is a
 * lease with an expiry, so a download that crashed or was cancelled frees its slot
 * when the lease runs out even if nobody ever releases it.
 */
import { DurableObject } from "cloudflare:workers";

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
      "CREATE TABLE IF NOT EXISTS leases (id TEXT PRIMARY KEY, key TEXT NOT NULL, expires_at INTEGER NOT NULL)",
    );
  }

  private active(now: number): number {
    this.ctx.storage.sql.exec("DELETE FROM leases WHERE expires_at <= ?", now);
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM leases").one().n;
  }

  acquire(key: string, maxConcurrency: number, leaseMs: number): LeaseResult {
    const now = Date.now();
    const active = this.active(now);
    if (active >= maxConcurrency) {
      this.busyRejections++;
      console.log(`[wa media] busy key=${key} active=${active} max=${maxConcurrency}`);
      return { status: "busy", retryAfterMs: BUSY_RETRY_MS, active };
    }
    const leaseId = crypto.randomUUID();
    this.ctx.storage.sql.exec(
      "INSERT INTO leases (id, key, expires_at) VALUES (?, ?, ?)",
      leaseId,
      key,
      now + leaseMs,
    );
    this.peak = Math.max(this.peak, active + 1);
    return { status: "granted", leaseId, active: active + 1 };
  }

  /** Extends a lease still held (a long stream); false when it had already expired. */
  renew(leaseId: string, leaseMs: number): boolean {
    const now = Date.now();
    this.active(now);
    return (
      this.ctx.storage.sql.exec(
        "UPDATE leases SET expires_at = ? WHERE id = ?",
        now + leaseMs,
        leaseId,
      ).rowsWritten > 0
    );
  }

  release(leaseId: string): void {
    this.ctx.storage.sql.exec("DELETE FROM leases WHERE id = ?", leaseId);
  }

  snapshot(): { active: number; peak: number; busyRejections: number } {
    return {
      active: this.active(Date.now()),
      peak: this.peak,
      busyRejections: this.busyRejections,
    };
  }
}
