/**
 * WahaResource: one per number and cached WAHA resource (status, session, health, the
 * chat list, one chat's message lists). Every isolate that misses asks this object, so concurrent
 * misses share one load, and WAHA sees at most one load per resource per TTL. The last
 * good answer is kept in storage to stand in (STALE) while WAHA fails. TTLs and limits
 * come from this object's own configuration.
 */
import { DurableObject } from "cloudflare:workers";
import { backoffDelay } from "../src/lib/backoff.ts";
import { type Config, loadConfig } from "../src/lib/config.ts";
import type { ResourceSpec } from "../src/lib/contracts/resources.ts";
import { type Cached, mayStandIn, type Result } from "../src/lib/contracts/result.ts";
import { callWaha, RETRY_BACKOFF } from "../src/lib/waha/client.ts";
import { MAX_HISTORY_CALLS } from "../src/lib/waha/history.ts";
import { numberById, type WaNumber } from "../src/lib/waha/numbers.ts";
import { loadResource, resourceAddress, resourceTtl } from "../src/lib/waha/resource-loaders.ts";
import { alarmBy } from "./alarm-by.ts";

interface Entry {
  value: unknown;
  fetchedAt: number;
  /** Invalidated: never fresh again, but still good as a STALE stand-in. */
  expired: boolean;
  /** After this it can no longer stand in, and the alarm drops it. */
  keepUntil: number;
}

/** A previous answer may stand in while WAHA fails until it is this many TTLs old. */
const STALE_FACTOR = 5;
/** Message lists kept per chat (limit/beforeId combinations); the oldest go first. */
const MAX_VARIANTS = 30;

export class WahaResource extends DurableObject<Env> {
  private readonly inflight = new Map<
    string,
    { answer: Promise<Cached<unknown>>; until: number; generation: number }
  >();
  /** Message id → time, for paging with beforeId; lost on restart (one lookup then). */
  private readonly seen = new Map<string, number>();
  /** Bumped by invalidate(), so a load that started before it is never taken as fresh. */
  private generation = 0;

  /** `numberId`: the number this object's resource is of. */
  async read(numberId: string, spec: ResourceSpec): Promise<Cached<unknown>> {
    const loaded = loadConfig(this.env);
    const number = loaded.ok ? numberById(loaded.config, numberId) : undefined;
    if (!loaded.ok || number === undefined) {
      return {
        ok: false,
        failure: {
          status: 502,
          error: "upstream-error",
          message: "the gateway's config is invalid",
        },
      };
    }
    const config = loaded.config;
    const ttlMs = resourceTtl(spec.kind, config);
    const key = `entry:${resourceAddress(number.id, spec).variant}`;
    const now = Date.now();
    const entry = this.ctx.storage.kv.get<Entry>(key);
    if (entry && !entry.expired && now - entry.fetchedAt < ttlMs) {
      return { ok: true, cache: "HIT", value: entry.value, fetchedAt: entry.fetchedAt };
    }
    const running = this.inflight.get(key);
    // A load that started before an invalidation may carry what the invalidation replaced.
    if (running && running.until > now && running.generation === this.generation) {
      const answer = await running.answer;
      return answer.ok && answer.cache === "MISS" ? { ...answer, cache: "COALESCED" } : answer;
    }
    const answer = this.refresh(key, spec, number, ttlMs, entry);
    // The lease only matters if a load never settles; every step of one has a timeout.
    this.inflight.set(key, {
      answer,
      until: now + loadLeaseMs(config),
      generation: this.generation,
    });
    const settled = await answer;
    if (this.inflight.get(key)?.answer === answer) this.inflight.delete(key);
    return settled;
  }

  /** The next read of every list here goes to WAHA; the old answers may still stand in. */
  invalidate(): void {
    this.generation++;
    for (const [key, entry] of this.ctx.storage.kv.list<Entry>({ prefix: "entry:" })) {
      if (!entry.expired) this.ctx.storage.kv.put(key, { ...entry, expired: true });
    }
  }

  private async refresh(
    key: string,
    spec: ResourceSpec,
    number: WaNumber,
    ttlMs: number,
    entry: Entry | undefined,
  ): Promise<Cached<unknown>> {
    const generation = this.generation;
    let loaded: Result<unknown>;
    try {
      loaded = await loadResource(spec, {
        session: number.session,
        fetch: (request) => callWaha(this.env, number, request),
        previous: entry && { value: entry.value, fetchedAt: entry.fetchedAt },
        seen: this.seen,
        now: Date.now(),
      });
    } catch (err) {
      // The gate itself failed (restarted, overloaded): like WAHA failing, for the caller.
      console.error(
        `[waha cache] loading ${key} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      loaded = {
        ok: false,
        failure: {
          status: 502,
          error: "upstream-error",
          message: "the call to WAHA failed inside the gateway",
        },
      };
    }
    const now = Date.now();
    if (loaded.ok) {
      const fresh = {
        value: loaded.value,
        fetchedAt: now,
        expired: generation !== this.generation,
        keepUntil: now + STALE_FACTOR * ttlMs,
      };
      try {
        this.store(key, fresh);
        await alarmBy(this.ctx.storage, fresh.keepUntil);
      } catch (err) {
        // Too large to keep, say: the answer still goes out, it just is not cached.
        console.error(
          `[waha cache] storing ${key} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      return { ok: true, cache: "MISS", value: loaded.value, fetchedAt: now };
    }
    if (mayStandIn(loaded.failure) && entry && now - entry.fetchedAt <= STALE_FACTOR * ttlMs) {
      return { ok: true, cache: "STALE", value: entry.value, fetchedAt: entry.fetchedAt };
    }
    return loaded;
  }

  /** Drops answers too old to stand in, so a chat nobody opens again leaves nothing behind. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.ctx.storage.kv.list<Entry>({ prefix: "entry:" })) {
      if (entry.keepUntil <= now) this.ctx.storage.kv.delete(key);
      else next = Math.min(next, entry.keepUntil);
    }
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }

  private store(key: string, entry: Entry): void {
    const kv = this.ctx.storage.kv;
    kv.put(key, entry);
    const entries = [...kv.list<Entry>({ prefix: "entry:" })];
    if (entries.length <= MAX_VARIANTS) return;
    entries.sort(([, a], [, b]) => a.fetchedAt - b.fetchedAt);
    for (const [old] of entries.slice(0, entries.length - MAX_VARIANTS)) kv.delete(old);
  }
}

/**
 * Longest a load can take: its calls (a history read's walk and its cursor lookup), every
 * attempt and slot wait timing out, every backoff at its cap.
 */
function loadLeaseMs(config: Config): number {
  const timeout = config.WAHA_REQUEST_TIMEOUT_MS;
  const retries = config.WAHA_MAX_RETRIES;
  const oneCall = (retries + 1) * 2 * timeout + retries * backoffDelay(10, RETRY_BACKOFF, () => 0);
  return (MAX_HISTORY_CALLS + 1) * oneCall + 1_000;
}
