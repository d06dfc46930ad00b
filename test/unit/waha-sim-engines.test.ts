// The simulator speaks each WAHA engine's wire shapes: message ends and ids, chat lists, acks,
// revokes, edits, reactions and sendText/sendSeen answers, as WEBJS, NOWEB and GOWS write them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simClient, webhookReceiver } from "../../tools/waha-sim/client.ts";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";

const KEY = "engines-key";
const ME = "15550000000@c.us";
const ANA = "15550100001@c.us";
const MARKET = "15550100009@c.us";
const GROUP = "120363025246125486@g.us";
const MEMBER = "15550100102@c.us";
const ENGINES = ["WEBJS", "NOWEB", "GOWS"] as const;
type EngineName = (typeof ENGINES)[number];

type Json = Record<string, unknown>;
interface Msg extends Json {
  id: string;
  timestamp: number;
  fromMe: boolean;
  body?: string | null;
  hasMedia: boolean;
  media: { url: string | null } | null;
  _data: Json;
}

/** Where each engine points a message's ends; ABSENT: the field is not in the JSON at all. */
const ABSENT = "(absent)";
const ENDS: Record<
  EngineName,
  {
    directOurs: Json;
    directTheirs: Json;
    groupOurs: Json;
    groupTheirs: (sender: string) => Json;
  }
> = {
  WEBJS: {
    directOurs: { from: ME, to: ANA, participant: ABSENT },
    directTheirs: { from: ANA, to: ME, participant: ABSENT },
    groupOurs: { from: ME, to: GROUP, participant: ABSENT },
    groupTheirs: (sender) => ({ from: GROUP, to: ME, participant: sender }),
  },
  NOWEB: {
    directOurs: { from: ANA, to: ABSENT, participant: ABSENT },
    directTheirs: { from: ANA, to: ABSENT, participant: ABSENT },
    groupOurs: { from: GROUP, to: ABSENT, participant: ABSENT },
    groupTheirs: (sender) => ({ from: GROUP, to: GROUP, participant: sender }),
  },
  GOWS: {
    directOurs: { from: ANA, to: null, participant: null },
    directTheirs: { from: ANA, to: null, participant: null },
    groupOurs: { from: GROUP, to: ME, participant: ME },
    groupTheirs: (sender) => ({ from: GROUP, to: sender, participant: sender }),
  },
};

function ends(m: Json): Json {
  const pick = (k: string) => (k in m ? m[k] : ABSENT);
  return { from: pick("from"), to: pick("to"), participant: pick("participant") };
}

function keyOf(id: string): string {
  return id.split("_")[2] ?? id;
}

let sim: Simulator;
let client: ReturnType<typeof simClient>;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  hooks = await webhookReceiver();
  sim = await startSimulator({
    apiKey: KEY,
    webhookUrl: hooks.url,
    webhookRetries: { attempts: 0, delayMs: 0 },
  });
  client = simClient(sim.url, KEY);
});

afterAll(async () => {
  await sim.close();
  await hooks.close();
});

