/**
 * Two WhatsApp numbers on two WAHA servers (WAHA_NUMBERS: `sales` and `support`, each on a
 * simulator of its own, with session names that are not their ids): each is its own inbox.
 * An agent of one never sees the other's chats, messages, media, search hits, outbox,
 * assignments or frames; an agent of both sees both; auto-assign rotates per number; one
 * WAHA server down leaves the other number alone.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/lib/types.ts";
import { type Client, connect, deliver, recording, resume, wahaMessage } from "./events.ts";
import { call, json } from "./helpers.ts";
import { type TestNumber, TWO_NUMBER_FILES } from "./two-numbers.ts";

const [SALES, SUPPORT] = TWO_NUMBER_FILES["test/numbers.test.ts"] ?? [];
if (!SALES || !SUPPORT) throw new Error("test/numbers.test.ts has no numbers");
const [SALES_URL, SUPPORT_URL] = (
  JSON.parse(env.WAHA_NUMBERS ?? "[]") as Array<{ url: string }>
).map((n) => n.url);

/** A demo chat both simulators have: the same customer writing to both numbers. */
const SHARED = "15550100001@c.us";
const admin = { role: "admin" as const, sub: "admin-numbers" };
const as = (sub: string) => ({ role: "agent" as Role, sub });

async function simControl(url: string | undefined, path: string, body?: unknown, method?: string) {
  const res = await fetch(`${url}/__sim/${path}`, {
    method: method ?? (body ? "POST" : "GET"),
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : null,
  });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
  return res.json<Record<string, unknown>>();
}

/** An inbound message on a number, as its WAHA posts it to its own webhook. */
async function inbound(number: TestNumber, jid: string, body: string): Promise<string> {
  const message = wahaMessage(jid, { body });
  const res = await deliver("message", message, {
    number: { id: number.id, hmacKey: number.webhookHmacKey },
    session: number.session,
    wait: true,
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: "accepted" });
  return message.id;
}

