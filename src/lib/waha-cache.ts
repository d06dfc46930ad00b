/**
 * The WAHA cache as routes see it: isolate memory in front (a hit calls no Durable
 * Object), then the resource's WahaResource object, shared by every isolate, which
 * loads from WAHA at most once per TTL. Also the invalidation other features call.
 */
import type {
  CacheStatus,
  ResourceAnswer,
  ResourceRead,
} from "../../durable-objects/waha-resource.ts";
import { loadConfig } from "./config.ts";
import { count } from "./metrics.ts";
import type { UpstreamFailure, UpstreamLimits } from "./upstream.ts";
import { messagesObject, type ResourceSpec, resourceAddress } from "./waha-resources.ts";

export type { CacheStatus } from "../../durable-objects/waha-resource.ts";

export type CacheAnswer =
  | { ok: true; value: unknown; cache: CacheStatus; fetchedAt: number }
  | { ok: false; failure: UpstreamFailure };

interface LocalEntry {
  value: unknown;
  fetchedAt: number;
  ttlMs: number;
}

/** Entries kept per isolate; the oldest written go first. */
const LOCAL_MAX_ENTRIES = 500;

const local = new Map<string, LocalEntry>();
const pending = new Map<string, Promise<ResourceAnswer>>();

function stub(env: Env, object: string) {
  return env.WAHA_RESOURCE.get(env.WAHA_RESOURCE.idFromName(object));
}

export interface ReadOptions {
  session: string;
  ttlMs: number;
  limits: UpstreamLimits;
}

/**
 * Reads a resource: from this isolate if fresh, else from its object (which shares one
 * WAHA load between every caller). Counts `cache.<hit|miss|coalesced|stale>:<kind>`.
 */
export async function readCached(
  env: Env,
  spec: ResourceSpec,
  options: ReadOptions,
): Promise<CacheAnswer> {
  const { object, variant } = resourceAddress(options.session, spec);
  const key = `${object}\n${variant}`;
  const now = Date.now();
  const hit = local.get(key);
  if (hit && now - hit.fetchedAt < Math.min(hit.ttlMs, options.ttlMs)) {
    count(`cache.hit:${spec.kind}`);
    return { ok: true, value: hit.value, cache: "HIT", fetchedAt: hit.fetchedAt };
  }
  let answer: ResourceAnswer;
  const joined = pending.get(key);
  if (joined) {
    answer = await joined;
    if (answer.kind === "value" && answer.cache === "MISS")
      answer = { ...answer, cache: "COALESCED" };
  } else {
    const asked = ask(env, object, {
      session: options.session,
      spec,
      ttlMs: options.ttlMs,
      limits: options.limits,
    });
    pending.set(key, asked);
    answer = await asked.finally(() => pending.delete(key));
    if (answer.kind === "value" && answer.cache !== "STALE") remember(key, answer, options.ttlMs);
  }
  if (answer.kind === "error") return { ok: false, failure: answer.failure };
  count(`cache.${answer.cache.toLowerCase()}:${spec.kind}`);
  return { ok: true, value: answer.value, cache: answer.cache, fetchedAt: answer.fetchedAt };
}

async function ask(env: Env, object: string, request: ResourceRead): Promise<ResourceAnswer> {
  return stub(env, object).read(request);
}

function remember(key: string, answer: ResourceAnswer & { kind: "value" }, ttlMs: number): void {
  local.delete(key);
  local.set(key, { value: answer.value, fetchedAt: answer.fetchedAt, ttlMs });
  for (const oldest of local.keys()) {
    if (local.size <= LOCAL_MAX_ENTRIES) break;
    local.delete(oldest);
  }
}

function forgetLocal(prefix: string): void {
  for (const key of local.keys()) {
    if (key.startsWith(prefix)) local.delete(key);
  }
}

/** The response headers of a cached answer. */
export function cacheHeaders(answer: {
  cache: CacheStatus;
  fetchedAt: number;
}): Record<string, string> {
  return {
    "X-Cache-Status": answer.cache,
    Age: String(Math.max(0, Math.floor((Date.now() - answer.fetchedAt) / 1000))),
    // The gateway caches; browsers ask again each time they poll.
    "Cache-Control": "no-store",
  };
}

/**
 * Drops the chat list and that chat's message lists, so the next read goes to WAHA
 * (a new message, a send, a read receipt). Other isolates may keep theirs for up to
 * one TTL.
 */
export async function invalidateChat(env: Env, jid: string): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return;
  const session = loaded.config.WAHA_SESSION;
  const chats = resourceAddress(session, { kind: "chats" }).object;
  const messages = messagesObject(session, jid);
  forgetLocal(`${chats}\n`);
  forgetLocal(`${messages}\n`);
  await Promise.all([stub(env, chats).invalidate(), stub(env, messages).invalidate()]);
}

/** Drops the session and status caches, so the next read asks WAHA (a session.status event). */
export async function invalidateSession(env: Env): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return;
  const session = loaded.config.WAHA_SESSION;
  const objects = (["status", "session"] as const).map(
    (kind) => resourceAddress(session, { kind }).object,
  );
  for (const object of objects) forgetLocal(`${object}\n`);
  await Promise.all(objects.map((object) => stub(env, object).invalidate()));
}
