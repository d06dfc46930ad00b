/**
 * GET /api/wa/media?number&jid&id: media bytes of a number's message. A cache hit is
 * answered from the Cache API without touching a Durable Object; a miss reads the R2
 * archive, then goes to the key's MediaKey object, which shares one download between
 * callers and remembers cooldowns. Conditional and range
 * requests are answered on every path (hit, miss, shared, streamed).
 */
import { type Context, Hono } from "hono";
import * as z from "zod/mini";
import { GRANT_MEMO_MS } from "../lib/auth/access-grants.ts";
import { apiError, errorResponse } from "../lib/errors.ts";
import { chatJidSchema, messageIdSchema } from "../lib/ids/id-schemas.ts";
import { archiveGet, archiveKey, archiveOn } from "../lib/media/archive.ts";
import {
  MEDIA_CACHE_CONTROL,
  mediaCacheKey,
  mediaEtag,
  mediaHeaders,
  mediaKeyStub,
  noteHit,
  storeMedia,
} from "../lib/media/cache.ts";
import { applicableRange, noneMatch, rangePart } from "../lib/media/http-conditional.ts";
import { count } from "../lib/monitoring/metrics.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { requireChatAccess } from "../middleware/chat-access.ts";

/** The chat in its canonical form, as the store and the media cache key it. */
const querySchema = z.object({ jid: chatJidSchema, id: messageIdSchema });
/** A hit waits on no D1 read: an agent's grant is remembered briefly (access-grants.ts). */
const chatAccess = requireChatAccess({ from: "query", rememberGrantsMs: GRANT_MEMO_MS });

function notModified(etag: string): Response {
  return new Response(null, {
    status: 304,
    headers: { ETag: etag, "Cache-Control": MEDIA_CACHE_CONTROL },
  });
}

function unsatisfiable(range: string, size: number): Response {
  const res = errorResponse(416, "range-not-satisfiable", `${range} is outside the file`);
  res.headers.set("Content-Range", `bytes */${size}`);
  return res;
}

/** A part's headers: the whole answer's, with its Content-Range and length. */
function partHeaders(whole: Headers, part: { start: number; end: number }, size: number) {
  const headers = new Headers(whole);
  headers.set("Content-Range", `bytes ${part.start}-${part.end}/${size}`);
  headers.set("Content-Length", String(part.end - part.start + 1));
  return headers;
}

/** The bytes in hand, whole (200) or the part a Range names (206, or 416). */
function fromBytes(body: ArrayBuffer, whole: Headers, range: string | undefined): Response {
  if (range === undefined) return new Response(body, { headers: whole });
  const part = rangePart(range, body.byteLength);
  if (part === "unsatisfiable") return unsatisfiable(range, body.byteLength);
  return new Response(body.slice(part.start, part.end + 1), {
    status: 206,
    headers: partHeaders(whole, part, body.byteLength),
  });
}

interface ArchiveRead {
  key: string;
  cacheKey: string;
  colo: string;
  tag: string;
  condition: "match" | "any" | "none";
  range: string | undefined;
}

/**
 * The edge cache missed: the archive's copy, if it has one (`X-Cache-Status: ARCHIVE`). An
 * item the cache takes is read whole and put back in the cache behind the answer; a larger
 * one is streamed, a Range of it read from R2 as a range.
 */
async function fromArchive(c: Context<AppEnv>, read: ArchiveRead): Promise<Response | null> {
  const { config } = c.var;
  const bucket = c.env.MEDIA_ARCHIVE;
  const item = await archiveGet(bucket, read.key);
  if (!item) return null;
  count("media.archiveHits");
  const { meta } = item;
  const headers = mediaHeaders(meta, read.tag, "ARCHIVE");
  if (read.condition === "any") {
    await item.body.cancel();
    return notModified(read.tag);
  }
  count("media.served");
  count("media.bytesServed", meta.size);
  if (meta.size <= config.WA_MEDIA_CACHE_ITEM_MAX_BYTES) {
    const bytes = await new Response(item.body).arrayBuffer();
    c.executionCtx.waitUntil(
      storeMedia(c.env, read.colo, read.cacheKey, bytes, headers, config.WA_MEDIA_CACHE_MAX_BYTES),
    );
    return fromBytes(bytes, headers, read.range);
  }
  if (read.range === undefined) return new Response(item.body, { headers });
  await item.body.cancel();
  const part = rangePart(read.range, meta.size);
  if (part === "unsatisfiable") return unsatisfiable(read.range, meta.size);
  const ranged = await archiveGet(bucket, read.key, part);
  if (!ranged) return null;
  return new Response(ranged.body, { status: 206, headers: partHeaders(headers, part, meta.size) });
}

