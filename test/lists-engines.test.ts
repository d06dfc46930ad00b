import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changeChatOwner } from "../src/lib/db.ts";
import type { BrowserMessage, ChatSummary } from "../src/lib/store/browser-shapes.ts";
import { deliverSim, ENGINES, GROUP, onEngine, simChange, simMessage } from "./engines.ts";
import { connect, expectNothingBefore } from "./events.ts";
import { call, json, sim } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

const ANA = "15550100001@c.us";
/** The demo's long chat: 140 messages. */
const MARKET = "15550100009@c.us";
const RECONCILE_MS = 300_000;

async function chats(as = newUser("admin")): Promise<ChatSummary[]> {
  const res = await call("/api/wa/chats", { as });
  expect(res.status).toBe(200);
  expect(res.headers.get("X-Cache-Status")).toBe("STORE");
  return res.json<ChatSummary[]>();
}

async function messages(jid: string, query = ""): Promise<BrowserMessage[]> {
  const res = await call(`/api/wa/messages?jid=${jid}${query}`, { as: newUser("admin") });
  expect(res.status).toBe(200);
  expect(res.headers.get("X-Cache-Status")).toBe("STORE");
  return res.json<BrowserMessage[]>();
}

describe.each(ENGINES)("on %s", (engine) => {
  onEngine(engine);

  it("lists the chats from the store after one WAHA call, each once under its @c.us or @g.us id", async () => {
    const lists = [await chats(), await chats(), await chats(newUser("user"))];
    expect(await simCalls("chats")).toEqual({ chats: 1 });
    for (const list of lists) {
      expect(list).toHaveLength(22);
      expect(list.every((c) => /^\d+@(c|g)\.us$/.test(c.id))).toBe(true);
      expect(new Set(list.map((c) => c.id)).size).toBe(22);
      expect(list.filter((c) => c.isGroup).map((c) => c.id)).toEqual(["120363025246125486@g.us"]);
    }
    const times = (lists[0] ?? []).map((c) => c.lastMessageAt ?? "");
    expect(times).toEqual([...times].sort().reverse());
    advance(RECONCILE_MS - 1);
    await chats();
    expect(await simCalls("chats")).toEqual({ chats: 1 });
    advance(1);
    expect(await chats()).toHaveLength(22);
    expect(await simCalls("chats")).toEqual({ chats: 2 });
  });

  it("keeps one chat for a customer whatever form of id WAHA lists it under, and its agent sees it", async () => {
    const raw = await (await sim.waha("/api/default/chats")).json<Array<{ id: unknown }>>();
    const rawIds = raw.map((c) => (typeof c.id === "string" ? c.id : JSON.stringify(c.id)));
    // NOWEB lists Baileys ids; its webhooks speak @c.us.
    expect(rawIds.some((id) => id.includes("@s.whatsapp.net"))).toBe(engine === "NOWEB");
    const agent = newUser("agent");
    await changeChatOwner(env.DB, "default", ANA, agent.sub);
    expect(await deliverSim(engine, await simMessage({ chatId: ANA, body: "before" }))).toBe(
      "accepted",
    );
    await chats();
    expect(await deliverSim(engine, await simMessage({ chatId: ANA, body: "after" }))).toBe(
      "accepted",
    );
    const all = await chats();
    expect(all.filter((c) => c.id.startsWith("15550100001@"))).toHaveLength(1);
    expect((await chats(agent)).map((c) => [c.id, c.owner, c.preview])).toEqual([
      [ANA, agent.sub, "after"],
    ]);
  });

  it("takes a chat asked for by its @s.whatsapp.net id for the same @c.us chat", async () => {
    const agent = newUser("agent");
    await changeChatOwner(env.DB, "default", ANA, agent.sub);
    const baileys = "15550100001@s.whatsapp.net";
    const res = await call(`/api/wa/messages?jid=${baileys}`, { as: agent });
    expect(res.status).toBe(200);
    const page = await res.json<BrowserMessage[]>();
    expect(page.map((m) => m.id)).toEqual((await messages(ANA)).map((m) => m.id));
    const sent = await call("/api/wa/send-text", {
      ...json({ jid: baileys, text: "Same chat" }),
      as: agent,
    });
    expect(sent.status).toBe(200);
    expect((await chats(agent)).map((c) => [c.id, c.preview])).toEqual([[ANA, "Same chat"]]);
    expect((await chats()).filter((c) => c.id.startsWith("15550100001@"))).toHaveLength(1);
  });

  it("counts unread messages and shows the last one from webhooks, and a reconcile keeps them", async () => {
    const before = (await chats()).find((c) => c.id === ANA)?.unreadCount ?? -1;
    // WEBJS lists unread counts; NOWEB and GOWS list none.
    expect(before).toBe(engine === "WEBJS" ? 2 : 0);
    // WAHA sends each customer message twice, as `message` and as `message.any`.
    const first = await simMessage({ chatId: ANA, body: "Hello?" });
    const last = await simMessage({ chatId: ANA, body: "Anyone there?" });
    for (const sent of [first, last]) {
      expect(await deliverSim(engine, sent)).toBe("accepted");
      expect(await deliverSim(engine, { ...sent, event: "message.any" })).toBe("unchanged");
    }
    const expected = {
      id: ANA,
      unreadCount: before + 2,
      preview: "Anyone there?",
      lastMessageAt: new Date(Number(last.payload.timestamp) * 1000).toISOString(),
    };
    expect((await chats())[0]).toMatchObject(expected);
    advance(RECONCILE_MS);
    expect((await chats())[0]).toMatchObject(expected);
    expect(await simCalls("chats")).toEqual({ chats: 2 });

    expect((await call("/api/wa/mark-read", { ...json({ jid: ANA }), as: newUser() })).status).toBe(
      200,
    );
    expect((await chats())[0]).toMatchObject({ id: ANA, unreadCount: 0 });
  });

  it("heals an open chat from WAHA once WA_STORE_RECONCILE_MS has passed, for messages whose webhook never came", async () => {
    await messages(ANA);
    // WEBJS lists what WhatsApp Web has loaded: a short first page is asked again once.
    const filled = engine === "WEBJS" ? 2 : 1;
    // WAHA has it; the gateway was not told.
    const missed = await sim.control<{ id: string }>("messages", { chatId: ANA, body: "missed" });
    advance(RECONCILE_MS - 1);
    expect((await messages(ANA)).map((m) => m.id)).not.toContain(missed.id);
    expect(await simCalls("messages")).toEqual({ messages: filled });
    advance(1);
    expect((await messages(ANA))[0]).toMatchObject({ id: missed.id, body: "missed" });
    expect(await simCalls("messages")).toEqual({ messages: filled + 1 });
    expect((await chats()).find((c) => c.id === ANA)?.preview).toBe("missed");
  });

  it("pages messages with media links and types on the gateway, though WAHA was asked for no media", async () => {
    const page = await messages(ANA);
    const media = page.filter((m) => m.hasMedia);
    expect(media.length).toBeGreaterThan(0);
    for (const m of media) {
      expect(m.media).toEqual({
        url: `/api/wa/media?number=default&jid=${encodeURIComponent(ANA)}&id=${encodeURIComponent(m.id)}`,
        mimetype: expect.stringMatching(/^(image|audio|video|application)\//),
        filename: expect.toBeOneOf([null, expect.any(String)]),
      });
    }
    const first = media[0];
    const res = await call(first?.media?.url ?? "", { as: newUser("admin") });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")?.split(";")[0]).toBe(
      first?.media?.mimetype?.split(";")[0],
    );
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it("pages back past what is stored with at most one WAHA call per page, none repeated or skipped", async () => {
    // All of the chat loaded in WhatsApp Web (WEBJS): WAHA answers every page whole.
    await sim.control("config", { webjsLoadBatch: 1000 }, "PUT");
    const raw = await (
      await sim.waha(`/api/default/chats/${MARKET}/messages?limit=140&downloadMedia=false`)
    ).json<Array<{ id: string }>>();
    const ids = (from: number, to: number) => raw.slice(from, to).map((m) => m.id);
    const olderThan = async (index: number) =>
      (
        await messages(MARKET, `&limit=50&beforeId=${encodeURIComponent(raw[index]?.id ?? "")}`)
      ).map((m) => m.id);
    const calls = async () => {
      const { messages = 0, message = 0 } = await simCalls("messages", "message");
      return messages + message;
    };
    const before = await calls();
    expect((await messages(MARKET)).map((m) => m.id)).toEqual(ids(0, 50));
    expect(await olderThan(49)).toEqual(ids(50, 100));
    // A short page: WAHA has nothing older.
    expect(await olderThan(99)).toEqual(ids(100, 140));
    // The raw read above, then one call per page at most: the first page's read of WAHA
    // reaches past its last second, so the next page may need none. WEBJS lists what
    // WhatsApp Web has loaded, so its last short page is asked once more to prove the start.
    expect(await calls()).toBeLessThanOrEqual(before + (engine === "WEBJS" ? 4 : 3));
    const paged = await calls();
    // From now on the store answers alone.
    expect(await olderThan(139)).toEqual([]);
    expect(await olderThan(20)).toEqual(ids(21, 71));
    expect(await calls()).toBe(paged);
  });

  it("keeps answering the stored chat list and messages while WAHA is down", async () => {
    const list = await chats();
    const page = await messages(ANA);
    await sim.control("faults", { status: 503 });
    advance(RECONCILE_MS);
    expect(await chats()).toEqual(list);
    expect(await messages(ANA)).toEqual(page);
    // A chat never read has nothing to stand in for WAHA.
    const never = await call(`/api/wa/messages?jid=${MARKET}`, { as: newUser("admin") });
    expect(never.status).toBeGreaterThanOrEqual(500);
  });
});

describe("on WEBJS only", () => {
  const engine = "WEBJS" as const;
  onEngine(engine);

  // WEBJS sends group receipts only with webjs.tagsEventsOn, off unless the session says so.
  it("shows a member's read of our group message after the next reconcile, though WAHA sent no receipt", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: GROUP, body: "Minutes attached", fromMe: true });
    expect(await deliverSim("WEBJS", ours)).toBe("accepted");
    expect(await admin.next()).toMatchObject({ type: "message.new", jid: GROUP });
    expect((await messages(GROUP))[0]).toMatchObject({ id: ours.payload.id, ack: 1 });
    const read = await simChange("ack", { messageId: ours.payload.id, ack: 3 });
    expect(read.event).toBeNull();
    advance(RECONCILE_MS);
    expect((await messages(GROUP))[0]).toMatchObject({ id: ours.payload.id, ack: 3 });
    expect(await admin.next()).toEqual({
      type: "message.status",
      number: "default",
      jid: GROUP,
      id: ours.payload.id,
      status: "READ",
    });
    await expectNothingBefore(admin, "STARTING");
  });
});