async function agent(id: string, numbers: string[] | null): Promise<void> {
  expect((await call("/api/agents", { ...json({ id, name: id }), as: admin })).status).toBe(201);
  const res = await call(`/api/agents/${id}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ numbers }),
    as: admin,
  });
  expect(res.status).toBe(200);
}

async function owner(number: string, jid: string): Promise<string | null> {
  const res = await call(`/api/wa/assignments/${jid}?number=${number}`, { as: admin });
  return (await res.json<{ assignedTo: string | null }>()).assignedTo;
}

// Round-robin goes in id order: sales' agents are a-sales, b-sales and z-both; support's
// c-support and z-both.
beforeAll(async () => {
  await agent("a-sales", ["sales"]);
  await agent("b-sales", ["sales"]);
  await agent("c-support", ["support"]);
  await agent("z-both", null);
});

/** The numbers named by a socket's frames up to the message `id`. */
async function numbersUntil(client: Client, id: string): Promise<Set<unknown>> {
  const numbers = new Set<unknown>();
  for (;;) {
    const frame = await client.next();
    numbers.add(frame.number);
    if (frame.type === "message.new" && (frame.message as { id: string }).id === id) return numbers;
  }
}

describe("auto-assign", () => {
  it("rotates each number's new chats over that number's agents alone", async () => {
    const sales = ["15557100001@c.us", "15557100002@c.us", "15557100003@c.us", "15557100004@c.us"];
    const support = ["15557200001@c.us", "15557200002@c.us", "15557200003@c.us"];
    for (const jid of sales) await inbound(SALES, jid, "hi sales");
    for (const jid of support) await inbound(SUPPORT, jid, "hi support");
    const salesOwners = await Promise.all(sales.map((jid) => owner("sales", jid)));
    const supportOwners = await Promise.all(support.map((jid) => owner("support", jid)));
    expect(salesOwners).toEqual(["a-sales", "b-sales", "z-both", "a-sales"]);
    expect(supportOwners).toEqual(["c-support", "z-both", "c-support"]);
  });
});

describe("an agent of one number", () => {
  let salesMessage = "";
  let supportMessage = "";
  beforeAll(async () => {
    // The same customer writes to both numbers; each chat is given to that number's agent.
    salesMessage = await inbound(SALES, SHARED, "invoice zebra for sales");
    supportMessage = await inbound(SUPPORT, SHARED, "ticket walrus for support");
    for (const [number, agentId] of [
      ["sales", "a-sales"],
      ["support", "c-support"],
    ] as const) {
      const res = await call(`/api/wa/assignments/${SHARED}?number=${number}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ agentId }),
        as: admin,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ jid: SHARED, number, assignedTo: agentId });
    }
  });

  it("is shown only its own number", async () => {
    const res = await call("/api/numbers", { as: as("a-sales") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { id: "sales", name: "Sales", status: "WORKING", server: expect.any(String) },
    ]);
    const all = await (await call("/api/numbers", { as: admin })).json<Array<{ id: string }>>();
    expect(all.map((n) => n.id)).toEqual(["sales", "support"]);
  });

  it("lists only its number's chats, and is refused the other number on every route", async () => {
    const chats = await call("/api/wa/chats", { as: as("a-sales") });
    expect(chats.status).toBe(200);
    const listed = await chats.json<Array<{ id: string; number: string; owner: string }>>();
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed.map((c) => c.number))).toEqual(new Set(["sales"]));
    expect(listed.filter((c) => c.owner !== "a-sales")).toEqual([]);

    const support = "number=support";
    const body = (extra: object) => ({
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ number: "support", jid: SHARED, ...extra }),
      as: as("a-sales"),
    });
    const form = new FormData();
    form.set("number", "support");
    form.set("jid", SHARED);
    form.set("file", new File([new Uint8Array([1, 2, 3])], "a.png", { type: "image/png" }));
    const refused = [
      await call(`/api/wa/chats?${support}`, { as: as("a-sales") }),
      await call(`/api/wa/messages?${support}&jid=${SHARED}`, { as: as("a-sales") }),
      await call(`/api/wa/media?${support}&jid=${SHARED}&id=${supportMessage}`, {
        as: as("a-sales"),
      }),
      await call(`/api/wa/search?${support}&q=walrus`, { as: as("a-sales") }),
      await call(`/api/wa/outbox?${support}`, { as: as("a-sales") }),
      await call(`/api/wa/assignments?${support}`, { as: as("a-sales") }),
      await call(`/api/wa/assignments/${SHARED}?${support}`, { as: as("a-sales") }),
      await call(`/api/waha/status?${support}`, { as: as("a-sales") }),
      await call("/api/wa/send-text", body({ text: "hello" })),
      await call("/api/wa/react", body({ id: supportMessage, reaction: "👍" })),
      await call("/api/wa/mark-read", body({})),
      await call("/api/wa/send-media", { method: "POST", body: form, as: as("a-sales") }),
      await call(`/api/realtime/ticket?${support}`, { method: "POST", as: as("a-sales") }),
    ];
    expect(refused.map((r) => r.status)).toEqual(Array(refused.length).fill(403));
    for (const res of refused) expect(await res.json()).toMatchObject({ error: "forbidden" });
  });

  it("reads its own number's copy of a chat both numbers have, never the other's", async () => {
    const res = await call(`/api/wa/messages?number=sales&jid=${SHARED}`, { as: as("a-sales") });
    expect(res.status).toBe(200);
    const messages = await res.json<Array<{ id: string; body: string | null }>>();
    expect(messages.map((m) => m.id)).toContain(salesMessage);
    expect(messages.map((m) => m.id)).not.toContain(supportMessage);
    expect(messages.map((m) => m.body)).not.toContain("ticket walrus for support");

    const hits = await call("/api/wa/search?number=sales&q=walrus", { as: as("a-sales") });
    expect(await hits.json()).toEqual([]);
    const own = await call("/api/wa/search?number=sales&q=zebra", { as: as("a-sales") });
    expect(await own.json()).toEqual([
      expect.objectContaining({ id: salesMessage, number: "sales" }),
    ]);
  });

  it("hears its number's frames and none of the other's, live and on replay", async () => {
    const socket = await connect("agent", "a-sales", 600, undefined, "sales");
    await inbound(SUPPORT, SHARED, "support only");
    const id = await inbound(SALES, SHARED, "sales only");
    // The first frame it gets is the sales message: the support one never came.
    expect(await socket.next()).toMatchObject({
      type: "message.new",
      number: "sales",
      jid: SHARED,
      message: { id },
    });

    const back = await connect("agent", "a-sales", 600, 0, "sales");
    expect(await numbersUntil(back, id)).toEqual(new Set(["sales"]));
  });

  it("reconnects without a ticket to its own number's hub only: the other number is 403", async () => {
    const id = await inbound(SALES, SHARED, "sales while away");
    const back = await recording(await resume("agent", "a-sales", { since: 0, number: "sales" }));
    expect(await numbersUntil(back, id)).toEqual(new Set(["sales"]));
    const other = await resume("agent", "a-sales", { since: 0, number: "support" });
    expect(other.status).toBe(403);
    expect(other.webSocket).toBeNull();
    // With two numbers, the upgrade must name one.
    const unnamed = await resume("agent", "a-sales", { since: 0 });
    expect(unnamed.status).toBe(400);
  });

  it("is refused a chat of its own number that is another agent's", async () => {
    const jid = "15557100002@c.us"; // b-sales's, by the rotation above
    const res = await call(`/api/wa/messages?number=sales&jid=${jid}`, { as: as("a-sales") });
    expect(res.status).toBe(403);
  });
});

