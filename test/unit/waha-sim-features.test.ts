// The simulator's lids routes, pairing QR, Plus media sends, @lid / channel / status traffic,
// demo videos, and its control API's answers to bad input.
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simClient, webhookReceiver } from "../../tools/waha-sim/client.ts";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";

const KEY = "features-key";
const ANA = "15550100001@c.us";
const LID = "246810121416182@lid";
const LID_PN = "15550100022@c.us";
const NEWSLETTER = "120363400000000001@newsletter";
const STATUS = "status@broadcast";

type Json = Record<string, unknown>;
interface Msg extends Json {
  id: string;
  from: string;
  fromMe: boolean;
  hasMedia: boolean;
  media: { url: string | null; mimetype: string; filename: string | null } | null;
  _data: Json;
}

let sim: Simulator;
let client: ReturnType<typeof simClient>;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  hooks = await webhookReceiver();
  sim = await startSimulator({
    // WAHA waits up to 10 s for a session to be WORKING; these tests look at its answer.
    sessionWaitMs: 0,
    apiKey: KEY,
    webhookUrl: hooks.url,
    webhookRetries: { attempts: 0 },
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

async function messages(chatId: string, query = "limit=50"): Promise<Msg[]> {
  return (
    await client.api<Msg[]>(`/api/default/chats/${encodeURIComponent(chatId)}/messages?${query}`)
  ).body;
}

async function bytes(url: string): Promise<Buffer> {
  const res = await fetch(url, { headers: { "X-Api-Key": KEY } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe("lids", () => {
  it("maps a lid to its phone number and back; an unknown one answers pn: null, a non-lid 422", async () => {
    await client.control("reset", { demo: "full" });
    expect((await client.api(`/api/default/lids/${LID}`)).body).toEqual({ lid: LID, pn: LID_PN });
    expect((await client.api("/api/default/lids/246810121416182")).body).toEqual({
      lid: LID,
      pn: LID_PN,
    });
    const unknown = await client.api("/api/default/lids/135791113151719@lid");
    expect(unknown).toMatchObject({ status: 200, body: { lid: "135791113151719@lid", pn: null } });
    const wrong = await client.api<Json>("/api/default/lids/15550100001@c.us");
    expect(wrong.status).toBe(422);
    expect(wrong.body.message).toBe("Invalid LID - it must end with @lid");
    expect((await client.api("/api/default/lids/pn/15550100022")).body).toEqual({
      lid: LID,
      pn: LID_PN,
    });
    expect((await client.api("/api/default/lids/pn/15559999999@c.us")).body).toEqual({
      lid: null,
      pn: "15559999999@c.us",
    });
    expect((await client.api(`/api/default/lids/pn/${LID}`)).body).toEqual({ lid: LID, pn: null });
  });

  it("lists the known pairs by lid and counts them; the control API teaches new ones", async () => {
    await client.control("reset", {});
    const added = await client.control("lids", {
      lid: "300000000000001@lid",
      pn: "15550100005@s.whatsapp.net",
    });
    expect(added.body).toEqual({ lid: "300000000000001@lid", pn: "15550100005@c.us" });
    const list = (await client.api<Json[]>("/api/default/lids")).body;
    const lids = list.map((l) => String(l.lid));
    expect(lids).toEqual([...lids].sort());
    expect(list).toContainEqual({ lid: "300000000000001@lid", pn: "15550100005@c.us" });
    expect((await client.api("/api/default/lids/count")).body).toEqual({ count: list.length });
    expect((await client.api<Json[]>("/api/default/lids?limit=2&offset=1")).body).toEqual(
      list.slice(1, 3),
    );
    const bad = await client.control<Json>("lids", { lid: "123@c.us", pn: ANA });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/^lid /);
  });
});

describe("the pairing QR", () => {
  it("is refused with WAHA's 422 unless the session waits for a scan", async () => {
    await client.control("reset", {});
    const res = await client.api<Json>("/api/default/auth/qr");
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ status: "WORKING", expected: ["SCAN_QR_CODE"] });
  });

  it("is a PNG while SCAN_QR_CODE, the same code as base64 JSON or as its raw value", async () => {
    await client.control("reset", {});
    await client.control("session", { status: "SCAN_QR_CODE" });
    const image = await fetch(`${sim.url}/api/default/auth/qr?format=image`, {
      headers: { "X-Api-Key": KEY },
    });
    expect(image.headers.get("content-type")).toBe("image/png");
    const png = Buffer.from(await image.arrayBuffer());
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    const json = await client.api<Json>("/api/default/auth/qr", {
      headers: { Accept: "application/json" },
    });
    expect(json.body).toEqual({ mimetype: "image/png", data: png.toString("base64") });
    const raw = await client.api<{ value: string }>("/api/default/auth/qr?format=raw");
    expect(raw.body.value).toMatch(/^2@[A-Za-z0-9+/=]+(,[A-Za-z0-9+/=]+){3}$/);
    // The picture holds dark and light modules in the four-module white quiet zone's frame.
    const idat = png.indexOf("IDAT");
    const length = png.readUInt32BE(idat - 4);
    const pixels = inflateSync(png.subarray(idat + 4, idat + 4 + length));
    expect(pixels.includes(0x00) && pixels.includes(0xff)).toBe(true);
    await client.control("reset", {});
  });
});

describe("media sends (WAHA Plus)", () => {
  it.each(["WEBJS", "NOWEB", "GOWS"])(
    "are refused by %s on Core with WAHA's 422",
    async (engine) => {
      await client.control("reset", { engine, tier: "CORE" });
      const res = await client.api<Json>("/api/sendImage", {
        body: { chatId: ANA, file: { mimetype: "image/png", data: "iVBORw0KGgo=" } },
      });
      expect(res.status).toBe(422);
      expect(res.body.message).toBe(
        `The feature is available only in Plus version for '${engine}' engine. Check this out: https://waha.devlike.pro/`,
      );
    },
  );

  it("store the upload, serve its bytes, and announce it with message.any on Plus", async () => {
    await client.control("reset", { tier: "PLUS" });
    const upload = Buffer.from("%PDF-1.4\n% an uploaded file\n");
    const res = await client.api<Json>("/api/sendFile", {
      body: {
        chatId: ANA,
        caption: "Your invoice",
        file: { mimetype: "application/pdf", filename: "inv.pdf", data: upload.toString("base64") },
      },
    });
    expect(res.status).toBe(201);
    const [sent] = await messages(ANA, "limit=1");
    expect(sent).toMatchObject({
      fromMe: true,
      body: "Your invoice",
      hasMedia: true,
      source: "api",
    });
    expect(sent?.media).toMatchObject({ mimetype: "application/pdf", filename: "inv.pdf" });
    expect((await bytes(sent?.media?.url ?? "")).equals(upload)).toBe(true);
    const [hook] = await hooks.waitFor(1);
    expect(JSON.parse(hook?.body ?? "{}")).toMatchObject({
      event: "message.any",
      payload: { id: sent?.id },
    });

    const voice = await client.api("/api/sendVoice", {
      body: {
        chatId: ANA,
        file: { mimetype: "audio/ogg", url: "https://example.invalid/v.ogg" },
        convert: true,
      },
    });
    expect(voice.status).toBe(201);
    // Same-second messages keep their order in a newest-first list, so look for it.
    const note = (await messages(ANA, "limit=2")).find((m) => m._data.type === "ptt");
    expect(note?.media?.mimetype).toBe("audio/ogg; codecs=opus");
    expect((await bytes(note?.media?.url ?? "")).subarray(0, 4).toString("latin1")).toBe("OggS");
  });

  it("name the bad field of a media request", async () => {
    await client.control("reset", { tier: "PLUS" });
    const noFile = await client.api<Json>("/api/sendImage", { body: { chatId: ANA } });
    expect(noFile.status).toBe(400);
    expect(String(noFile.body.message)).toMatch(/^file /);
    const both = await client.api<Json>("/api/sendImage", {
      body: {
        chatId: ANA,
        file: { mimetype: "image/png", data: "AAAA", url: "https://x.invalid/a.png" },
      },
    });
    expect(both.status).toBe(400);
  });
});

describe("@lid chats, channel posts and status updates", () => {
  it("are listed where each engine lists them, shaped as it shapes them", async () => {
    await client.control("reset", { demo: "full" });
    const webjs = (await client.api<Json[]>("/api/default/chats")).body.map((c) =>
      typeof c.id === "string" ? c.id : String((c.id as Json)._serialized),
    );
    expect(webjs).toContain(LID);
    expect(webjs).not.toContain(NEWSLETTER);
    expect(webjs).not.toContain(STATUS);
    const [lidMessage] = await messages(LID, "limit=1");
    expect(lidMessage?.id).toMatch(/^false_246810121416182@lid_[0-9A-F]{20}$/);
    expect(lidMessage?.from).toBe(LID);

    await client.control("reset", { demo: "full", engine: "NOWEB" });
    const noweb = (await client.api<Json[]>("/api/default/chats")).body.map((c) => c.id);
    expect(noweb).toEqual(expect.arrayContaining([LID, NEWSLETTER, STATUS]));
    const [fromLid] = await messages(LID, "limit=1");
    expect(fromLid?._data.key).toMatchObject({
      remoteJid: LID,
      remoteJidAlt: "15550100022@s.whatsapp.net",
    });
    const [post] = await messages(NEWSLETTER, "limit=1");
    expect(post).toMatchObject({ from: NEWSLETTER, fromMe: false });
    const status = await messages(STATUS);
    expect(status.every((m) => m.from === STATUS && typeof m.participant === "string")).toBe(true);
  });

  it("are sent on request, as the engine sends them", async () => {
    await client.control("reset", { engine: "GOWS" });
    await client.control("messages", {
      chatId: STATUS,
      participant: "15550100003@c.us",
      body: "New stock today",
      webhook: true,
    });
    const [envelope] = hooks.envelopes();
    expect(envelope?.payload).toMatchObject({
      from: STATUS,
      to: "15550100003@c.us",
      participant: "15550100003@c.us",
      body: "New stock today",
    });
    expect(String(((envelope?.payload ?? {}) as Json).id)).toMatch(
      /^false_status@broadcast_[0-9A-F]{20}_15550100003@c\.us$/,
    );
    await client.control("reset", {});
  });
});

describe("acks WAHA cannot name", () => {
  it("come as ack: null, ackName UNKNOWN on GOWS, which reads an error status so; ERROR elsewhere", async () => {
    for (const engine of ["GOWS", "NOWEB"]) {
      await client.control("reset", { engine });
      await client.control("messages", { chatId: ANA, body: "failed", fromMe: true, ack: -1 });
      const [m] = await messages(ANA, "limit=1");
      expect(m).toMatchObject(
        engine === "GOWS" ? { ack: null, ackName: "UNKNOWN" } : { ack: -1, ackName: "ERROR" },
      );
    }
    await client.control("reset", {});
  });
});

describe("demo videos", () => {
  const boxes = (file: Buffer) => ["trak", "vp09", "ftyp"].filter((box) => file.includes(box));

  it("play: the demo clip holds a VP9 video track; a broken one is kept for the cannot-play case", async () => {
    await client.control("reset", { demo: "full" });
    const [clip] = (await messages("15550100004@c.us")).filter((m) => m.hasMedia);
    const playable = await bytes(clip?.media?.url ?? "");
    expect(boxes(playable)).toEqual(["trak", "vp09", "ftyp"]);
    expect(playable.length).toBeLessThan(100_000);
    const [broken] = (await messages(LID)).filter((m) => m.media?.mimetype === "video/mp4");
    expect(boxes(await bytes(broken?.media?.url ?? ""))).toEqual(["ftyp"]);
    const made = await client.control<Msg>("messages", {
      chatId: ANA,
      media: { kind: "video/mp4", playable: false },
    });
    const [listed] = await messages(ANA, "limit=1");
    expect(listed?.id).toBe(made.body.id);
    expect(boxes(await bytes(listed?.media?.url ?? ""))).toEqual(["ftyp"]);
  });
});

describe("the control API", () => {
  it.each([
    ["reset", { engine: "BAILEYS" }, /^engine /],
    ["reset", { demo: "everything" }, /^demo /],
    ["messages", { chatId: "nobody" }, /^chatId /],
    ["messages", { chatId: ANA, replyTo: "false_1@c.us_NOPE" }, /^replyTo /],
    ["ack", { messageId: "nope", ack: 3 }, /^messageId /],
    ["react", { messageId: "false_15550100001@c.us_x" }, /^messageId /],
    ["edit", { messageId: "false_15550100001@c.us_x", body: "x" }, /^messageId /],
    ["revoke", {}, /^messageId /],
  ])("answers POST %s %j with 400 naming the field", async (route, body, message) => {
    await client.control("reset", {});
    const res = await client.control<Json>(route, body);
    expect(res.status).toBe(400);
    expect(String(res.body.message)).toMatch(message);
  });

  it("switches engines at runtime with PUT config, and back to the start engine on reset", async () => {
    await client.control("reset", {});
    expect((await client.control<Json>("config", { engine: "GOWS" }, "PUT")).body.engine).toBe(
      "GOWS",
    );
    expect((await client.api<Json>("/api/server/version")).body.engine).toBe("GOWS");
    const [m] = await messages(ANA, "limit=1");
    expect(m?.to).toBeNull();
    expect((await client.control<Json>("reset", {})).body.engine).toBe("WEBJS");
    expect((await client.control<Json>("config")).body.engine).toBe("WEBJS");
  });
});
