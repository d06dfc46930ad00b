import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { wahaGate } from "../src/lib/waha/client.ts";
import { call, sim, theNumber } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

const apiLoad = async () => {
  const { active, pending } = (await wahaGate(env, theNumber()).snapshot()).api;
  return { active, pending };
};

async function stats() {
  const res = await call("/api/waha/monitoring/stats", { as: newUser("admin") });
  return res.json<{
    upstream: { calls: number; errors: number; timeouts: number };
    circuit: { state: string; failures: number; openedAt: string | null };
  }>();
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("timeouts and retries", () => {
  it("retries a GET that met a 5xx and answers once WAHA recovers", async () => {
    await sim.control("faults", { endpoint: "chats", status: 503, times: 2 });
    const res = await call("/api/wa/chats", { as: newUser("admin") });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Cache-Status")).toBe("STORE");
    expect(await res.json()).toHaveLength(22);
    expect(await simCalls("chats")).toEqual({ chats: 3 });
  });

  it("does not retry a 4xx", async () => {
    await sim.control("faults", { endpoint: "session", status: 422 });
    const res = await call("/api/waha/session", { as: newUser() });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "upstream-rejected" });
    expect(await simCalls("session")).toEqual({ session: 1 });
    expect((await stats()).circuit).toMatchObject({ state: "closed", failures: 0 });
  });

  it("never follows a redirect: answers 502 upstream-error, sends nothing to where it points, logs only its origin", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await sim.control("faults", {
      endpoint: "session",
      status: 302,
      // If followed, this is WAHA's own session answer, and the call would look fine.
      location: `${env.WAHA_URL}/api/sessions/default?secret=path`,
      times: 1,
    });
    const res = await call("/api/waha/session", { as: newUser() });
    const lines = log.mock.calls.map((c) => String(c[0]));
    log.mockRestore();
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "upstream-error" });
    expect(await simCalls("session")).toEqual({ session: 1 });
    const refusal = lines.find((l) => l.startsWith("[waha upstream] refused a redirect"));
    expect(refusal).toContain(new URL(env.WAHA_URL).origin);
    expect(refusal).not.toContain("secret=path");
  });
});

describe("concurrency", () => {
  it("lets at most WAHA_MAX_CONCURRENT_REQUESTS calls reach WAHA at once; the rest wait their turn", async () => {
    await sim.control("faults", { endpoint: "messages", latencyMs: 400 });
    const admin = newUser("admin");
    const { calls: before } = await sim.stats();
    const jids = [
      "15550100001@c.us",
      "15550100002@c.us",
      "15550100003@c.us",
      "15550100004@c.us",
      "15550100005@c.us",
    ];
    const loads = jids.map((jid) => call(`/api/wa/messages?jid=${jid}`, { as: admin }));
    await until(async () => {
      const load = await apiLoad();
      return load.active === 2 && load.pending === 3;
    }, "two calls in flight and three waiting");
    const { calls: during } = await sim.stats();
    expect((during.messages ?? 0) - (before.messages ?? 0)).toBe(2);

    const answers = await Promise.all(loads);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // Each short chat is asked twice on WEBJS (to learn it starts there): all in turn.
    expect(await simCalls("messages")).toEqual({ messages: 10 });
    expect(await apiLoad()).toEqual({ active: 0, pending: 0 });
  });
});

describe("circuit breaker", () => {
  it("opens after five consecutive failures, then answers 503 with Retry-After and sends WAHA nothing until the cool-off", async () => {
    await sim.control("faults", { endpoint: "session", status: 500 });
    const first = await call("/api/waha/session", { as: newUser() });
    expect(first.status).toBe(502);
    expect(await simCalls("session")).toEqual({ session: 4 });

    const second = await call("/api/waha/session", { as: newUser() });
    expect(second.status).toBe(502);
    expect(await simCalls("session")).toEqual({ session: 5 });
    expect((await stats()).circuit).toEqual({
      state: "open",
      failures: 5,
      openedAt: new Date(Date.now()).toISOString(),
    });

    for (const path of ["/api/waha/session", "/api/waha/status", "/api/wa/chats"]) {
      const refused = await call(path, { as: newUser("admin") });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("Retry-After")).toBe("2");
      expect(await refused.json()).toMatchObject({ error: "upstream-unavailable" });
    }
    advance(1_000);
    const later = await call("/api/waha/session", { as: newUser() });
    expect(later.status).toBe(503);
    expect(later.headers.get("Retry-After")).toBe("1");
    const { calls } = await sim.stats();
    expect([calls.session, calls["server-version"], calls.chats]).toEqual([5, 0, 0]);
  });

  it("sends one probe after the cool-off: a failed probe reopens the circuit, a good one closes it", async () => {
    await sim.control("faults", { endpoint: "session", status: 500 });
    await call("/api/waha/session", { as: newUser() });
    await call("/api/waha/session", { as: newUser() });
    expect((await stats()).circuit.state).toBe("open");

    advance(30_000);
    const failedProbe = await call("/api/waha/session", { as: newUser() });
    expect(failedProbe.status).toBe(502);
    expect(await simCalls("session")).toEqual({ session: 6 });
    expect((await call("/api/waha/session", { as: newUser() })).status).toBe(503);
    expect((await stats()).circuit.state).toBe("open");

    await sim.control("faults", undefined, "DELETE");
    advance(30_000);
    const probe = await call("/api/waha/session", { as: newUser() });
    expect(probe.status).toBe(200);
    expect(probe.headers.get("X-Cache-Status")).toBe("MISS");
    expect(await simCalls("session")).toEqual({ session: 7 });
    expect((await stats()).circuit).toEqual({ state: "closed", failures: 0, openedAt: null });
    expect((await call("/api/wa/chats", { as: newUser("admin") })).status).toBe(200);
  });

  it("answers the first status poll after the cool-off 200, though a status load makes two calls", async () => {
    await sim.control("faults", { endpoint: "session", status: 500 });
    await call("/api/waha/session", { as: newUser() });
    await call("/api/waha/session", { as: newUser() });
    expect((await stats()).circuit.state).toBe("open");
    await sim.control("faults", undefined, "DELETE");
    advance(30_000);
    const res = await call("/api/waha/status", { as: newUser() });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Cache-Status")).toBe("MISS");
    expect((await stats()).circuit.state).toBe("closed");
  });

  it("keeps serving STALE answers while the circuit is open", async () => {
    await call("/api/waha/status", { as: newUser() });
    await sim.control("faults", { endpoint: "session", status: 500 });
    await sim.control("faults", { endpoint: "server-version", status: 500 });
    advance(10_000);
    for (let i = 0; i < 3; i++) {
      const res = await call("/api/waha/status", { as: newUser() });
      expect(res.headers.get("X-Cache-Status")).toBe("STALE");
    }
    expect((await stats()).circuit.state).toBe("open");
    const calls = await simCalls("session", "server-version");
    const more = await call("/api/waha/status", { as: newUser() });
    expect(more.headers.get("X-Cache-Status")).toBe("STALE");
    expect(await simCalls("session", "server-version")).toEqual(calls);
  });
});