describe("an agent of both numbers", () => {
  it("sees both numbers, and each number's chats tagged with it", async () => {
    const numbers = await (await call("/api/numbers", { as: as("z-both") })).json<
      Array<{ id: string }>
    >();
    expect(numbers.map((n) => n.id)).toEqual(["sales", "support"]);
    const chats = await (await call("/api/wa/chats", { as: as("z-both") })).json<
      Array<{ id: string; number: string }>
    >();
    expect(chats).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "15557100003@c.us", number: "sales" }),
        expect.objectContaining({ id: "15557200002@c.us", number: "support" }),
      ]),
    );
    for (const number of ["sales", "support"]) {
      const res = await call(`/api/realtime/ticket`, { ...json({ number }), as: as("z-both") });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        number,
        ticket: expect.stringMatching(`^${number}\\.`),
      });
    }
  });
});

describe("a socket on a number's hub", () => {
  it("is told to reload with its number named when it asks for more than the hub kept", async () => {
    const socket = await connect("agent", "z-both", 600, 1_000_000_000, "support");
    expect(await socket.next()).toMatchObject({ type: "resync", number: "support" });
  });
});

describe("choosing a number", () => {
  it("is required with two numbers, and must be one of them", async () => {
    const none = await call(`/api/wa/messages?jid=${SHARED}`, { as: admin });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({
      error: "invalid-request",
      message: expect.stringMatching(/^number: /),
    });
    const unknown = await call(`/api/wa/outbox?number=nope`, { as: admin });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ message: expect.stringMatching(/^number: /) });
  });
});

describe("webhooks", () => {
  it("come on each number's own path, signed with its key, for its own session", async () => {
    const message = wahaMessage("15557300001@c.us");
    // No number `default` here: its path has nobody.
    const bare = await call("/api/waha/webhook", { method: "POST", body: "{}" });
    expect(bare.status).toBe(404);
    expect(await bare.json()).toMatchObject({ error: "number-not-found" });
    // Support's key on the sales path is no signature of sales'.
    const wrongKey = await deliver("message", message, {
      number: { id: "sales", hmacKey: SUPPORT.webhookHmacKey },
      session: SALES.session,
    });
    expect(wrongKey.status).toBe(401);
    // Support's session posted to the sales path is not sales' event.
    const wrongSession = await deliver("message", message, {
      number: { id: "sales", hmacKey: SALES.webhookHmacKey },
      session: SUPPORT.session,
    });
    expect(await wrongSession.json()).toMatchObject({ status: "ignored" });
  });
});

describe("agents' numbers", () => {
  it("are set with PATCH, null for every number, and an id the gateway does not serve is refused naming numbers", async () => {
    await call("/api/agents", { ...json({ id: "d-new", name: "New" }), as: admin });
    const patch = (body: unknown) =>
      call("/api/agents/d-new", {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        as: admin,
      });
    for (const numbers of [["nope"], "sales", [1], ["sales", "other"]]) {
      const res = await patch({ numbers });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: "invalid-request",
        message: expect.stringMatching(/^numbers/),
      });
    }
    expect(await (await patch({ numbers: ["support", "support"] })).json()).toMatchObject({
      numbers: ["support"],
    });
    expect(await (await patch({ numbers: null })).json()).toMatchObject({ numbers: null });
    const listed = await (await call("/api/agents", { as: admin })).json<
      Array<{ id: string; numbers: unknown }>
    >();
    expect(listed.find((a) => a.id === "a-sales")?.numbers).toEqual(["sales"]);
    expect(listed.find((a) => a.id === "d-new")?.numbers).toBeNull();
    const agentPatch = await call("/api/agents/d-new", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ numbers: ["sales"] }),
      as: as("a-sales"),
    });
    expect(agentPatch.status).toBe(403);
  });
});

