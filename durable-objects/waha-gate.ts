/**
 * WahaGate: the gate on the road to one WAHA server (one object per server, named by its
 * origin; the numbers on it share it). Every request to that server holds a lease from
 * one of its pools: `media` (downloads; full → busy at once), `stream`
 * (over-cap files passed through; its own slots, so slow readers never starve media) and
 * `api` (status, lists, sends; a call waits for a slot up to its timeout). Leases live in
 * one SQLite table and expire, so a caller that died frees its slot by itself. API calls
 * report how they went, which drives the circuit breaker and the upstream counters.
 * Limits come from this object's own configuration. A WAHA Plus server runs several
 * sessions: each one's status is kept apart, and one not WORKING holds back only its own
 * number's calls.
 */
import { DurableObject } from "cloudflare:workers";
import { type Config, loadConfig } from "../src/lib/config.ts";
import type {
  CallOutcome,
  CallReport,
  GateSnapshot,
  Lease,
  Pool,
} from "../src/lib/contracts/gate.ts";
import { count, flushMetrics } from "../src/lib/monitoring/metrics.ts";
import { wakeOutboxes } from "../src/lib/outbox/db.ts";
import { broadcast, EVERYONE } from "../src/lib/realtime/broadcast.ts";
import {
  admit,
  CIRCUIT_POLICY,
  type Circuit,
  CLOSED,
  recordFailure,
  recordSuccess,
} from "../src/lib/waha/circuit-breaker.ts";
import { MAX_RUN_CALLS } from "../src/lib/waha/client.ts";
import { numbersOnServer, type WaNumber } from "../src/lib/waha/numbers.ts";
import { API_BUSY_RETRY_MS, capOf, leaseMs, MEDIA_BUSY_RETRY_MS } from "./gate-limits.ts";

/**
 * How long a session heard to be not WORKING keeps calls that need it from WAHA: WAHA
 * repeats its status webhook while a session starts (NOWEB every ~2 s), browsers' status
 * reads refresh it, and past this a call goes through and finds out.
 */
const SESSION_TRUST_MS = 15_000;
/** Endpoints WAHA serves only while the session is WORKING (WorkingSessionPipe). */
const NEEDS_SESSION = new Set([
  "chats",
  "messages",
  "message",
  "lids",
  "sendText",
  "sendImage",
  "sendFile",
  "sendVoice",
  "reaction",
  "sendSeen",
]);

interface SessionHeard {
  status: string;
  at: number;
}

