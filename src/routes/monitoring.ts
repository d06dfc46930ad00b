/**
 * GET /api/waha/monitoring/stats (JSON) and GET /metrics (Prometheus text): the same
 * numbers, for admins and users. /metrics sits outside /api, so it checks the token itself.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE, toPrometheus } from "../lib/monitoring/prometheus.ts";
import { collectStats } from "../lib/monitoring/stats.ts";
import type { AppEnv } from "../lib/types.ts";
import { requireAuth, requireRole } from "../middleware/auth.ts";

function stats(c: Context<AppEnv>) {
  return collectStats(c.env, c.executionCtx, c.var.config, String(c.req.raw.cf?.colo ?? "local"));
}

export const monitoring = new Hono<AppEnv>().get(
  "/waha/monitoring/stats",
  requireRole("admin", "user"),
  async (c) => c.json(await stats(c), 200, { "Cache-Control": "no-store" }),
);

export const metrics = new Hono<AppEnv>().get(
  "/metrics",
  requireAuth(),
  requireRole("admin", "user"),
  async (c) =>
    c.body(toPrometheus(await stats(c)), 200, {
      "Content-Type": PROMETHEUS_CONTENT_TYPE,
      "Cache-Control": "no-store",
    }),
);
