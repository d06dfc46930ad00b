/**
 * GET /api/waha/status, /session and /health: WAHA's state, cached per its TTL and
 * shared by every user; rate limited per user, since browsers poll them.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { failureError } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";
import { cacheHeaders, readCached } from "../lib/waha-cache.ts";
import { wahaReadLimit } from "../middleware/rate-limit.ts";

const statusLimit = wahaReadLimit("status");

async function cached(c: Context<AppEnv>, kind: "status" | "session" | "health") {
  const answer = await readCached(c.env, { kind });
  if (!answer.ok) throw failureError(answer.failure);
  return c.json(answer.value as object, 200, cacheHeaders(answer));
}

export const waha = new Hono<AppEnv>()
  .get("/waha/status", statusLimit, (c) => cached(c, "status"))
  .get("/waha/session", statusLimit, (c) => cached(c, "session"))
  .get("/waha/health", statusLimit, (c) => cached(c, "health"));
