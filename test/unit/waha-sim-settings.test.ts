// The simulator's session settings and the engine quirks that follow from them: WEBJS's
// tagsEventsOn and its one-batch history paging, NOWEB without its store, NOWEB's own acks of
// group messages, GOWS's reacted-message ids, and what sendVideo and `convert` do.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simClient, webhookReceiver } from "../../tools/waha-sim/client.ts";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";

const KEY = "settings-key";
const ME = "15550000000@c.us";
const ANA = "15550100001@c.us";
const MARKET = "15550100009@c.us";
const GROUP = "120363025246125486@g.us";
const MEMBER = "15550100101@c.us";

type Json = Record<string, unknown>;
interface Msg extends Json {
  id: string;
  timestamp: number;
  fromMe: boolean;
  media: { url: string | null; mimetype: string } | null;
}

let sim: Simulator;
let client: ReturnType<typeof simClient>;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  hooks = await webhookReceiver();
  sim = await startSimulator({
    apiKey: KEY,
    webhookUrl: hooks.url,
    webhookRetries: { attempts: 0 },
    sessionWaitMs: 0,
  });
  client = simClient(sim.url, KEY);
});

afterAll(async () => {
  await sim.close();
  await hooks.close();
});

beforeEach(() => {
  hooks.received.length = 0;
});

function listPath(chatId: string, query: string): string {
  return `/api/default/chats/${encodeURIComponent(chatId)}/messages?${query}`;
}

async function ourGroupMessage(): Promise<Msg> {
  const res = await client.control<Msg>("messages", {
    chatId: GROUP,
    body: "hi all",
    fromMe: true,
  });
  return res.body;
}