export class WahaGate extends DurableObject<Env> {
  private mediaPeak = 0;
  /** API callers waiting for a slot, first come first served. */
  private readonly waiters = new Set<() => void>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS leases (id TEXT PRIMARY KEY, pool TEXT NOT NULL,
         key TEXT NOT NULL, expires_at INTEGER NOT NULL);
       CREATE INDEX IF NOT EXISTS leases_pool ON leases (pool, expires_at);`,
    );
  }

  private config(): Config {
    const loaded = loadConfig(this.env);
    // The Worker refuses every request while its config is invalid; nothing gets here then.
    if (!loaded.ok) throw new Error(`config invalid: ${loaded.errors.join("; ")}`);
    return loaded.config;
  }

  /** Leases held in `pool` now; it only reads (expired ones do not count, and stay until swept). */
  private active(pool: Pool, now = Date.now()): number {
    return this.ctx.storage.sql
      .exec<{ n: number }>(
        "SELECT count(*) AS n FROM leases WHERE pool = ? AND expires_at > ?",
        pool,
        now,
      )
      .one().n;
  }

  /** Forgets expired leases: where leases are granted, renewed, and by the alarm. */
  private sweep(now = Date.now()): void {
    this.ctx.storage.sql.exec("DELETE FROM leases WHERE expires_at <= ?", now);
  }

  private grant(pool: Pool, key: string, probe: boolean, c: Config, calls = 1): Lease {
    const now = Date.now();
    this.sweep(now);
    const leaseId = crypto.randomUUID();
    this.ctx.storage.sql.exec(
      "INSERT INTO leases (id, pool, key, expires_at) VALUES (?, ?, ?, ?)",
      leaseId,
      pool,
      key,
      now + leaseMs(pool, c) * calls,
    );
    if (pool === "media") this.mediaPeak = Math.max(this.mediaPeak, this.active("media", now));
    return { status: "granted", leaseId, probe };
  }

  private busy(pool: Pool, key: string, active: number, max: number): Lease {
    console.log(`[wa media] busy key=${key} pool=${pool} active=${active} max=${max}`);
    count("media.busyRejections");
    void flushMetrics(this.env, this.ctx);
    return { status: "busy", retryAfterMs: MEDIA_BUSY_RETRY_MS, active, max };
  }

  /** A slot in `pool` for `key` (a media key, or the WAHA endpoint of an API call). */
  /**
   * A media slot for a download nobody is waiting for (media announced by a webhook,
   * fetched while WAHA still holds the file): only while another slot stays free for a
   * browser, and quietly refused otherwise.
   */
  prefetch(key: string): Lease {
    const c = this.config();
    const max = capOf("media", c);
    const active = this.active("media");
    if (active + 1 >= max)
      return { status: "busy", retryAfterMs: MEDIA_BUSY_RETRY_MS, active, max };
    return this.grant("media", key, false, c);
  }

  /**
   * A slot in `pool`. `calls`: API calls the holder makes one after another under this one
   * lease (a run, see RunCaller); the lease lasts that many call timeouts.
   */
  async acquire(pool: Pool, key: string, calls = 1, sessionName?: string): Promise<Lease> {
    const c = this.config();
    const max = capOf(pool, c);
    if (pool !== "api") {
      const active = this.active(pool);
      return active >= max ? this.busy(pool, key, active, max) : this.grant(pool, key, false, c);
    }
    const session = sessionName === undefined ? null : this.session(sessionName);
    if (session && session.status !== "WORKING" && NEEDS_SESSION.has(key)) {
      const left = session.at + SESSION_TRUST_MS - Date.now();
      if (left > 0) {
        count("upstream.sessionDown");
        return { status: "session-down", sessionStatus: session.status, retryAfterMs: left };
      }
    }
    const { admission, next } = admit(this.circuit(), Date.now(), leaseMs("api", c));
    this.moveCircuit(next);
    if (admission.status === "reject") {
      return { status: "circuit-open", retryAfterMs: admission.retryAfterMs };
    }
    const probe = admission.status === "probe";
    const allowed = probe ? 1 : Math.max(1, Math.min(Math.floor(calls), MAX_RUN_CALLS));
    if (this.waiters.size === 0 && this.active("api") < max)
      return this.grant("api", key, probe, c, allowed);
    return this.waitForApiSlot(key, probe, c, max, allowed);
  }

  private async waitForApiSlot(
    key: string,
    probe: boolean,
    c: Config,
    max: number,
    calls: number,
  ): Promise<Lease> {
    const deadline = Date.now() + c.WAHA_REQUEST_TIMEOUT_MS;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        count("upstream.busy");
        return { status: "busy", retryAfterMs: API_BUSY_RETRY_MS, active: this.active("api"), max };
      }
      // Woken by a release, or when the earliest lease runs out, or at the deadline.
      const earliest = this.ctx.storage.sql
        .exec<{ at: number | null }>("SELECT min(expires_at) AS at FROM leases WHERE pool = 'api'")
        .one().at;
      const wait = Math.min(
        remaining,
        earliest === null ? remaining : Math.max(1, earliest - Date.now()),
      );
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, wait);
        this.waiters.add(wake);
      });
      if (this.active("api") < max) return this.grant("api", key, probe, c, calls);
    }
  }

  /**
   * Moves a held lease to another pool (a download that turned out to be over the item
   * cap) in one step: the old slot is free the moment the new one is taken. When the
   * other pool is full the lease is released and the caller answered busy.
   */
  move(leaseId: string, key: string, pool: Pool): Lease {
    const c = this.config();
    const max = capOf(pool, c);
    const active = this.active(pool);
    if (active >= max) {
      this.release(leaseId);
      return this.busy(pool, key, active, max);
    }
    const moved = this.ctx.storage.sql.exec(
      "UPDATE leases SET pool = ?, expires_at = ? WHERE id = ?",
      pool,
      Date.now() + leaseMs(pool, c),
      leaseId,
    ).rowsWritten;
    return moved === 0
      ? this.grant(pool, key, false, c)
      : { status: "granted", leaseId, probe: false };
  }

  /** Extends a lease still held (a long stream); false when it had already expired. */
  renew(leaseId: string): boolean {
    const c = this.config();
    const now = Date.now();
    this.sweep(now);
    const row = this.ctx.storage.sql
      .exec<{ pool: Pool }>("SELECT pool FROM leases WHERE id = ?", leaseId)
      .toArray()[0];
    if (!row) return false;
    this.ctx.storage.sql.exec(
      "UPDATE leases SET expires_at = ? WHERE id = ?",
      now + leaseMs(row.pool, c),
      leaseId,
    );
    return true;
  }

  /**
   * Gives a slot back. An API call says how it went (`endpoint`, `outcome`), a run how each
   * of its calls went, in order: that moves the circuit breaker and the upstream counters.
   */
  release(leaseId: string, report?: CallReport | CallReport[]): void {
    this.ctx.storage.sql.exec("DELETE FROM leases WHERE id = ?", leaseId);
    for (const { endpoint, outcome, session, sessionName } of report === undefined
      ? []
      : [report].flat()) {
      this.record(endpoint, outcome, sessionName);
      if (session !== undefined && sessionName !== undefined)
        this.sessionHeard(session, sessionName);
    }
    const [next] = this.waiters;
    next?.();
  }

  private record(endpoint: string, outcome: CallOutcome, sessionName?: string): void {
    count("upstream.calls");
    count(`upstream.calls:${endpoint}`);
    const number =
      sessionName === undefined ? undefined : this.numbers().find((n) => n.session === sessionName);
    if (number) count(`number.calls:${number.id}`);
    if (outcome.kind === "rejected") count(`upstream.rejections:${endpoint}`);
    if (outcome.kind === "failed") {
      if (number) count(`number.errors:${number.id}`);
      count("upstream.errors");
      count(`upstream.errors:${endpoint}`);
      if (outcome.reason === "timeout") {
        count("upstream.timeouts");
        count(`upstream.timeouts:${endpoint}`);
      }
      this.moveCircuit(recordFailure(this.circuit(), Date.now()));
    } else {
      this.moveCircuit(recordSuccess());
    }
    // API calls are few (one per resource per TTL), so their counters go out now.
    void flushMetrics(this.env, this.ctx, true);
  }

  /**
   * The WhatsApp session's status as just heard (a `session.status` webhook, a status read,
   * WAHA's refusal). A session that is not WORKING is not a WAHA outage: the breaker is left
   * alone, calls that need the session wait here instead of at WAHA, and when it is WORKING
   * again what waits in the outboxes goes.
   */
  sessionHeard(status: string, sessionName: string): void {
    const was = this.session(sessionName);
    this.ctx.storage.kv.put<SessionHeard>(`session:${sessionName}`, { status, at: Date.now() });
    if (status === "WORKING" && was !== null && was.status !== "WORKING") {
      console.log(`[waha upstream] session ${sessionName} ${was.status} → WORKING`);
      this.wake(this.numbers().filter((n) => n.session === sessionName));
    }
  }

  /** The numbers on this object's WAHA server (its name is the server's origin). */
  private numbers(): WaNumber[] {
    return numbersOnServer(this.config(), this.ctx.id.name ?? "");
  }

  /** Wakes the outboxes of these numbers (all that wait, or `limit` each); never throws. */
  private wake(numbers: WaNumber[], limit?: number): void {
    for (const number of numbers) {
      this.ctx.waitUntil(
        wakeOutboxes(this.env, number.id, limit).catch((err: unknown) => {
          console.error(`[gate] waking ${number.id}'s outboxes failed: ${String(err)}`);
        }),
      );
    }
  }

  private sessionSnapshot(sessionName?: string): GateSnapshot["session"] {
    const heard = sessionName === undefined ? null : this.session(sessionName);
    return heard && { status: heard.status, at: new Date(heard.at).toISOString() };
  }

  private session(sessionName: string): SessionHeard | null {
    return this.ctx.storage.kv.get<SessionHeard>(`session:${sessionName}`) ?? null;
  }

  /**
   * The cool-off is over and nothing has probed WAHA yet: the send that has waited longest
   * goes now, as the probe. If it gets through, the circuit closes and every outbox is woken.
   */
  override async alarm(): Promise<void> {
    this.sweep();
    if (this.circuit().state === "closed") return;
    this.wake(this.numbers(), 1);
  }

  /** The gate's state; `session`: the WAHA session whose status is asked about. */
  snapshot(sessionName?: string): GateSnapshot {
    const c = this.config();
    const now = Date.now();
    const { state, failures, openedAt } = this.circuit();
    return {
      media: { active: this.active("media", now), peak: this.mediaPeak, max: capOf("media", c) },
      stream: { active: this.active("stream", now), max: capOf("stream", c) },
      api: { active: this.active("api", now), pending: this.waiters.size, max: capOf("api", c) },
      circuit: {
        state,
        failures,
        openedAt: state !== "closed" && openedAt !== null ? new Date(openedAt).toISOString() : null,
      },
      session: this.sessionSnapshot(sessionName),
      sessions: Object.fromEntries(
        [...this.ctx.storage.kv.list<SessionHeard>({ prefix: "session:" })].map(([key, heard]) => [
          key.slice("session:".length),
          { status: heard.status, at: new Date(heard.at).toISOString() },
        ]),
      ),
    };
  }

  private circuit(): Circuit {
    return this.ctx.storage.kv.get<Circuit>("circuit") ?? CLOSED;
  }

  /** Moves the circuit; what follows a change of its state happens in `circuitChanged`. */
  private moveCircuit(next: Circuit): void {
    const current = this.ctx.storage.kv.get<Circuit>("circuit");
    if (current === undefined && next === CLOSED) return;
    if (current && JSON.stringify(current) === JSON.stringify(next)) return;
    this.saveCircuit(next);
    const was = current?.state ?? "closed";
    if (was !== next.state) this.circuitChanged(was, next);
  }

  private saveCircuit(next: Circuit): void {
    this.ctx.storage.kv.put("circuit", next);
  }

  /**
   * WAHA says nothing when it dies: browsers hear the gateway's own view of it. Opening sets
   * the alarm at the cool-off's end (a waiting send probes WAHA then, not seconds later at its
   * retry); closing wakes every outbox of this server's numbers, so what was queued goes now.
   * Every number on the server hears it.
   */
  private circuitChanged(was: Circuit["state"], next: Circuit): void {
    console.log(
      `[waha upstream] circuit ${was} → ${next.state} after ${next.failures} consecutive failure(s)`,
    );
    if (next.state === "open") {
      const retryAt = new Date((next.openedAt ?? Date.now()) + CIRCUIT_POLICY.coolOffMs);
      for (const number of this.numbers()) {
        this.ctx.waitUntil(
          broadcast(
            this.env,
            number.id,
            { type: "upstream.status", state: "down", retryAt: retryAt.toISOString() },
            EVERYONE,
          ),
        );
      }
      this.ctx.waitUntil(this.ctx.storage.setAlarm(retryAt));
    } else if (next.state === "closed") {
      for (const number of this.numbers()) {
        this.ctx.waitUntil(
          broadcast(this.env, number.id, { type: "upstream.status", state: "up" }, EVERYONE),
        );
      }
      this.wake(this.numbers());
    }
  }
}
