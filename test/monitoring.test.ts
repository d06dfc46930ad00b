import { describe, expect, it } from "vitest";
import type { MonitoringStats } from "../src/lib/contracts/api.ts";
import { call, sim } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser } from "./waha-fixtures.ts";

freshGatewayEachTest();

async function stats(): Promise<MonitoringStats> {
  const res = await call("/api/waha/monitoring/stats", { as: newUser("admin") });
  expect(res.status).toBe(200);
  return res.json<MonitoringStats>();
}

/** `name{labels} value` lines of a Prometheus text answer, by series. */
async function prometheus(): Promise<Map<string, number>> {
  const res = await call("/metrics", { as: newUser("user") });
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const series = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

describe("monitoring stats", () => {
  it("has exactly SPEC's fields, and the session's silence beside them", async () => {
    const s = await stats();
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(s)).toEqual([
      "cache",
      "circuit",
      "media",
      "numbers",
      "realtime",
      "requests",
      "session",
      "since",
      "upstream",
    ]);
    expect(keys(s.requests)).toEqual(["byRoute", "total"]);
    expect(keys(s.cache)).toEqual([
      "byResource",
      "coalesced",
      "hitRate",
      "hits",
      "misses",
      "stale",
    ]);
    expect(keys(s.upstream)).toEqual(
      ["byEndpoint", "callsPerMinute", "errorRate", "errors", "timeouts", "calls"].sort(),
    );
    expect(keys(s.media)).toEqual(
      [
        "served",
        "bytesServed",
        "cachedItems",
        "cachedBytes",
        "evictions",
        "busyRejections",
        "cooldownRejections",
        "inFlight",
        "activeDownloads",
        "maxConcurrency",
        "archive",
      ].sort(),
    );
    expect(keys(s.media.archive)).toEqual(["bytesWritten", "deletes", "hits", "writes"]);
    expect(keys(s.circuit)).toEqual(["failures", "openedAt", "state"]);
    expect(s.realtime).toEqual({ connections: expect.any(Number) });
    expect(s.media.maxConcurrency).toBe(3);
    expect(s.session).toEqual({
      silent: false,
      silentSince: null,
      reason: null,
      lastWebhookAt: null,
      silentSpells: expect.any(Number),
      autoRestarts: expect.any(Number),
      autoRestart: { on: false, lastHour: 0, max: 3 },
    });
  });

  it("counts what happened: one miss, coalesced and hit answers, two upstream calls, requests by route", async () => {
    const before = await stats();
    await Promise.all(Array.from({ length: 5 }, () => call("/api/waha/status", { as: newUser() })));
    for (let i = 0; i < 4; i++) await call("/api/waha/status", { as: newUser() });
    await call("/api/wa/chats", { as: newUser("admin") });
    const after = await stats();

    const status = after.cache.byResource.status;
    expect(status?.misses).toBe(1);
    expect((status?.hits ?? 0) + (status?.coalesced ?? 0)).toBe(8);
    expect(status?.stale).toBe(0);
    expect(after.cache.byResource.chats).toEqual({
      hits: 0,
      misses: 1,
      coalesced: 0,
      stale: 0,
      bypass: 0,
    });
    expect(after.cache.misses - before.cache.misses).toBe(2);
    expect(after.cache.hitRate).toBeCloseTo(8 / 10, 4);

    expect(after.upstream.calls - before.upstream.calls).toBe(3);
    expect(after.upstream.byEndpoint).toEqual({
      session: { calls: 1, errors: 0, timeouts: 0 },
      "server-version": { calls: 1, errors: 0, timeouts: 0 },
      chats: { calls: 1, errors: 0, timeouts: 0 },
    });
    expect(after.upstream.callsPerMinute).toBe(3);
    expect(after.upstream.errorRate).toBe(0);
    const { calls } = await sim.stats();
    expect((calls.session ?? 0) + (calls["server-version"] ?? 0) + (calls.chats ?? 0)).toBe(
      after.upstream.calls,
    );

    expect(after.requests.byRoute["GET /api/waha/status"]).toBe(9);
    expect(after.requests.byRoute["GET /api/wa/chats"]).toBe(1);
    // The first stats request itself is counted too.
    expect(after.requests.total - before.requests.total).toBe(11);
  });

  it("counts errors and timeouts, and calls per minute over a sliding window", async () => {
    await sim.control("faults", { endpoint: "session", status: 500, times: 2 });
    await call("/api/waha/session", { as: newUser() });
    const s = await stats();
    expect(s.upstream).toMatchObject({
      calls: 3,
      errors: 2,
      errorRate: 0.6667,
      timeouts: 0,
      callsPerMinute: 3,
    });
    expect(s.circuit).toEqual({ state: "closed", failures: 0, openedAt: null });

    advance(61_000);
    const later = await stats();
    expect(later.upstream).toMatchObject({ calls: 3, callsPerMinute: 0 });
  });

  it("says so in /metrics, with the same numbers as the stats", async () => {
    await call("/api/waha/status", { as: newUser() });
    await call("/api/waha/status", { as: newUser() });
    const s = await stats();
    const m = await prometheus();
    expect(m.get('wa_edge_cache_answers_total{resource="status",result="miss"}')).toBe(1);
    expect(m.get('wa_edge_cache_answers_total{resource="status",result="hit"}')).toBe(1);
    expect(m.get("wa_edge_upstream_calls_total")).toBe(s.upstream.calls);
    expect(m.get('wa_edge_upstream_endpoint_calls_total{endpoint="session"}')).toBe(1);
    expect(m.get("wa_edge_upstream_calls_last_minute")).toBe(2);
    expect(m.get("wa_edge_cache_hit_ratio")).toBe(s.cache.hitRate);
    expect(m.get('wa_edge_circuit_state{state="closed"}')).toBe(1);
    expect(m.get('wa_edge_circuit_state{state="open"}')).toBe(0);
    expect(m.get('wa_edge_route_requests_total{route="GET /api/waha/status"}')).toBe(2);
    expect(m.get("wa_edge_media_max_concurrency")).toBe(3);
  });

  it("is for admins and users only: agents get 403, no token 401", async () => {
    expect((await call("/api/waha/monitoring/stats", { as: newUser("agent") })).status).toBe(403);
    expect((await call("/metrics", { as: newUser("agent") })).status).toBe(403);
    const anonymous = await call("/metrics");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: "unauthorized" });
  });
});
