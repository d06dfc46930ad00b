/**
 * The WAHA cache as routes see it: isolate memory in front (a hit calls no Durable
 * Object), then the resource's WahaResource object (one per number and resource), shared
 * by every isolate, which loads from WAHA at most once per TTL. Also the invalidation
 * other features call.
 */

import { loadConfig } from "../config.ts";
import type { ResourceSpec } from "../contracts/resources.ts";
import type { Cached, CacheStatus } from "../contracts/result.ts";
import { count } from "../monitoring/metrics.ts";
import type { HistoryPage } from "./history.ts";
import type { WaNumber } from "./numbers.ts";
import type { HealthValue, ListedChat, SessionValue, StatusValue } from "./resource-loaders.ts";
import { messagesObject, resourceAddress, resourceTtl } from "./resource-loaders.ts";

interface LocalEntry {
  value: unknown;
  fetchedAt: number;
  ttlMs: number;
}

/** Entries kept per isolate; the oldest written go first. */
const LOCAL_MAX_ENTRIES = 500;

const local = new Map<string, LocalEntry>();
const pending = new Map<string, Promise<Cached<unknown>>>();

function stub(env: Env, object: string) {
  return env.WAHA_RESOURCE.get(env.WAHA_RESOURCE.idFromName(object));
}

/**
 * Reads a resource: from this isolate if fresh, else from its object (which shares one
 * WAHA load between every caller). Counts `cache.<hit|miss|coalesced|stale>:<kind>`.
 */
/** What each cached resource holds, as its loader made it (waha/resource-loaders.ts). */
export interface ResourceValues {
  status: StatusValue;
  session: SessionValue;
  health: HealthValue;
  chats: ListedChat[];
  messages: HistoryPage;
}

export async function readCached<K extends ResourceSpec["kind"]>(
  env: Env,
  number: WaNumber,
  spec: Extract<ResourceSpec, { kind: K }>,
): Promise<Cached<ResourceValues[K]>> {
  // The object keeps each resource as its own loader made it: the one place it is typed.
  return (await readAny(env, number, spec)) as Cached<ResourceValues[K]>;
}

async function readAny(env: Env, number: WaNumber, spec: ResourceSpec): Promise<Cached<unknown>> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    return {
      ok: false,
      failure: { status: 502, error: "upstream-error", message: "the gateway's config is invalid" },
    };
  }
  const ttlMs = resourceTtl(spec.kind, loaded.config);
  const { object, variant } = resourceAddress(number.id, spec);
  const key = `${object}\n${variant}`;
  const now = Date.now();
  const hit = local.get(key);
  if (hit && now - hit.fetchedAt < Math.min(hit.ttlMs, ttlMs)) {
    count(`cache.hit:${spec.kind}`);
    return { ok: true, value: hit.value, cache: "HIT", fetchedAt: hit.fetchedAt };
  }
  let answer: Cached<unknown>;
  const joined = pending.get(key);
  if (joined) {
    answer = await joined;
    if (answer.ok && answer.cache === "MISS") answer = { ...answer, cache: "COALESCED" };
  } else {
    const asked: Promise<Cached<unknown>> = stub(env, object).read(number.id, spec);
    pending.set(key, asked);
    answer = await asked.finally(() => pending.delete(key));
    if (answer.ok && answer.cache !== "STALE") remember(key, answer, ttlMs);
  }
  if (answer.ok) count(`cache.${answer.cache.toLowerCase()}:${spec.kind}`);
  return answer;
}

function remember(key: string, answer: { value: unknown; fetchedAt: number }, ttlMs: number): void {
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
export async function invalidateChat(env: Env, number: string, jid: string): Promise<void> {
  const chats = resourceAddress(number, { kind: "chats" }).object;
  const messages = messagesObject(number, jid);
  forgetLocal(`${chats}\n`);
  forgetLocal(`${messages}\n`);
  await Promise.all([stub(env, chats).invalidate(), stub(env, messages).invalidate()]);
}

/** Drops a chat's message lists only: a history read that must be asked again, not answered. */
export async function invalidateMessages(env: Env, number: string, jid: string): Promise<void> {
  const messages = messagesObject(number, jid);
  forgetLocal(`${messages}\n`);
  await stub(env, messages).invalidate();
}

/** Drops the session and status caches, so the next read asks WAHA (a session.status event). */
export async function invalidateSession(env: Env, number: string): Promise<void> {
  const objects = (["status", "session"] as const).map(
    (kind) => resourceAddress(number, { kind }).object,
  );
  for (const object of objects) forgetLocal(`${object}\n`);
  await Promise.all(objects.map((object) => stub(env, object).invalidate()));
}
