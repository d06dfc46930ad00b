/**
 * GET /api/wa/media?number&jid&id: media bytes of a number's message. A cache hit is answered from the Cache API
 * without touching a Durable Object; a miss goes to the key's MediaKey object, which
 * shares one download between callers and remembers cooldowns. Conditional and range
 * requests are answered on every path (hit, miss, shared, streamed).
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import { apiError, errorResponse } from "../lib/errors.ts";
import { chatJidSchema, messageIdSchema } from "../lib/ids/id-schemas.ts";
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
const chatAccess = requireChatAccess({ from: "query" });

function notModified(etag: string): Response {
  return new Response(null, {
    status: 304,
    headers: { ETag: etag, "Cache-Control": MEDIA_CACHE_CONTROL },
  });
}

/** The bytes in hand, whole (200) or the part a Range names (206, or 416). */
function fromBytes(body: ArrayBuffer, whole: Headers, range: string | undefined): Response {
  if (range === undefined) return new Response(body, { headers: whole });
  const headers = new Headers(whole);
  const part = rangePart(range, body.byteLength);
  if (part === "unsatisfiable") {
    const res = errorResponse(416, "range-not-satisfiable", `${range} is outside the file`);
    res.headers.set("Content-Range", `bytes */${body.byteLength}`);
    return res;
  }
  const slice = body.slice(part.start, part.end + 1);
  headers.set("Content-Range", `bytes ${part.start}-${part.end}/${body.byteLength}`);
  headers.set("Content-Length", String(slice.byteLength));
  return new Response(slice, { status: 206, headers });
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

  const outcome = await mediaKeyStub(c.env, number, jid, id).serve({
    number,
    jid,
    id,
    ...(range ? { range } : {}),
  });
  const tag = etag ?? (await mediaEtag(number, jid, id));

  switch (outcome.kind) {
    case "error": {
      // Busy answers are counted by the gate that gave them.
      if (outcome.fromCooldown) count("media.cooldownRejections");
      throw apiError(outcome.status, outcome.error, outcome.message, outcome.retryAfterMs);
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