describe("an agent taken off a number", () => {
  it("loses its socket on that number at once (4003) and keeps the other, which still hears its number", async () => {
    await agent("e-moved", null);
    const onSales = await connect("agent", "e-moved", 600, undefined, "sales");
    const onSupport = await connect("agent", "e-moved", 600, undefined, "support");
    const res = await call("/api/agents/e-moved", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ numbers: ["sales"] }),
      as: admin,
    });
    expect(res.status).toBe(200);
    const stillOpen = new Promise((resolve) => setTimeout(() => resolve("still open"), 5_000));
    expect(await Promise.race([onSupport.closed, stillOpen])).toBe(4003);
    // Staff frames (session changes) reach every socket: the sales one is still open.
    await deliver(
      "session.status",
      { name: SALES?.session, status: "WORKING" },
      { number: { id: "sales", hmacKey: SALES?.webhookHmacKey ?? "" }, session: SALES?.session },
    );
    expect(await onSales.next()).toMatchObject({ type: "session.status", number: "sales" });
    const back = await resume("agent", "e-moved", { since: 0, number: "support" });
    expect(back.status).toBe(403);
  });
});

describe("one WAHA server down", () => {
  it("leaves the other number's reads, sends and status alone, and opens only its own server's breaker", async () => {
    await simControl(SUPPORT_URL, "faults", { path: "/", status: 503 });
    try {
      // Support's chats never filled from WAHA fail until its breaker opens.
      for (let i = 0; i < 6; i++) {
        const res = await call(`/api/wa/messages?number=support&jid=1555720009${i}@c.us`, {
          as: admin,
        });
        expect(res.status).toBeGreaterThanOrEqual(500);
      }
      const stats = await (await call("/api/waha/monitoring/stats", { as: admin })).json<{
        numbers: Record<
          string,
          { circuit: { state: string }; status: string; upstream: { errors: number } }
        >;
        circuit: { state: string };
      }>();
      expect(stats.numbers.support?.circuit.state).toBe("open");
      expect(stats.numbers.sales?.circuit.state).toBe("closed");
      expect(stats.numbers.sales?.upstream.errors).toBe(0);
      expect(stats.circuit.state).toBe("open");
      const metrics = await (await call("/metrics", { as: admin })).text();
      expect(metrics).toContain('wa_edge_number_circuit_open{number="support"} 1');
      expect(metrics).toContain('wa_edge_number_circuit_open{number="sales"} 0');
      expect(metrics).toContain('wa_edge_number_upstream_errors_total{number="sales"} 0');

      // Sales: a chat never filled reads from its WAHA, a send goes out now, status WORKING.
      const read = await call(`/api/wa/messages?number=sales&jid=15550100002@c.us`, { as: admin });
      expect(read.status).toBe(200);
      expect((await read.json<unknown[]>()).length).toBeGreaterThan(0);
      const sent = await call("/api/wa/send-text", {
        ...json({ number: "sales", jid: SHARED, text: "still here" }),
        as: admin,
      });
      expect(sent.status).toBe(200);
      expect(await sent.json()).toMatchObject({ status: "sent" });
      const status = await call("/api/waha/status?number=sales", { as: admin });
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ status: "WORKING" });
      // Support's send waits in its outbox for its WAHA.
      const queued = await call("/api/wa/send-text", {
        ...json({ number: "support", jid: SHARED, text: "later" }),
        as: admin,
      });
      expect(queued.status).toBe(202);
      const salesCalls = await simControl(SALES_URL, "stats");
      expect((salesCalls.calls as Record<string, number>).sendText).toBe(1);
    } finally {
      await simControl(SUPPORT_URL, "faults", undefined, "DELETE");
    }
  });
});
