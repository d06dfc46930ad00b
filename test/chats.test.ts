import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changeChatOwner, getAssignment } from "../src/lib/db.ts";
import type { ChatSummary } from "../src/lib/store/browser-shapes.ts";
import { messagesObject } from "../src/lib/waha/resource-loaders.ts";
import { call, json, sim, startOfRateWindow } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

const ANA = "15550100001@c.us";
const GROUP = "120363025246125486@g.us";
/** The demo's long chat: 140 messages. */
const MARKET = "15550100009@c.us";

interface Message {
  id: string;
  timestamp: number;
  body: string | null;
  hasMedia: boolean;
  media?: { url: string | null; mimetype: string | null };
}

async function chatList(as: { role: "admin" | "user" | "agent"; sub: string }) {
  const res = await call("/api/wa/chats", { as });
  expect(res.status).toBe(200);
  return { res, chats: await res.json<ChatSummary[]>() };
}

describe("chat list", () => {
  it("is read from WAHA once for 20 users and then at most every WA_STORE_RECONCILE_MS, and each agent sees only the chats assigned to it", async () => {
    const agents = Array.from({ length: 5 }, () => newUser("agent"));
    const staff = [
      ...Array.from({ length: 8 }, () => newUser("admin")),
      ...Array.from({ length: 7 }, () => newUser("user")),
    ];
    const mine = new Map(
      agents.map((a, i) => [a.sub, [`1555010000${i + 1}@c.us`, `155501000${i + 11}@c.us`]]),
    );
    for (const [sub, jids] of mine)
      for (const jid of jids) await changeChatOwner(env.DB, "default", jid, sub);

    const lists = await Promise.all([...agents, ...staff].map((as) => chatList(as)));
    expect(await simCalls("chats")).toEqual({ chats: 1 });
    for (const [i, agent] of agents.entries()) {
      const { chats } = lists[i] ?? { chats: [] };
      expect(chats.map((c) => c.id).sort()).toEqual([...(mine.get(agent.sub) ?? [])].sort());
      expect(chats.every((c) => c.owner === agent.sub)).toBe(true);
    }
    for (const { chats } of lists.slice(agents.length)) {
      expect(chats).toHaveLength(22);
      expect(chats.find((c) => c.id === ANA)?.owner).toBe(agents[0]?.sub);
      expect(chats.find((c) => c.id === GROUP)?.owner).toBeNull();
    }

    for (const { res } of lists) expect(res.headers.get("X-Cache-Status")).toBe("STORE");
    advance(299_999);
    expect((await chatList(newUser("admin"))).res.headers.get("X-Cache-Status")).toBe("STORE");
    expect(await simCalls("chats")).toEqual({ chats: 1 });
    advance(1);
    expect((await chatList(newUser("admin"))).chats).toHaveLength(22);
    expect(await simCalls("chats")).toEqual({ chats: 2 });
  });

  it("normalises WAHA's chats, whether their ids come as strings or {_serialized}", async () => {
    const raw = await (await sim.waha("/api/default/chats")).json<Array<{ id: unknown }>>();
    expect(raw.some((c) => typeof c.id === "string")).toBe(true);
    expect(raw.some((c) => typeof c.id === "object")).toBe(true);

    const { chats } = await chatList(newUser("admin"));
    for (const chat of chats) {
      expect(Object.keys(chat).sort()).toEqual(
        [
          "avatarUrl",
          "id",
          "isGroup",
          "labels",
          "lastMessageAt",
          "name",
          "number",
          "owner",
          "preview",
          "snoozeUntil",
          "status",
          "unreadCount",
        ].sort(),
      );
      expect(chat.id).toMatch(/@(c|g)\.us$/);
    }
    expect(chats.find((c) => c.id === ANA)).toEqual({
      id: ANA,
      number: "default",
      name: "Ana Souza",
      unreadCount: 2,
      lastMessageAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      preview: "And the order page",
      isGroup: false,
      owner: null,
      status: "open",
      snoozeUntil: null,
      labels: [],
      avatarUrl: `/api/wa/avatar?number=default&jid=${encodeURIComponent(ANA)}`,
    });
    expect(chats.find((c) => c.id === GROUP)?.isGroup).toBe(true);
    const times = chats.map((c) => c.lastMessageAt ?? "");
    expect(times).toEqual([...times].sort().reverse());
  });
});

