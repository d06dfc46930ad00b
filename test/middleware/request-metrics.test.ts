import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { readCounters } from "../../src/lib/monitoring/metrics.ts";
import type { AppEnv } from "../../src/lib/types.ts";
import { requestMetrics } from "../../src/middleware/request-metrics.ts";
import { ORIGIN } from "./fixtures.ts";

const app = new Hono<AppEnv>()
  .use(requestMetrics())
  .get("/api/items/:id", (c) => c.json({ id: c.req.param("id") }));

async function counters(): Promise<Record<string, number>> {
  return (await readCounters(env, createExecutionContext())).counters;
}

describe("requestMetrics", () => {
  it("counts each request in requests.total and under its route pattern, not its path", async () => {
    const before = await counters();
    for (const id of ["1", "2", "3"]) {
      const ctx = createExecutionContext();
      const res = await app.request(`${ORIGIN}/api/items/${id}`, {}, env, ctx);
      expect(res.status).toBe(200);
      await waitOnExecutionContext(ctx);
    }
    const after = await counters();
    const route = "requests.route:GET /api/items/:id";
    expect((after[route] ?? 0) - (before[route] ?? 0)).toBe(3);
    expect((after["requests.total"] ?? 0) - (before["requests.total"] ?? 0)).toBe(3);
    expect(after["requests.route:GET /api/items/1"]).toBeUndefined();
  });
});
