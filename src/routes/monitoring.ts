/**
 * GET /api/waha/monitoring/stats (JSON) and GET /metrics (Prometheus text): the same
 * numbers, for admins and users. /metrics sits outside /api, so it checks the token itself.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { keepStatsSample, statsHistory } from "../lib/monitoring/history.ts";
import { PROMETHEUS_CONTENT_TYPE, toPrometheus } from "../lib/monitoring/prometheus.ts";
import { collectStats } from "../lib/monitoring/stats.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { requireAuth, requireRole } from "../middleware/auth.ts";

function stats(c: Context<AppEnv>) {
  return collectStats(c.env, c.executionCtx, c.var.config, String(c.req.raw.cf?.colo ?? "local"));
}

const HISTORY_MINUTES_ERROR = "must be a whole number from 1 to 1440";

const historyQuery = z.object({
  minutes: z._default(
    z.coerce.number({ error: HISTORY_MINUTES_ERROR }).check(
      z.refine((n) => Number.isInteger(n), { error: HISTORY_MINUTES_ERROR }),
      z.minimum(1, { error: HISTORY_MINUTES_ERROR }),
      z.maximum(1_440, { error: HISTORY_MINUTES_ERROR }),
    ),
    60,
  ),
});

export const monitoring = new Hono<AppEnv>()
  .get("/waha/monitoring/stats", requireRole("admin", "user"), async (c) => {
    const answer = await stats(c);
    // After the reading, so the sample holds the counters it showed.
    await keepStatsSample(c.env, c.var.config);
    return c.json(answer, 200, { "Cache-Control": "no-store" });
  })
  // The samples kept server-side: /admin's charts open with the past already drawn.
  .get("/waha/monitoring/history", requireRole("admin", "user"), async (c) => {
    const { minutes } = parseInput(historyQuery, c.req.query());
    const samples = await statsHistory(c.env, minutes);
    return c.json({ samples }, 200, { "Cache-Control": "no-store" });
  });

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