describe("messages", () => {
  it("are forgotten by their chat's object once too old to stand in for WAHA", async () => {
    expect((await call(`/api/wa/messages?jid=${ANA}`, { as: newUser("admin") })).status).toBe(200);
    const stub = env.WAHA_RESOURCE.get(
      env.WAHA_RESOURCE.idFromName(messagesObject("default", ANA)),
    );
    const stored = () =>
      runInDurableObject(
        stub,
        (_i, state) => [...state.storage.kv.list({ prefix: "entry:" })].length,
      );
    expect(await stored()).toBe(1);
    advance(5 * 8_000 - 1_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stored()).toBe(1);
    advance(2_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stored()).toBe(0);
  });

  it("are read from WAHA on first open (twice on WEBJS, to learn a short chat's start) and reconciled at most every WA_STORE_RECONCILE_MS, with media URLs on the gateway and no WAHA URL or engine data", async () => {
    const admin = newUser("admin");
    const first = await call(`/api/wa/messages?jid=${ANA}`, { as: admin });
    expect(first.status).toBe(200);
    const text = await first.text();
    expect(text).not.toContain(env.WAHA_URL);
    expect(text).not.toContain("_data");
    const messages = JSON.parse(text) as Message[];
    const allowed = ["id", "timestamp", "from", "fromMe", "to", "participant", "body", "hasMedia"];
    allowed.push("media", "ack", "ackName", "replyTo", "reactions", "editedAt", "revokedAt");
    for (const m of messages) {
      expect(Object.keys(m).filter((k) => !allowed.includes(k))).toEqual([]);
    }
    const withMedia = messages.filter((m) => m.hasMedia);
    expect(withMedia.length).toBeGreaterThan(0);
    for (const m of withMedia) {
      expect(m.media?.url).toBe(
        `/api/wa/media?number=default&jid=${encodeURIComponent(ANA)}&id=${encodeURIComponent(m.id)}`,
      );
      // WAHA was asked without downloading media: the type comes from the engine's record.
      expect(m.media?.mimetype).toMatch(/^[a-z]+\/[a-z0-9.+-]+/);
    }
    expect(messages.map((m) => m.timestamp)).toEqual(
      messages
        .map((m) => m.timestamp)
        .sort()
        .reverse(),
    );

    expect(first.headers.get("X-Cache-Status")).toBe("STORE");
    advance(299_999);
    const again = await call(`/api/wa/messages?jid=${ANA}`, { as: newUser("user") });
    expect(again.headers.get("X-Cache-Status")).toBe("STORE");
    expect(await again.json()).toEqual(messages);
    // WEBJS lists what WhatsApp Web has loaded: a short first page is asked again once.
    expect(await simCalls("messages")).toEqual({ messages: 2 });
    advance(1);
    expect((await call(`/api/wa/messages?jid=${ANA}`, { as: admin })).status).toBe(200);
    expect(await simCalls("messages")).toEqual({ messages: 3 });
  });

  it("fill the store on a first deploy without a stampede: 20 chats opened at once reach WAHA two at a time", async () => {
    await sim.control("faults", { endpoint: "messages", latencyMs: 100 });
    const jids = Array.from(
      { length: 20 },
      (_, i) => `155501000${String(i + 1).padStart(2, "0")}@c.us`,
    );
    const answers = await Promise.all(
      jids.map((jid) => call(`/api/wa/messages?jid=${jid}`, { as: newUser("admin") })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const stats = await sim.stats();
    // One page per chat; WEBJS asks a short chat once more to learn it starts there.
    expect(stats.calls.messages).toBeGreaterThanOrEqual(20);
    expect(stats.calls.messages).toBeLessThanOrEqual(40);
    // WAHA_MAX_CONCURRENT_REQUESTS (2): every fill goes through the gate's API pool.
    expect(stats.apiPeak).toBe(2);
  });

  it("pages back with beforeId: the next older messages, none repeated or skipped", async () => {
    const admin = newUser("admin");
    // All of the chat loaded in WhatsApp Web: WAHA answers every page whole.
    await sim.control("config", { webjsLoadBatch: 1000 }, "PUT");
    const raw = await (
      await sim.waha(`/api/default/chats/${MARKET}/messages?limit=140&downloadMedia=false`)
    ).json<Array<{ id: string }>>();
    const newest = await (
      await call(`/api/wa/messages?jid=${MARKET}&limit=50`, { as: admin })
    ).json<Message[]>();
    expect(newest.map((m) => m.id)).toEqual(raw.slice(0, 50).map((m) => m.id));

    const cursor = newest.at(-1)?.id ?? "";
    const older = await call(
      `/api/wa/messages?jid=${MARKET}&limit=50&beforeId=${encodeURIComponent(cursor)}`,
      {
        as: admin,
      },
    );
    expect(older.status).toBe(200);
    expect((await older.json<Message[]>()).map((m) => m.id)).toEqual(
      raw.slice(50, 100).map((m) => m.id),
    );

    // Two new messages arrive; the cursor still means "older than this one".
    await sim.control("messages", { chatId: MARKET, body: "new 1" });
    await sim.control("messages", { chatId: MARKET, body: "new 2" });
    const oldest = await call(
      `/api/wa/messages?jid=${MARKET}&limit=50&beforeId=${encodeURIComponent(raw[99]?.id ?? "")}`,
      { as: admin },
    );
    expect((await oldest.json<Message[]>()).map((m) => m.id)).toEqual(
      raw.slice(100, 140).map((m) => m.id),
    );
  });

  it("pages back past what is stored with one WAHA call per page, none repeated or skipped, even from a cursor the store never had", async () => {
    const admin = newUser("admin");
    // All of the chat loaded in WhatsApp Web: WAHA answers every page whole.
    await sim.control("config", { webjsLoadBatch: 1000 }, "PUT");
    const raw = await (
      await sim.waha(`/api/default/chats/${MARKET}/messages?limit=140&downloadMedia=false`)
    ).json<Array<{ id: string }>>();
    const ids = (from: number, to: number) => raw.slice(from, to).map((m) => m.id);
    const pageBefore = async (index: number) => {
      const cursor = encodeURIComponent(raw[index]?.id ?? "");
      const res = await call(`/api/wa/messages?jid=${MARKET}&limit=20&beforeId=${cursor}`, {
        as: admin,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("X-Cache-Status")).toBe("STORE");
      return (await res.json<Message[]>()).map((m) => m.id);
    };
    const calls = async () => {
      const { messages = 0, message = 0 } = await simCalls("messages", "message");
      return messages + message;
    };
    await call(`/api/wa/messages?jid=${MARKET}&limit=20`, { as: admin });
    const filled = await calls();

    // The first open stored the newest 70 (but the oldest second, which the page may cut):
    // the next pages cost WAHA nothing.
    expect(await pageBefore(19)).toEqual(ids(20, 40));
    expect(await pageBefore(39)).toEqual(ids(40, 60));
    expect(await calls()).toBe(filled);
    // Past the stored horizon: one WAHA page, which reaches past the page asked for.
    expect(await pageBefore(59)).toEqual(ids(60, 80));
    expect(await calls()).toBe(filled + 1);

    // A cursor the store does not have (another gateway's, or pruned): WAHA knows it.
    // One lookup of its time, then one page.
    expect(await pageBefore(119)).toEqual(ids(120, 140));
    expect(await calls()).toBe(filled + 3);
    // Scrolling on from where the store was still shows every message in between.
    expect(await pageBefore(79)).toEqual(ids(80, 100));
    expect(await calls()).toBe(filled + 3);
  });

  it("answers an unknown beforeId 404 message-not-found after at most one WAHA call", async () => {
    const res = await call(
      `/api/wa/messages?jid=${MARKET}&limit=1&beforeId=false_15550100009@c.us_3EB0NOSUCHMESSAGE`,
      { as: newUser("admin") },
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "message-not-found" });
    const calls = await simCalls("messages", "message");
    expect((calls.messages ?? 0) + (calls.message ?? 0)).toBeLessThanOrEqual(1);
  });

  it("limits each user to 30 message pages in 10 s, like the status routes", async () => {
    await startOfRateWindow(10);
    const greedy = newUser("admin");
    const answers: number[] = [];
    for (let i = 0; i < 30; i++) {
      answers.push((await call(`/api/wa/messages?jid=${ANA}`, { as: greedy })).status);
    }
    expect(answers).toEqual(Array(30).fill(200));
    const limited = await call(`/api/wa/messages?jid=${ANA}`, { as: greedy });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("10");
    expect(await limited.json()).toMatchObject({ error: "rate-limited" });
    expect((await call(`/api/wa/messages?jid=${ANA}`, { as: newUser("admin") })).status).toBe(200);
  });

  it("validates jid, limit and beforeId, naming the field", async () => {
    const admin = newUser("admin");
    const cases: Array<[string, string]> = [
      ["/api/wa/messages", "jid: "],
      ["/api/wa/messages?jid=not-a-jid", "jid: "],
      [`/api/wa/messages?jid=${ANA}&limit=0`, "limit: must be a whole number from 1 to 100"],
      [`/api/wa/messages?jid=${ANA}&limit=101`, "limit: must be a whole number from 1 to 100"],
      [`/api/wa/messages?jid=${ANA}&limit=ten`, "limit: must be a whole number from 1 to 100"],
      [`/api/wa/messages?jid=${ANA}&limit=2.5`, "limit: must be a whole number from 1 to 100"],
      [`/api/wa/messages?jid=${ANA}&beforeId=..%2Fx`, "beforeId: "],
    ];
    for (const [path, message] of cases) {
      const res = await call(path, { as: admin });
      expect(res.status, path).toBe(400);
      const body = await res.json<{ error: string; message: string }>();
      expect(body.error).toBe("invalid-request");
      expect(body.message.startsWith(message), `${path}: ${body.message}`).toBe(true);
    }
  });

  it("are refused (403) to an agent for a chat that is not assigned to it", async () => {
    const agent = newUser("agent");
    await changeChatOwner(env.DB, "default", ANA, agent.sub);
    expect((await call(`/api/wa/messages?jid=${ANA}`, { as: agent })).status).toBe(200);
    const other = await call(`/api/wa/messages?jid=${GROUP}`, { as: agent });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: "forbidden" });
  });
});

