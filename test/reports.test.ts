import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import type { AgentsReport } from "../src/lib/contracts/api.ts";
import { deliver, wahaMessage } from "./events.ts";
import { call, json } from "./helpers.ts";
import { ADMIN, ANA } from "./team-fixtures.ts";
import { advance, freshGatewayEachTest } from "./waha-fixtures.ts";

freshGatewayEachTest();

const BEN = "15558880002@c.us";
const CARLA = "15558880003@c.us";
const S = 1_000;

async function addAgents(...ids: string[]) {
  for (const id of ids) {
    const res = await call("/api/agents", { ...json({ id, name: `Agent ${id}` }), as: ADMIN });
    expect(res.status).toBe(201);
  }
}

/**
 * A customer writes to `jid` now; we answer `afterS` seconds later (WhatsApp's own times).
 * Answers the customer's time (ms).
 */
async function conversation(jid: string, afterS: number): Promise<number> {
  const at = Math.floor(Date.now() / 1000);
  expect((await deliver("message", wahaMessage(jid, { timestamp: at }))).status).toBe(200);
  advance(afterS * S);
  const reply = wahaMessage(jid, { fromMe: true, timestamp: at + afterS });
  expect((await deliver("message", reply)).status).toBe(200);
  return at * S;
}

function report(query: string, headers: Record<string, string> = {}) {
  return call(`/api/reports/agents${query}`, { as: ADMIN, headers });
}

describe("agents' report", () => {
  it("gives each agent its conversations, first response (median, p90), resolution time and messages sent, as JSON and CSV", async () => {
    await addAgents("a-1", "a-2");
    const from = new Date(Date.now() - 3_600 * S).toISOString();
    // Auto-assign takes turns: Ana → a-1, Ben → a-2, Carla → a-1.
    const anaAt = await conversation(ANA, 60);
    await conversation(BEN, 120);
    await conversation(CARLA, 30);
    const sent = await call("/api/wa/send-text", {
      ...json({ jid: ANA, text: "Your order is on its way" }),
      as: { role: "agent", sub: "a-1" },
    });
    expect(sent.status).toBe(200);
    advance(600 * S);
    const resolvedAt = Date.now();
    const resolved = await call(`/api/wa/chats/${ANA}`, {
      ...json({ status: "resolved" }),
      method: "PATCH",
      as: { role: "agent", sub: "a-1" },
    });
    expect(resolved.status).toBe(200);
    const to = new Date(Date.now() + 3_600 * S).toISOString();

    const res = await report(`?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const body = await res.json<AgentsReport>();
    expect(body).toMatchObject({ from, to, number: "default" });
    expect(body.agents).toEqual([
      {
        agentId: "a-1",
        name: "Agent a-1",
        conversations: 2,
        firstResponseMedianMs: 45 * S,
        firstResponseP90Ms: 60 * S,
        // From the customer's first message (whole seconds, as WhatsApp dates it) to now.
        resolutionMedianMs: resolvedAt - anaAt,
        messagesSent: 1,
      },
      {
        agentId: "a-2",
        name: "Agent a-2",
        conversations: 1,
        firstResponseMedianMs: 120 * S,
        firstResponseP90Ms: 120 * S,
        resolutionMedianMs: null,
        messagesSent: 0,
      },
    ]);

    const csv = await report(`?from=${from}&to=${to}&number=default`, { Accept: "text/csv" });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("Content-Disposition")).toMatch(/^attachment; filename="agents-/);
    expect((await csv.text()).split("\r\n")).toEqual([
      "agent_id,name,conversations,first_response_median_ms,first_response_p90_ms,resolution_median_ms,messages_sent",
      `a-1,Agent a-1,2,45000,60000,${resolvedAt - anaAt},1`,
      "a-2,Agent a-2,1,120000,120000,,0",
      "",
    ]);

    // Before the stretch: nothing measured, every agent still listed.
    const earlier = await report(`?from=2020-01-01&to=2020-01-31`);
    expect((await earlier.json<AgentsReport>()).agents.map((a) => a.conversations)).toEqual([0, 0]);
  });

  it("still counts messages sent after the outbox has forgotten them", async () => {
    await addAgents("a-1");
    await conversation(ANA, 10);
    const from = new Date(Date.now() - 60 * S).toISOString();
    for (const text of ["one", "two"]) {
      const res = await call("/api/wa/send-text", {
        ...json({ jid: ANA, text }),
        as: { role: "agent", sub: "a-1" },
      });
      expect(res.status).toBe(200);
    }
    const to = new Date(Date.now() + 60 * S).toISOString();
    advance(2 * 86_400 * S);
    await worker.scheduled(createScheduledController({ cron: "23 3 * * *" }), env);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM outbox").first<{ n: number }>();
    expect(left?.n).toBe(0);
    const body = await (await report(`?from=${from}&to=${to}`)).json<AgentsReport>();
    expect(body.agents.find((a) => a.agentId === "a-1")?.messagesSent).toBe(2);
  });

  it("answers bad dates, a stretch that ends before it starts and another number with 400 naming the field; agents get 403", async () => {
    const cases: Array<[string, RegExp]> = [
      ["?to=2026-01-31", /^from: /],
      ["?from=2026-01-01", /^to: /],
      ["?from=yesterday&to=2026-01-31", /^from: must be an ISO date/],
      ["?from=2026-01-01&to=2026-13-45", /^to: must be an ISO date/],
      ["?from=2026-02-01T00:00:00Z&to=2026-01-31", /^to: must be after from/],
      ["?from=2020-01-01&to=2026-01-31", /^to: at most 367 days/],
      ["?from=2026-01-01&to=2026-01-31&number=sales", /^number: no number "sales"/],
    ];
    for (const [query, message] of cases) {
      const res = await report(query);
      expect(res.status).toBe(400);
      const answer = await res.json<{ error: string; message: string }>();
      expect(answer.error).toBe("invalid-request");
      expect(answer.message).toMatch(message);
    }
    // A day named alone as `to` is the whole of that day.
    const oneDay = await report("?from=2026-01-01&to=2026-01-01");
    expect(await oneDay.json()).toMatchObject({
      from: "2026-01-01T00:00:00.000Z",
      to: "2026-01-02T00:00:00.000Z",
    });
    const agent = await call("/api/reports/agents?from=2026-01-01&to=2026-01-31", {
      as: { role: "agent", sub: "a-1" },
    });
    expect(agent.status).toBe(403);
  });
});
