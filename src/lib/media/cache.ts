/**
 * The media cache: Cache API entries in the requesting data centre, kept under a byte
 * cap by that colo's MediaLedger. Puts, deletes and hit reports all happen in the
 * Worker of that colo, after the response, in `waitUntil`.
 */
import type { MediaMeta } from "../contracts/media.ts";
import { count } from "../monitoring/metrics.ts";

/** Hits are reported to the ledger at most this often per isolate (approximate LRU). */
const TOUCH_FLUSH_MS = 5_000;

const touched = new Set<string>();
let lastTouchFlush = 0;

export function mediaCacheKey(origin: string, number: string, jid: string, id: string): string {
  return `${origin}/__wa-edge/media/${encodeURIComponent(number)}/${encodeURIComponent(jid)}/${encodeURIComponent(id)}`;
}

/** Media under one id never changes, so its ETag can be derived from the id alone. */
export async function mediaEtag(number: string, jid: string, id: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${number}\n${jid}\n${id}`),
  );
  const hex = [...new Uint8Array(digest, 0, 16)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `"${hex}"`;
}

/** The MediaKey object that owns one media key's (number, chat, message) downloads and cooldowns. */
export function mediaKeyStub(env: Env, number: string, jid: string, id: string) {
  return env.MEDIA_KEY.get(env.MEDIA_KEY.idFromName(`${number}\n${jid}\n${id}`));
}

function ledger(env: Env, colo: string) {
  return env.MEDIA_LEDGER.get(env.MEDIA_LEDGER.idFromName(`colo:${colo}`));
}

/** Stores one downloaded item and deletes whatever the ledger evicts to make room. */
export async function storeMedia(
  env: Env,
  colo: string,
  key: string,
  body: ArrayBuffer,
  headers: Headers,
  maxBytes: number,
): Promise<void> {
  const stored = new Headers(headers);
  // The Cache API refuses `private`; browsers get `private` on the way out.
  stored.set("Cache-Control", "public, max-age=86400, immutable");
  stored.delete("X-Cache-Status");
  // Reserve first: if this work is cut off after the put, the bytes are still counted.
  const book = ledger(env, colo);
  const { evicted } = await book.record(key, body.byteLength, maxBytes);
  count("media.evictions", evicted.length);
  await Promise.all(evicted.map((k) => caches.default.delete(k)));
  try {
    await caches.default.put(key, new Response(body, { headers: stored }));
  } catch (err) {
    await book.forget(key);
    throw err;
  }
}

/** Notes a hit; the ledger hears about hits in batches, never on the response path. */
export function noteHit(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  colo: string,
  key: string,
): void {
  touched.add(`${colo}\n${key}`);
  const now = Date.now();
  if (now - lastTouchFlush < TOUCH_FLUSH_MS) return;
  lastTouchFlush = now;
  const byColo = new Map<string, string[]>();
  for (const entry of touched) {
    const [c = "", k = ""] = entry.split("\n");
    byColo.set(c, [...(byColo.get(c) ?? []), k]);
  }
  touched.clear();
  for (const [c, keys] of byColo) ctx.waitUntil(ledger(env, c).touch(keys));
}

export function ledgerSnapshot(env: Env, colo: string) {
  return ledger(env, colo).snapshot();
}

/** Browsers may keep media a day: bytes under one message id never change. */
export const MEDIA_CACHE_CONTROL = "private, max-age=86400, immutable";

/** The headers a browser gets with media bytes. */
export function mediaHeaders(meta: MediaMeta, etag: string, cacheStatus: string): Headers {
  const headers = new Headers({
    "Content-Type": meta.mimetype,
    "Content-Disposition": contentDisposition(meta.filename),
    "Cache-Control": MEDIA_CACHE_CONTROL,
    "Accept-Ranges": "bytes",
    ETag: etag,
    "X-Cache-Status": cacheStatus,
    // WAHA's mimetype is not trusted to be harmless on this origin.
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
  });
  if (meta.size !== null) headers.set("Content-Length", String(meta.size));
  return headers;
}

function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