describe("send-text and mark-read", () => {
  it("sends once, sets firstResponseAt, and shows the sent message in the next list reads without asking WAHA again", async () => {
    const agent = newUser("agent");
    await changeChatOwner(env.DB, "default", ANA, agent.sub);
    await call("/api/wa/chats", { as: agent });
    await call(`/api/wa/messages?jid=${ANA}`, { as: agent });
    const read = await simCalls("chats", "messages");

    const sent = await call("/api/wa/send-text", {
      ...json({ jid: ANA, text: "Replacement is on its way" }),
      as: agent,
    });
    expect(sent.status).toBe(200);
    const answer = await sent.json<{ id: string; status: string; message: Message }>();
    expect(answer).toMatchObject({
      id: expect.stringMatching(/^true_15550100001@c\.us_/),
      status: "sent",
      message: { body: "Replacement is on its way", fromMe: true, ackName: "SERVER" },
    });
    expect(answer.message.id).toBe(answer.id);
    expect(await simCalls("sendText")).toEqual({ sendText: 1 });
    expect((await getAssignment(env.DB, "default", ANA))?.firstResponseAt).toEqual(
      expect.any(String),
    );

    const messages = await call(`/api/wa/messages?jid=${ANA}`, { as: agent });
    expect(messages.headers.get("X-Cache-Status")).toBe("STORE");
    expect((await messages.json<Message[]>())[0]).toMatchObject({
      id: answer.id,
      body: "Replacement is on its way",
    });
    const chats = await call("/api/wa/chats", { as: agent });
    expect((await chats.json<ChatSummary[]>())[0]?.preview).toBe("Replacement is on its way");
    expect(await simCalls("chats", "messages")).toEqual(read);
  });

  it("marks a chat read and the next chat list shows no unread messages", async () => {
    const admin = newUser("admin");
    expect((await chatList(admin)).chats.find((c) => c.id === ANA)?.unreadCount).toBe(2);
    const res = await call("/api/wa/mark-read", { ...json({ jid: ANA }), as: admin });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ read: true, seen: true });
    expect(await simCalls("sendSeen")).toEqual({ sendSeen: 1 });
    expect((await chatList(admin)).chats.find((c) => c.id === ANA)?.unreadCount).toBe(0);
  });

  it("refuses an agent's send or mark-read on a chat that is not assigned to it, without calling WAHA", async () => {
    const agent = newUser("agent");
    const send = await call("/api/wa/send-text", { ...json({ jid: ANA, text: "hi" }), as: agent });
    const read = await call("/api/wa/mark-read", { ...json({ jid: ANA }), as: agent });
    expect([send.status, read.status]).toEqual([403, 403]);
    expect(await simCalls("sendText", "sendSeen")).toEqual({ sendText: 0, sendSeen: 0 });
  });

  it("validates the body, naming the field", async () => {
    const admin = newUser("admin");
    const cases: Array<[string, unknown, string]> = [
      ["/api/wa/send-text", { jid: ANA }, "text: is required"],
      ["/api/wa/send-text", { jid: ANA, text: "   " }, "text: must not be empty"],
      [
        "/api/wa/send-text",
        { jid: ANA, text: "x".repeat(4097) },
        "text: must be at most 4096 characters",
      ],
      ["/api/wa/send-text", { jid: "nope", text: "hi" }, "jid: "],
      ["/api/wa/mark-read", {}, "jid: is required"],
    ];
    for (const [path, body, message] of cases) {
      const res = await call(path, { ...json(body), as: admin });
      expect(res.status).toBe(400);
      expect((await res.json<{ message: string }>()).message.startsWith(message)).toBe(true);
    }
    const notJson = await call("/api/wa/send-text", { method: "POST", body: "{", as: admin });
    expect(notJson.status).toBe(400);
    expect(await simCalls("sendText", "sendSeen")).toEqual({ sendText: 0, sendSeen: 0 });
  });
});
