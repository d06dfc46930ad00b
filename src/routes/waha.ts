/**
 * GET /api/waha/status, /session and /health: WAHA's state, cached per its TTL and
 * shared by every user; rate limited per user, since browsers poll them.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../lib/types.ts";
import { failureResponse, upstreamLimits } from "../lib/upstream.ts";
import { cacheHeaders, readCached } from "../lib/waha-cache.ts";
import { wahaReadLimit } from "../middleware/rate-limit.ts";

const statusLimit = wahaReadLimit("status");

async function cached(c: Context<AppEnv>, kind: "status" | "session" | "health", ttlMs: number) {
  const { config } = c.var;
  const answer = await readCached(
    c.env,
    { kind },
    {
      session: config.WAHA_SESSION,
      ttlMs,
      limits: upstreamLimits(config),
    },
  );
  if (!answer.ok) return failureResponse(answer.failure);
  return c.json(answer.value as object, 200, cacheHeaders(answer));
}

export const waha = new Hono<AppEnv>()
  .get("/waha/status", statusLimit, (c) =>
    cached(c, "status", c.var.config.WAHA_STATUS_CACHE_DURATION),
  )
  .get("/waha/session", statusLimit, (c) =>
    cached(c, "session", c.var.config.WAHA_SESSION_CACHE_DURATION),
  )
  .get("/waha/health", statusLimit, (c) =>
    cached(c, "health", c.var.config.WAHA_HEALTH_CACHE_DURATION),
  );
