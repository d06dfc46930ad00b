/**
 * GET /api/wa/media?jid&id: media bytes. A cache hit is answered from the Cache API
 * without touching a Durable Object; a miss goes to the key's MediaKey object, which
 * shares one download between callers and remembers cooldowns.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { MediaJob } from "../../durable-objects/media-key.ts";
import { jidSchema, messageIdSchema } from "../lib/chat-ids.ts";
import { canAccessChat } from "../lib/db.ts";
import { apiError, errorResponse } from "../lib/errors.ts";
import {
  mediaCacheKey,
  mediaEtag,
  mediaHeaders,
  mediaKeyStub,
  noteHit,
  storeMedia,
} from "../lib/media-cache.ts";
import { count } from "../lib/metrics.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";

const querySchema = z.object({ jid: jidSchema, id: messageIdSchema });

export const media = new Hono<AppEnv>().get("/wa/media", async (c) => {
  const { jid, id } = parseInput(querySchema, c.req.query());
  const { user, config } = c.var;
  if (!(await canAccessChat(c.env.DB, user, jid))) {
    throw apiError(403, "forbidden", "this chat is not assigned to you");
  }
  const session = config.WAHA_SESSION;
  const ifNoneMatch = c.req.header("If-None-Match");
  const etag = ifNoneMatch ? await mediaEtag(session, jid, id) : "";
  if (ifNoneMatch?.split(/\s*,\s*/).includes(etag)) {
    return new Response(null, {
      status: 304,
      headers: { ETag: etag, "Cache-Control": "private, max-age=86400, immutable" },
    });
  }

  const colo = String(c.req.raw.cf?.colo ?? "local");
  const key = mediaCacheKey(new URL(c.req.url).origin, session, jid, id);
  const range = c.req.header("Range");
  const hit = await caches.default.match(
    new Request(key, range ? { headers: { Range: range } } : {}),
  );
  if (hit) {
    noteHit(c.env, c.executionCtx, colo, key);
    count("cache.hit:media");
    count("media.served");
    count("media.bytesServed", Number(hit.headers.get("Content-Length") ?? 0));
    const res = new Response(hit.body, hit);
    res.headers.set("Cache-Control", "private, max-age=86400, immutable");
    res.headers.set("X-Cache-Status", "HIT");
    return res;
  }

  const job: MediaJob = {
    session,
    jid,
    id,
    key: `${jid}/${id}`,
    timeoutMs: config.WA_MEDIA_TIMEOUT_MS,
    cooldownMs: config.WA_MEDIA_COOLDOWN_MS,
    cooldownMaxMs: config.WA_MEDIA_COOLDOWN_MAX_MS,
    itemMaxBytes: config.WA_MEDIA_CACHE_ITEM_MAX_BYTES,
    maxConcurrency: config.WA_MEDIA_MAX_CONCURRENCY,
  };
  const outcome = await mediaKeyStub(c.env, session, jid, id).serve(job);
  const tag = etag || (await mediaEtag(session, jid, id));

  switch (outcome.kind) {
    case "error": {
      if (outcome.status === 429) count("media.busyRejections");
      if (outcome.fromCooldown) count("media.cooldownRejections");
      return errorResponse(outcome.status, outcome.error, outcome.message, outcome.retryAfterMs);
    }
    case "bytes": {
      const status = outcome.shared ? "COALESCED" : "MISS";
      count(outcome.shared ? "cache.coalesced:media" : "cache.miss:media");
      count("media.served");
      count("media.bytesServed", outcome.body.byteLength);
      const headers = mediaHeaders(outcome.meta, tag, status);
      if (!outcome.shared) {
        c.executionCtx.waitUntil(
          storeMedia(c.env, colo, key, outcome.body, headers, config.WA_MEDIA_CACHE_MAX_BYTES),
        );
      }
      return new Response(outcome.body, { headers });
    }
    case "stream": {
      count("cache.bypass:media");
      count("media.served");
      if (outcome.meta.size !== null) count("media.bytesServed", outcome.meta.size);
      return new Response(outcome.body, { headers: mediaHeaders(outcome.meta, tag, "BYPASS") });
    }
  }
});