async function messages(chatId: string, query = "limit=100&downloadMedia=false"): Promise<Msg[]> {
  const res = await client.api<Msg[]>(
    `/api/default/chats/${encodeURIComponent(chatId)}/messages?${query}`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

async function send(text: string, chatId: string, extra: Json = {}) {
  return client.api<Json>("/api/sendText", {
    body: { session: "default", chatId, text, ...extra },
  });
}

describe.each(ENGINES)("the %s engine", (engine) => {
  beforeEach(async () => {
    await client.control("reset", { engine });
    hooks.received.length = 0;
  });

  it("reports itself in the version, the session's engine block and every webhook envelope", async () => {
    expect((await client.api<Json>("/api/server/version")).body).toMatchObject({
      engine,
      version: "2026.2.1",
      browser: engine === "WEBJS" ? expect.any(String) : null,
    });
    const session = (await client.api<Json>("/api/sessions/default")).body;
    expect(session.engine).toMatchObject({ engine });
    expect((await client.control<Json>("config")).body.engine).toBe(engine);
    await client.control("messages", { chatId: ANA, body: "hello", webhook: true });
    const [envelope] = hooks.envelopes();
    expect(envelope).toMatchObject({ engine, environment: { engine }, event: "message" });
    expect(Object.keys(envelope ?? {})).toEqual([
      "id",
      "timestamp",
      "event",
      "session",
      // No metadata: the session's config has none (as real WAHA sends it).
      "me",
      "payload",
      "engine",
      "environment",
    ]);
  });

  it("points from, to and participant as the engine's converter does, in direct chats and groups", async () => {
    const direct = await messages(ANA);
    const ours = direct.find((m) => m.fromMe);
    const theirs = direct.find((m) => !m.fromMe);
    expect(ends(ours ?? {})).toEqual(ENDS[engine].directOurs);
    expect(ends(theirs ?? {})).toEqual(ENDS[engine].directTheirs);
    const group = await messages(GROUP);
    const mine = group.find((m) => m.fromMe);
    const member = group.find((m) => !m.fromMe && m.body === "Restocking now");
    expect(ends(mine ?? {})).toEqual(ENDS[engine].groupOurs);
    expect(ends(member ?? {})).toEqual(ENDS[engine].groupTheirs("15550100102@c.us"));
  });

  it("builds ids {fromMe}_{chat}_{key}[_{participant}] as the engine does, files named its way", async () => {
    const group = await messages(GROUP);
    for (const m of group) {
      const key = keyOf(m.id);
      expect(key).toMatch(/^[0-9A-F]{20}$/);
      if (!m.fromMe) expect(m.id).toBe(`false_${GROUP}_${key}_${String(m.participant)}`);
      else expect(m.id).toBe(`true_${GROUP}_${key}${engine === "GOWS" ? `_${ME}` : ""}`);
    }
    const [photo] = (await messages(ANA, "limit=10")).filter((m) => m.media?.url);
    const base = engine === "WEBJS" ? photo?.id : keyOf(photo?.id ?? "");
    expect(photo?.media?.url).toBe(`${sim.url}/api/files/default/${base}.png`);
    expect((await client.api(new URL(photo?.media?.url ?? "").pathname)).status).toBe(200);
  });

  it("lists chats with the engine's ids and fields, in its own default order", async () => {
    const list = (await client.api<Json[]>("/api/default/chats")).body;
    const ids = list.map((c) => (typeof c.id === "string" ? c.id : (c.id as Json)._serialized));
    const time = (c: Json) => Number(c.conversationTimestamp ?? c.timestamp);
    const recency = [...list].sort((a, b) => time(b) - time(a)).map((c) => c.id);
    if (engine === "WEBJS") {
      // WhatsApp Web's collection order: fixed, but not by recency.
      expect(list.map((c) => c.id)).not.toEqual(recency);
      expect(list.some((c) => typeof c.id === "object")).toBe(true);
      expect(list[0]).toHaveProperty("unreadCount");
    }
    if (engine === "NOWEB") {
      expect(list.map((c) => c.id)).toEqual(recency);
      expect(ids).toContain("15550100001@s.whatsapp.net");
      expect(list.every((c) => !("unreadCount" in c) && !("lastMessage" in c))).toBe(true);
    }
    if (engine === "GOWS") {
      expect(ids).toEqual([...ids].sort());
      expect(list.every((c) => Object.keys(c).join() === "id,name,conversationTimestamp")).toBe(
        true,
      );
    }
    const sorted = (
      await client.api<Json[]>("/api/default/chats?sortBy=conversationTimestamp&sortOrder=desc")
    ).body;
    const times = sorted.map(time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(sorted).toHaveLength(list.length);
  });

  it("finds a chat by its @s.whatsapp.net id only where the engine converts ids", async () => {
    const viaJid = await messages("15550100001@s.whatsapp.net", "limit=5");
    expect(viaJid.length > 0).toBe(engine !== "WEBJS");
  });

  it("filters a chat's messages by timestamp, fromMe, limit and offset; no media without downloadMedia", async () => {
    // All of the chat loaded in WhatsApp Web (WEBJS), so the filters alone decide.
    await client.control("config", { webjsLoadBatch: 1000 }, "PUT");
    const all = await messages(MARKET, "limit=200");
    expect(all).toHaveLength(140);
    const t = all[50]?.timestamp ?? 0;
    const older = await messages(MARKET, `limit=200&filter.timestamp.lte=${t}`);
    expect(older[0]?.timestamp).toBe(t);
    expect(older.every((m) => m.timestamp <= t)).toBe(true);
    const newer = await messages(MARKET, `limit=200&filter.timestamp.gte=${t}`);
    expect(newer.every((m) => m.timestamp >= t)).toBe(true);
    expect(older.length + newer.length).toBe(141);
    const mine = await messages(MARKET, "limit=200&filter.fromMe=true");
    expect(mine.length).toBe(all.filter((m) => m.fromMe).length);
    expect(mine.every((m) => m.fromMe)).toBe(true);
    expect((await messages(MARKET, "limit=5&offset=10")).map((m) => m.id)).toEqual(
      all.slice(10, 15).map((m) => m.id),
    );
    const plain = await messages(ANA, "downloadMedia=false");
    expect(plain.filter((m) => m.hasMedia)).toHaveLength(2);
    expect(plain.every((m) => m.media === null)).toBe(true);
    const bad = await client.api<Json>(
      `/api/default/chats/${ANA}/messages?filter.timestamp.lte=soon`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual([
      "filter.timestamp.lte must be a number conforming to the specified constraints",
    ]);
  });

  it("answers sendText as the engine does, quoting reply_to, and lists the reply with its quote", async () => {
    const [quoted] = await messages(ANA, "limit=1");
    const res = await send("Replacement on its way", ANA, { reply_to: quoted?.id });
    expect(res.status).toBe(201);
    const [sent] = await messages(ANA, "limit=1");
    expect(sent).toMatchObject({ fromMe: true, body: "Replacement on its way", source: "api" });
    expect(sent?.replyTo).toMatchObject({ id: keyOf(quoted?.id ?? "") });
    if (engine === "WEBJS") {
      expect(res.body).toMatchObject({
        id: { _serialized: sent?.id },
        fromMe: true,
        hasQuotedMsg: true,
      });
    } else if (engine === "NOWEB") {
      expect(res.body).toMatchObject({
        key: { remoteJid: "15550100001@s.whatsapp.net", fromMe: true, id: keyOf(sent?.id ?? "") },
        message: { extendedTextMessage: { contextInfo: { stanzaId: keyOf(quoted?.id ?? "") } } },
        status: "PENDING",
      });
    } else {
      expect(Object.keys(res.body)).toEqual(["id", "_data"]);
      expect(res.body.id).toBe(sent?.id);
    }
    const [any] = await hooks.waitFor(1);
    expect(JSON.parse(any?.body ?? "{}")).toMatchObject({
      event: "message.any",
      payload: { id: sent?.id },
    });
  });

  it("acks a direct chat with message.ack and a group member's receipt with message.ack.group", async () => {
    const ours = (await messages(ANA)).find((m) => m.fromMe);
    const ack = await client.control<Json>("ack", { messageId: ours?.id, ack: 3 });
    expect(ack.body).toMatchObject({ event: "message.ack" });
    const [dm] = hooks.envelopes();
    const direct = {
      WEBJS: { from: ME, to: ANA },
      NOWEB: { from: ANA },
      GOWS: { from: ANA, to: null },
    };
    expect(dm?.payload).toMatchObject({
      id: ours?.id,
      fromMe: true,
      ack: 3,
      ackName: "READ",
      ...direct[engine],
    });
    if (engine === "NOWEB") expect("to" in ((dm?.payload ?? {}) as Json)).toBe(false);
    // The same ack again within a minute is not sent.
    expect(
      (await client.control<Json>("ack", { messageId: ours?.id, ack: 3 })).body.event,
    ).toBeNull();

    const mine = (await messages(GROUP)).find((m) => m.fromMe);
    const key = keyOf(mine?.id ?? "");
    // WEBJS hears group receipts only with the session's webjs.tagsEventsOn.
    await client.control("config", { webjsTagsEventsOn: true }, "PUT");
    const group = await client.control<Json>("ack", {
      messageId: mine?.id,
      ack: 3,
      participant: MEMBER,
    });
    expect(group.body.event).toBe("message.ack.group");
    const receipt = hooks.envelopes()[1]?.payload;
    expect(receipt).toMatchObject({
      id: `true_${GROUP}_${key}_${ME}`,
      from: GROUP,
      to: engine === "GOWS" ? MEMBER : GROUP,
      participant: MEMBER,
      // WEBJS reports a member's receipt of our message with fromMe reversed.
      fromMe: engine !== "WEBJS",
      ack: 3,
    });
  });

  it("revokes a message: message.revoked {after, before, revokedMessageId}, reflected in later reads", async () => {
    const [target] = await messages(ANA, "limit=1");
    const res = await client.control<Json>("revoke", { messageId: target?.id });
    const payload = hooks.envelopes()[0]?.payload as Json;
    expect(hooks.envelopes()[0]?.event).toBe("message.revoked");
    expect(payload.revokedMessageId).toBe(keyOf(target?.id ?? ""));
    expect(res.body.payload).toEqual(payload);
    if (engine === "WEBJS")
      expect(payload.before).toMatchObject({ id: target?.id, body: target?.body });
    else expect(payload.before).toBeNull();
    const after = (await messages(ANA, "limit=100")).find((m) => m.id === target?.id);
    if (engine === "WEBJS")
      expect(after).toMatchObject({ body: "", hasMedia: false, _data: { type: "revoked" } });
    if (engine === "NOWEB") expect(after).toBeUndefined();
    expect((await client.control("revoke", { messageId: target?.id })).status).toBe(400);
  });

  it("edits a message: message.edited with editedMessageId; later reads show the new body", async () => {
    const ours = (await messages(ANA)).find((m) => m.fromMe && !m.hasMedia);
    await client.control("edit", { messageId: ours?.id, body: "Could you send two photos?" });
    const [envelope] = hooks.envelopes();
    expect(envelope).toMatchObject({
      event: "message.edited",
      payload: { body: "Could you send two photos?", editedMessageId: keyOf(ours?.id ?? "") },
    });
    const read = await client.api<Msg>(`/api/default/chats/${ANA}/messages/${ours?.id}`);
    expect(read.body.body).toBe("Could you send two photos?");
  });

  it("reacts: message.reaction {reaction: {text, messageId}}; PUT /api/reaction answers as the engine", async () => {
    const [target] = await messages(GROUP, "limit=1");
    await client.control("react", { messageId: target?.id, text: "👍", participant: MEMBER });
    const [envelope] = hooks.envelopes();
    expect(envelope).toMatchObject({
      event: "message.reaction",
      payload: { fromMe: false, reaction: { text: "👍", messageId: target?.id } },
    });
    const put = await client.api<Json>("/api/reaction", {
      method: "PUT",
      body: { session: "default", messageId: target?.id, reaction: "❤️" },
    });
    expect(put.status).toBe(200);
    if (engine === "WEBJS") expect(put.body).toBeUndefined();
    if (engine === "NOWEB")
      expect(put.body).toMatchObject({ message: { reactionMessage: { text: "❤️" } } });
    if (engine === "GOWS")
      expect(put.body).toMatchObject({ _data: { reactionMessage: { text: "❤️" } } });
    const [listed] = await messages(GROUP, "limit=1");
    if (engine === "NOWEB")
      expect(((listed?._data.reactions ?? []) as Json[]).map((r) => r.text)).toEqual(["👍", "❤️"]);
    if (engine === "WEBJS") expect(listed?._data.hasReaction).toBe(true);
  });

  it("answers sendSeen as the engine does: WEBJS {ids: null}, NOWEB and GOWS the ids it read", async () => {
    const fresh = await client.control<Msg>("messages", { chatId: ANA, body: "still there?" });
    const res = await client.api<Json>("/api/sendSeen", { body: { chatId: ANA } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(engine === "WEBJS" ? { ids: null } : { ids: [fresh.body.id] });
    const named = await client.api("/api/sendSeen", {
      body: { chatId: ANA, messageIds: [fresh.body.id] },
    });
    expect(named.status).toBe(201);
    expect(named.body).toBeUndefined();
  });
});
