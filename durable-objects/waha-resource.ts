/**
 * WahaResource: one per cached WAHA resource (status, session, health, the chat list,
 * one chat's message lists). Every isolate that misses asks this object, so concurrent
 * misses share one load, and WAHA sees at most one load per resource per TTL. The last
 * good answer is kept in storage to stand in (STALE) while WAHA fails.
 */
import { DurableObject } from "cloudflare:workers";
import {
  callWaha,
  retryDelayMs,
  type UpstreamFailure,
  type UpstreamLimits,
} from "../src/lib/upstream.ts";
import {
  type LoadResult,
  loadResource,
  type ResourceSpec,
  resourceAddress,
} from "../src/lib/waha-resources.ts";
import { alarmBy } from "./alarm-by.ts";

export type CacheStatus = "HIT" | "MISS" | "COALESCED" | "STALE";

export interface ResourceRead {
  session: string;
  spec: ResourceSpec;
  ttlMs: number;
  limits: UpstreamLimits;
}

export type ResourceAnswer =
  | { kind: "value"; cache: CacheStatus; value: unknown; fetchedAt: number }
  | { kind: "error"; failure: UpstreamFailure };

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
    { answer: Promise<ResourceAnswer>; until: number; generation: number }
  >();
  /** Message id → time, for paging with beforeId; lost on restart (one lookup then). */
  private readonly seen = new Map<string, number>();
  /** Bumped by invalidate(), so a load that started before it is never taken as fresh. */
  private generation = 0;

  async read(request: ResourceRead): Promise<ResourceAnswer> {
    const key = `entry:${resourceAddress(request.session, request.spec).variant}`;
    const now = Date.now();
    const entry = this.ctx.storage.kv.get<Entry>(key);
    if (entry && !entry.expired && now - entry.fetchedAt < request.ttlMs) {
      return { kind: "value", cache: "HIT", value: entry.value, fetchedAt: entry.fetchedAt };
    }
    const running = this.inflight.get(key);
    // A load that started before an invalidation may carry what the invalidation replaced.
    if (running && running.until > now && running.generation === this.generation) {
      const answer = await running.answer;
      return answer.kind === "value" && answer.cache === "MISS"
        ? { ...answer, cache: "COALESCED" }
        : answer;
    }
    const answer = this.refresh(key, request, entry);
    // The lease only matters if a load never settles; every step of one has a timeout.
    this.inflight.set(key, {
      answer,
      until: now + loadLeaseMs(request),
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
    request: ResourceRead,
    entry: Entry | undefined,
  ): Promise<ResourceAnswer> {
    const generation = this.generation;
    let loaded: LoadResult;
    try {
      loaded = await loadResource(request.spec, {
        session: request.session,
        fetch: (upstream) => callWaha(this.env, upstream, request.limits),
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
        stale: true,
      };
    }
    const now = Date.now();
    if (loaded.ok) {
      const fresh = {
        value: loaded.value,
        fetchedAt: now,
        expired: generation !== this.generation,
        keepUntil: now + STALE_FACTOR * request.ttlMs,
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
      return { kind: "value", cache: "MISS", value: loaded.value, fetchedAt: now };
    }
    if (loaded.stale && entry && now - entry.fetchedAt <= STALE_FACTOR * request.ttlMs) {
      return { kind: "value", cache: "STALE", value: entry.value, fetchedAt: entry.fetchedAt };
    }
    return { kind: "error", failure: loaded.failure };
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

/** Longest a load can take: every attempt and slot wait timing out, every backoff at its cap. */
function loadLeaseMs({ limits }: ResourceRead): number {
  const oneCall =
    (limits.maxRetries + 1) * 2 * limits.timeoutMs + limits.maxRetries * retryDelayMs(10, () => 1);
  // Every load makes at most two calls (status: session, version; a page back: lookup, page).
  return 2 * oneCall + 1_000;
}
