/**
 * GET /api/reports/agents?from&to&number (admin, user): per-agent figures for a stretch of
 * time, as JSON, or as CSV for `Accept: text/csv`. A date-only `to` takes in that whole day.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import type { AgentsReport } from "../lib/contracts/api.ts";
import { apiError } from "../lib/errors.ts";
import { agentReport, reportCsv } from "../lib/team/reports.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { requireRole } from "../middleware/auth.ts";
import { resolveNumber } from "../middleware/number.ts";

const DAY_MS = 86_400_000;
/** A year and a day at most in one report. */
const MAX_SPAN_MS = 367 * DAY_MS;
const ISO = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/;
const ISO_ERROR = "must be an ISO date (2026-12-01) or time (2026-12-01T09:00:00Z)";

const isoTime = z
  .string({ error: `is required; ${ISO_ERROR}` })
  .check(z.refine((v) => ISO.test(v) && !Number.isNaN(Date.parse(v)), { error: ISO_ERROR }));

const reportQuery = z.object({
  from: isoTime,
  to: isoTime,
  number: z.optional(z.string()),
});

export const reports = new Hono<AppEnv>().get(
  "/reports/agents",
  requireRole("admin", "user"),
  async (c) => {
    const query = parseInput(reportQuery, c.req.query());
    // One number's report (the only one when none is named); 400 naming `number` otherwise.
    const number = (await resolveNumber(c, query.number)).id;
    const from = Date.parse(query.from);
    // A day named alone runs to its end.
    const to = Date.parse(query.to) + (query.to.length === 10 ? DAY_MS : 0);
    if (to <= from) throw apiError(400, "invalid-request", "to: must be after from");
    if (to - from > MAX_SPAN_MS) {
      throw apiError(400, "invalid-request", "to: at most 367 days after from");
    }
    const agents = await agentReport(c.env.DB, number, from, to);
    const headers = { "Cache-Control": "no-store" };
    if ((c.req.header("Accept") ?? "").includes("text/csv")) {
      const name = `agents-${query.from.slice(0, 10)}-${query.to.slice(0, 10)}.csv`;
      return c.body(reportCsv(agents), 200, {
        ...headers,
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}"`,
      });
    }
    const body: AgentsReport = {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      number,
      agents,
    };
    return c.json(body, 200, headers);
  },
);