describe("WEBJS's tagsEventsOn", () => {
  it("is off by default: a member's receipt of our group message sends nothing, and the session says so", async () => {
    await client.control("reset", { engine: "WEBJS" });
    // A session whose config does not say: WAHA's default, off.
    const session = await client.api<{ config: Json | null }>("/api/sessions/default");
    expect((session.body.config?.webjs as Json | undefined)?.tagsEventsOn).not.toBe(true);
    const ours = await ourGroupMessage();
    const read = await client.control<Json>("ack", {
      messageId: ours.id,
      ack: 3,
      participant: MEMBER,
    });
    expect(read.body.event).toBeNull();
    expect(hooks.received).toHaveLength(0);
    // WhatsApp Web still knows: its lists show the message read.
    const listed = await client.api<Msg[]>(listPath(GROUP, "limit=1&downloadMedia=false"));
    expect(listed.body[0]).toMatchObject({ id: ours.id, ack: 3 });
  });

  it("sends group receipts once the session's config turns them on, and shows it", async () => {
    await client.control("reset", { engine: "WEBJS" });
    const put = await client.api<{ config: Json }>("/api/sessions/default", {
      method: "PUT",
      body: { config: { webjs: { tagsEventsOn: true } } },
    });
    expect(put.status).toBe(200);
    const session = await client.api<{ config: Json }>("/api/sessions/default");
    expect(session.body.config.webjs).toMatchObject({ tagsEventsOn: true });
    // WAHA restarts a running session on a new config: wait for it to work again.
    for (let i = 0; i < 50; i++) {
      const now = await client.api<{ status: string }>("/api/sessions/default");
      if (now.body.status === "WORKING") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    hooks.received.length = 0;
    const ours = await ourGroupMessage();
    const read = await client.control<Json>("ack", {
      messageId: ours.id,
      ack: 3,
      participant: MEMBER,
    });
    expect(read.body.event).toBe("message.ack.group");
    await hooks.waitFor(1);
    // A reset goes back to WAHA's default.
    await client.control("reset", {});
    expect((await client.control<Json>("config")).body.webjsTagsEventsOn).toBe(false);
  });
});

describe("WEBJS's history", () => {
  it("lists what WhatsApp Web has loaded plus one earlier batch per call, each batch kept", async () => {
    await client.control("reset", { engine: "WEBJS" });
    await client.control("config", { webjsLoadBatch: 20 }, "PUT");
    const all = (await client.api<Msg[]>(listPath(MARKET, "limit=0&downloadMedia=false"))).body;
    // limit=0 still loads one batch past the first: 40 of 140.
    expect(all).toHaveLength(40);
    const next = await client.api<Msg[]>(listPath(MARKET, "limit=100&downloadMedia=false"));
    expect(next.body).toHaveLength(60);
    expect(next.body.slice(0, 40)).toEqual(all);
  });

  it("answers 500 with a TypeError when the batch it loads has nothing at or before filter.timestamp.lte", async () => {
    await client.control("reset", { engine: "WEBJS" });
    await client.control("config", { webjsLoadBatch: 20 }, "PUT");
    const first = (await client.api<Msg[]>(listPath(MARKET, "limit=20&downloadMedia=false"))).body;
    const newest = first[0]?.timestamp ?? 0;
    const oldest = first.at(-1)?.timestamp ?? 0;
    // Older than the first 20 and the next batch: WhatsApp Web must load twice more.
    const far = oldest - 86_400 * 30;
    const refused = await client.api<Json>(
      listPath(MARKET, `limit=10&downloadMedia=false&filter.timestamp.lte=${far}`),
    );
    expect(refused.status).toBe(500);
    expect(refused.body).toMatchObject({
      statusCode: 500,
      exception: {
        name: "TypeError",
        message: "Cannot read properties of undefined (reading 't')",
      },
    });
    expect(newest).toBeGreaterThan(far);
    // Each call loads one more batch, so asking again gets further.
    let tries = 0;
    let answer = refused;
    while (answer.status === 500 && tries < 10) {
      tries++;
      answer = await client.api<Json>(
        listPath(MARKET, `limit=10&downloadMedia=false&filter.timestamp.lte=${far}`),
      );
    }
    expect(answer.status).toBe(200);
    expect(tries).toBeGreaterThan(0);
  });
});

describe("NOWEB without its store", () => {
  it("refuses chats, messages, one message and lids with WAHA's 400 while its store is off", async () => {
    await client.control("reset", { engine: "NOWEB" });
    const [message] = (await client.api<Msg[]>(listPath(ANA, "limit=1&downloadMedia=false"))).body;
    await client.control("config", { nowebStoreEnabled: false }, "PUT");
    for (const path of [
      "/api/default/chats?limit=10",
      listPath(ANA, "limit=10"),
      `/api/default/chats/${ANA}/messages/${message?.id ?? ""}`,
      "/api/default/lids/246810121416182@lid",
      "/api/default/lids",
    ]) {
      const res = await client.api<Json>(path);
      expect([path, res.status]).toEqual([path, 400]);
      expect(String(res.body.message)).toContain('"config.noweb.store.enabled=True"');
    }
    // Reading the chat for sendSeen needs the store too; named messages do not.
    expect((await client.api("/api/sendSeen", { body: { chatId: ANA } })).status).toBe(400);
    expect(
      (await client.api("/api/sendSeen", { body: { chatId: ANA, messageIds: [message?.id] } }))
        .status,
    ).toBe(201);
    // Webhooks still come.
    await client.control("messages", { chatId: ANA, body: "still here", webhook: true });
    await hooks.waitFor(1);
  });
});

describe("NOWEB's acks of our group messages", () => {
  it("sends the message's own status as message.ack, a member's receipt as message.ack.group", async () => {
    await client.control("reset", { engine: "NOWEB" });
    const ours = await ourGroupMessage();
    const server = await client.control<Json>("ack", { messageId: ours.id, ack: 1 });
    expect(server.body.event).toBe("message.ack");
    expect(server.body.payload).toEqual({
      id: ours.id,
      from: GROUP,
      fromMe: true,
      ack: 1,
      ackName: "SERVER",
    });
    const read = await client.control<Json>("ack", {
      messageId: ours.id,
      ack: 3,
      participant: MEMBER,
    });
    expect(read.body.event).toBe("message.ack.group");
  });
});

describe("GOWS's reactions", () => {
  it("name the reacted message from the reactor's key: a customer's in a direct chat names our number", async () => {
    await client.control("reset", { engine: "GOWS" });
    const ours = await client.control<Msg>("messages", {
      chatId: ANA,
      body: "yours?",
      fromMe: true,
    });
    const key = ours.body.id.split("_")[2];
    const theirs = await client.control<Json>("react", { messageId: ours.body.id, text: "👍" });
    expect(theirs.body.payload).toMatchObject({
      from: ANA,
      fromMe: false,
      reaction: { text: "👍", messageId: `false_${ME}_${key}` },
    });
    const mine = await client.control<Json>("react", {
      messageId: ours.body.id,
      text: "🙏",
      fromMe: true,
    });
    expect(mine.body.payload).toMatchObject({ reaction: { messageId: ours.body.id } });
  });
});

describe("sendVideo and convert", () => {
  const clip = { mimetype: "video/quicktime", filename: "c.mov", data: "AAAA" };

  it("answers sendVideo 501 on Core", async () => {
    await client.control("reset", { tier: "CORE" });
    const res = await client.api<Json>("/api/sendVideo", { body: { chatId: ANA, file: clip } });
    expect(res.status).toBe(501);
    expect(String(res.body.message)).toContain("not implemented by 'WEBJS' engine");
  });

  it("sends a voice note or video as it came unless convert is true on Plus", async () => {
    await client.control("reset", { tier: "PLUS" });
    const webm = { mimetype: "audio/webm", filename: "v.webm", data: "AAAA" };
    expect((await client.api("/api/sendVoice", { body: { chatId: ANA, file: webm } })).status).toBe(
      201,
    );
    const [raw] = (await client.api<Msg[]>(listPath(ANA, "limit=1"))).body;
    expect(raw?.media?.mimetype).toBe("audio/webm");
    const converted = await client.api("/api/sendVoice", {
      body: { chatId: ANA, file: webm, convert: true },
    });
    expect(converted.status).toBe(201);
    const voices = (await client.api<Msg[]>(listPath(ANA, "limit=2"))).body;
    expect(voices.map((m) => m.media?.mimetype).sort()).toEqual([
      "audio/ogg; codecs=opus",
      "audio/webm",
    ]);
    const video = await client.api("/api/sendVideo", {
      body: { chatId: ANA, file: clip, convert: true },
    });
    expect(video.status).toBe(201);
  });
});
