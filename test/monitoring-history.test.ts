import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import type { StatsSample } from "../src/lib/contracts/api.ts";
import { call } from "./helpers.ts";
import { advance, freshGatewayEachTest } from "./waha-fixtures.ts";

freshGatewayEachTest();

const admin = { role: "admin", sub: "admin-1" } as const;

const readStats = async () =>
  expect((await call("/api/waha/monitoring/stats", { as: admin })).status).toBe(200);

async function history(query = ""): Promise<StatsSample[]> {
  const res = await call(`/api/waha/monitoring/history${query}`, { as: admin });
  expect(res.status).toBe(200);
  return (await res.json<{ samples: StatsSample[] }>()).samples;
}

describe("monitoring history", () => {
  it("keeps a sample of the counters each time the stats are read, at most every WA_STATS_SAMPLE_MS", async () => {
    const start = Date.now();
    await readStats();
    advance(5_000);
    await readStats();
    advance(5_000);
    await call("/api/waha/status", { as: admin });
    await readStats();
    const samples = await history();
    expect(samples.map((s) => s.at)).toEqual([start, start + 10_000]);
    const [first, second] = samples;
    expect(first?.since).toBe(second?.since);
    // Between them: the second read of the stats, the status call, the third read.
    expect((second?.requests ?? 0) - (first?.requests ?? 0)).toBe(3);
    expect(second?.upstreamCalls).toBeGreaterThan(first?.upstreamCalls ?? 0);
    expect((second?.cacheAsked ?? 0) - (first?.cacheAsked ?? 0)).toBe(1);
  });

  it("samples on each cron run too, and keeps a day at most", async () => {
    const start = Date.now();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env);
    advance(12 * 3_600_000);
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env);
    expect((await history("?minutes=1440")).map((s) => s.at)).toEqual([
      start,
      start + 12 * 3_600_000,
    ]);
    expect((await history("?minutes=60")).map((s) => s.at)).toEqual([start + 12 * 3_600_000]);
    advance(12 * 3_600_000);
    await readStats();
    const kept = (await history("?minutes=1440")).map((s) => s.at);
    expect(kept).toEqual([start + 12 * 3_600_000, start + 24 * 3_600_000]);
  });

  it("is for admins and users; a bad `minutes` is a 400 naming it", async () => {
    expect(
      (await call("/api/waha/monitoring/history", { as: { role: "agent", sub: "a-1" } })).status,
    ).toBe(403);
    for (const minutes of ["0", "1441", "ten"]) {
      const res = await call(`/api/waha/monitoring/history?minutes=${minutes}`, { as: admin });
      expect(res.status).toBe(400);
      expect((await res.json<{ message: string }>()).message).toMatch(/^minutes: /);
    }
  });
});