export const media = new Hono<AppEnv>().get("/wa/media", chatAccess, async (c) => {
  const { jid, id } = parseInput(querySchema, c.req.query());
  const { config } = c.var;
  // The number's id is part of every key: two numbers' chats never share a cached file.
  const number = c.var.number.id;
  const ifNoneMatch = c.req.header("If-None-Match");
  const ifRange = c.req.header("If-Range");
  // Media under one id never changes, so its ETag needs neither the cache nor WAHA.
  const etag = ifNoneMatch || ifRange ? await mediaEtag(number, jid, id) : null;
  const condition = etag ? noneMatch(ifNoneMatch, etag) : "none";
  if (etag && condition === "match") return notModified(etag);
  const range = applicableRange(c.req.header("Range"), ifRange, etag);

  const colo = String(c.req.raw.cf?.colo ?? "local");
  const key = mediaCacheKey(new URL(c.req.url).origin, number, jid, id);
  const hit = await caches.default.match(
    new Request(key, range ? { headers: { Range: range } } : {}),
  );
  if (hit) {
    noteHit(c.env, c.executionCtx, colo, key);
    count("cache.hit:media");
    if (condition === "any") {
      await hit.body?.cancel();
      return notModified(hit.headers.get("ETag") ?? (await mediaEtag(number, jid, id)));
    }
    count("media.served");
    count("media.bytesServed", Number(hit.headers.get("Content-Length") ?? 0));
    const res = new Response(hit.body, hit);
    res.headers.set("Cache-Control", MEDIA_CACHE_CONTROL);
    res.headers.set("Accept-Ranges", "bytes");
    res.headers.set("X-Cache-Status", "HIT");
    return res;
  }

  // A miss: the ETag every answer below carries.
  const tag = etag ?? (await mediaEtag(number, jid, id));
  if (archiveOn(config)) {
    const read = {
      key: archiveKey(number, jid, id),
      cacheKey: key,
      colo,
      tag,
      condition,
      range,
    };
    // R2 failing is no reason to fail the answer: WAHA may still have the file.
    const archived = await fromArchive(c, read).catch((err: unknown) => {
      console.error(
        `[wa media] archive-read-failed key=${read.key} reason="${err instanceof Error ? err.message : String(err)}"`,
      );
      return null;
    });
    if (archived) return archived;
  }

  const outcome = await mediaKeyStub(c.env, number, jid, id).serve({
    number,
    jid,
    id,
    ...(range ? { range } : {}),
  });

  switch (outcome.kind) {
    case "error": {
      // Busy answers are counted by the gate that gave them.
      if (outcome.fromCooldown) count("media.cooldownRejections");
      // Gone for good: nothing to retry after.
      const retryAfterMs = outcome.status === 410 ? undefined : outcome.retryAfterMs;
      throw apiError(outcome.status, outcome.error, outcome.message, retryAfterMs);
    }
    case "bytes": {
      const status = outcome.shared ? "COALESCED" : "MISS";
      count(outcome.shared ? "cache.coalesced:media" : "cache.miss:media");
      const headers = mediaHeaders(outcome.meta, tag, status);
      if (!outcome.shared) {
        c.executionCtx.waitUntil(
          storeMedia(c.env, colo, key, outcome.body, headers, config.WA_MEDIA_CACHE_MAX_BYTES),
        );
      }
      if (condition === "any") return notModified(tag);
      count("media.served");
      count("media.bytesServed", outcome.body.byteLength);
      return fromBytes(outcome.body, headers, range);
    }
    case "stream": {
      count("cache.bypass:media");
      if (condition === "any") {
        await outcome.body.cancel();
        return notModified(tag);
      }
      count("media.served");
      const { size } = outcome.meta;
      if (size !== null) count("media.bytesServed", size);
      const headers = mediaHeaders(outcome.meta, tag, "BYPASS");
      let body = outcome.body;
      if (size !== null) {
        // A stream handed over from a Durable Object has no length of its own; this puts
        // WAHA's Content-Length on the wire instead of chunked encoding.
        const fixed = new FixedLengthStream(size);
        c.executionCtx.waitUntil(outcome.body.pipeTo(fixed.writable).catch(() => undefined));
        body = fixed.readable;
      }
      if (outcome.contentRange) {
        headers.set("Content-Range", outcome.contentRange);
        return new Response(body, { status: 206, headers });
      }
      return new Response(body, { headers });
    }
  }
});
