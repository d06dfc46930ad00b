import { describe, expect, it } from "vitest";
import { call, sim, startOfRateWindow } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

describe("status cache", () => {
  it("answers 100 concurrent cold requests with one session call and one server call, none more within the TTL, one more after it", async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => call("/api/waha/status", { as: newUser() })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));
    const statuses = answers.map((r) => r.headers.get("X-Cache-Status"));
    expect(statuses.filter((s) => s === "MISS")).toHaveLength(1);
    expect(statuses.every((s) => s === "MISS" || s === "COALESCED" || s === "HIT")).toBe(true);
    expect(answers.every((r) => r.headers.get("Age") === "0")).toBe(true);
    expect(await simCalls("session", "server-version")).toEqual({
      session: 1,
      "server-version": 1,
    });

    advance(9_000);
    const warm = await Promise.all(
      Array.from({ length: 20 }, () => call("/api/waha/status", { as: newUser() })),
    );
    expect(warm.map((r) => r.headers.get("X-Cache-Status"))).toEqual(Array(20).fill("HIT"));
    expect(warm[0]?.headers.get("Age")).toBe("9");
    expect(await simCalls("session", "server-version")).toEqual({
      session: 1,
      "server-version": 1,
    });

    advance(1_000);
    const expired = await call("/api/waha/status", { as: newUser() });
    expect(expired.headers.get("X-Cache-Status")).toBe("MISS");
    expect(await simCalls("session", "server-version")).toEqual({
      session: 2,
      "server-version": 2,
    });
  });
});

describe("what the status routes answer", () => {
  it("says the session, its status and WAHA's version, without WAHA's webhook config, and whether it is SILENT", async () => {
    const res = await call("/api/waha/status", { as: newUser() });
    const body = await res.json();
    expect(body).toEqual({
      status: "WORKING",
      session: {
        name: "default",
        status: "WORKING",
        me: { id: expect.any(String), pushName: expect.any(String) },
      },
      server: { version: expect.any(String), engine: "WEBJS", tier: "CORE" },
      silent: false,
    });
    const session = await call("/api/waha/session", { as: newUser() });
    expect(await session.json()).toEqual({
      name: "default",
      status: "WORKING",
      me: { id: expect.any(String), pushName: expect.any(String) },
      silent: false,
    });
  });

  it("shows a session that stopped working once its TTL has passed", async () => {
    await call("/api/waha/session", { as: newUser() });
    await sim.control("session", { status: "SCAN_QR_CODE" });
    const cached = await call("/api/waha/session", { as: newUser() });
    expect(await cached.json()).toMatchObject({ status: "WORKING" });
    advance(10_000);
    const fresh = await call("/api/waha/session", { as: newUser() });
    expect(fresh.headers.get("X-Cache-Status")).toBe("MISS");
    expect(await fresh.json()).toMatchObject({ status: "SCAN_QR_CODE", me: null });
  });

  it("caches session and health each for its own duration", async () => {
    await call("/api/waha/session", { as: newUser() });
    await call("/api/waha/health", { as: newUser() });
    advance(10_000);
    const session = await call("/api/waha/session", { as: newUser() });
    const health = await call("/api/waha/health", { as: newUser() });
    expect(session.headers.get("X-Cache-Status")).toBe("MISS");
    expect(health.headers.get("X-Cache-Status")).toBe("HIT");
    expect(health.headers.get("Age")).toBe("10");
    advance(20_000);
    const later = await call("/api/waha/health", { as: newUser() });
    expect(later.headers.get("X-Cache-Status")).toBe("MISS");
  });

  it("answers WAHA Core's health from /ping, says so, and does not ask /health every time", async () => {
    const res = await call("/api/waha/health", { as: newUser() });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      source: "ping",
      details: { message: "pong" },
      note: "WAHA Core has no /health; this answer comes from /ping",
    });
    expect(await simCalls("health", "ping")).toEqual({ health: 1, ping: 1 });
    advance(30_000);
    await call("/api/waha/health", { as: newUser() });
    expect(await simCalls("health", "ping")).toEqual({ health: 1, ping: 2 });
  });

  it("answers WAHA Plus's health from /health", async () => {
    await sim.control("reset", { tier: "PLUS" });
    const res = await call("/api/waha/health", { as: newUser() });
    expect(await res.json()).toMatchObject({
      ok: true,
      source: "health",
      details: { status: "ok" },
    });
    expect(await simCalls("health", "ping")).toEqual({ health: 1, ping: 0 });
  });
});

describe("while WAHA fails", () => {
  it("serves the last answer as STALE until it is five TTLs old, then a clear error", async () => {
    const first = await call("/api/waha/session", { as: newUser() });
    expect(first.headers.get("X-Cache-Status")).toBe("MISS");
    await sim.control("faults", { endpoint: "session", status: 500 });

    advance(11_000);
    const stale = await call("/api/waha/session", { as: newUser() });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("X-Cache-Status")).toBe("STALE");
    expect(stale.headers.get("Age")).toBe("11");
    expect(await stale.json()).toMatchObject({ status: "WORKING" });

    advance(39_000);
    const oldest = await call("/api/waha/session", { as: newUser() });
    expect(oldest.headers.get("X-Cache-Status")).toBe("STALE");
    expect(oldest.headers.get("Age")).toBe("50");

    advance(1_000);
    const tooOld = await call("/api/waha/session", { as: newUser() });
    expect(tooOld.status).toBe(503);
    expect(tooOld.headers.get("X-Cache-Status")).toBeNull();
    expect(await tooOld.json()).toMatchObject({ error: "upstream-unavailable" });
  });
});

describe("rate limiting", () => {
  it("answers a user's 31st status request within 10 s with 429 and Retry-After, and other users normally", async () => {
    await startOfRateWindow(10);
    const greedy = newUser();
    const routes = ["/api/waha/status", "/api/waha/session", "/api/waha/health"];
    const answers: number[] = [];
    for (let i = 0; i < 30; i++)
      answers.push((await call(routes[i % 3] ?? "", { as: greedy })).status);
    expect(answers).toEqual(Array(30).fill(200));

    const limited = await call("/api/waha/status", { as: greedy });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("10");
    expect(await limited.json()).toMatchObject({ error: "rate-limited" });

    expect((await call("/api/waha/status", { as: newUser() })).status).toBe(200);
  });

  it("does not rate limit the chat list", async () => {
    const user = newUser("admin");
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => call("/api/wa/chats", { as: user })),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
  });
});
