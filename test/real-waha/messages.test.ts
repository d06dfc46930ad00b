/**
 * Messages through the real WAHA (NOWEB) end to end: a stand-in for Baileys' socket plays
 * the phone (test/real-waha/baileys-stand-in.cjs), and WAHA's own converters, store and
 * webhook sender turn its events into what the gateway meets in production: webhooks in,
 * the store, realtime frames, lists, history paging, media through WAHA's files URL, sends
 * and their echo, receipts, reactions, edits and deletions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Frames, openFrames } from "./frames.ts";
import { incoming, jidOf, keyId, type Phone, startPhone } from "./phone.ts";
import { record } from "./recordings.ts";

let phone: Phone;
let frames: Frames;

interface Listed {
  id: string;
  body: string | null;
  fromMe: boolean;
  ackName: string | null;
  reactions?: Array<{ from: string; text: string }>;
  editedAt?: number | null;
  revokedAt?: number | null;
  hasMedia?: boolean;
  media?: { url: string; mimetype: string } | null;
}

async function messages(jid: string, query = ""): Promise<Listed[]> {
  const res = await phone.stack.call(`/api/wa/messages?jid=${encodeURIComponent(jid)}${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Listed[];
}

beforeAll(async () => {
  phone = await startPhone();
  frames = await openFrames(phone.stack);
});

afterAll(async () => {
  if (process.env.RECORD_WAHA_FIXTURES && phone) await record(phone);
  frames?.close();
  await phone?.stop();
});

describe("real WAHA with a phone that answers", () => {
  it("a customer's text reaches the inbox once: stored, listed under the customer's name, announced", async () => {
    const id = keyId();
    await phone.emit(
      "messages.upsert",
      incoming("15551230001", { conversation: "Is my order ready?" }, { id, pushName: "Ana" }),
    );
    const jid = "15551230001@c.us";
    const frame = await frames.next((f) => f.type === "message.new" && f.jid === jid);
    expect(frame).toMatchObject({
      message: { id: `false_${jid}_${id}`, body: "Is my order ready?" },
    });
    const chats = (await (await phone.stack.call("/api/wa/chats")).json()) as Array<{
      id: string;
      name: string;
    }>;
    expect(chats).toContainEqual(expect.objectContaining({ id: jid, name: "Ana" }));
    expect((await messages(jid)).map((m) => m.body)).toContain("Is my order ready?");
    const delivery = phone.recorder.deliveries.find(
      (d) => d.event === "message.any" && JSON.stringify(d.body).includes(id),
    );
    expect(delivery?.answer.status).toBe(200);
  });

  it("a send reaches WhatsApp once, WAHA's echo is not announced again, and the customer's read receipt shows", async () => {
    const jid = "15551230002@c.us";
    const res = await phone.stack.sendText(jid, "Your parcel left today", "real-send-0001");
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^true_15551230002@c\.us_/);
    const sent = (await phone.sent()).filter((s) => s.content.text === "Your parcel left today");
    expect(sent).toHaveLength(1);
    // WAHA's own message.any for the send arrives and is answered, but announced once only.
    await phone.recorder.next(
      (d) => d.event === "message.any" && JSON.stringify(d.body).includes(sent[0]?.id ?? "?"),
    );
    const news = frames.all.filter(
      (f) => f.type === "message.new" && (f.message as { id?: string }).id === id,
    );
    expect(news).toHaveLength(1);

    await phone.emit("messages.update", [
      {
        key: { remoteJid: jidOf("15551230002"), fromMe: true, id: sent[0]?.id },
        update: { status: 4 },
      },
    ]);
    await frames.next((f) => f.type === "message.status" && f.id === id && f.status === "READ");
    expect((await messages(jid)).find((m) => m.id === id)?.ackName).toBe("READ");
  });

  it("a customer's reaction, edit and deletion show on their messages", async () => {
    const customer = "15551230003";
    const jid = `${customer}@c.us`;
    const [first, second] = [keyId(), keyId()];
    await phone.emit(
      "messages.upsert",
      incoming(customer, { conversation: "see you at 3" }, { id: first }),
    );
    await phone.emit(
      "messages.upsert",
      incoming(customer, { conversation: "my card: 4111…" }, { id: second }),
    );
    await frames.next(
      (f) =>
        f.type === "message.new" && (f.message as { id?: string }).id?.endsWith(second) === true,
    );
    const key = (id: string) => ({ remoteJid: jidOf(customer), fromMe: false, id });
    await phone.emit(
      "messages.upsert",
      incoming(customer, {
        reactionMessage: { key: key(first), text: "👍", senderTimestampMs: Date.now() },
      }),
    );
    await phone.emit(
      "messages.upsert",
      incoming(customer, {
        protocolMessage: {
          key: key(first),
          type: 14,
          editedMessage: { conversation: "see you at 4" },
        },
      }),
    );
    await phone.emit(
      "messages.upsert",
      incoming(customer, { protocolMessage: { key: key(second), type: 0 } }),
    );
    await frames.next((f) => f.type === "message.reaction" && f.jid === jid);
    await frames.next((f) => f.type === "message.edited" && f.jid === jid);
    await frames.next((f) => f.type === "message.revoked" && f.jid === jid);
    const listed = await messages(jid);
    expect(listed.find((m) => m.id.endsWith(first))).toMatchObject({
      body: "see you at 4",
      reactions: [{ from: jid, text: "👍" }],
    });
    expect(listed.find((m) => m.id.endsWith(second))).toMatchObject({ body: null });
    expect(listed.find((m) => m.id.endsWith(second))?.revokedAt).toEqual(expect.any(Number));
  });

  it("a customer's photo is served through WAHA's files URL, bytes as WhatsApp gave them", async () => {
    const customer = "15551230004";
    const jid = `${customer}@c.us`;
    const id = keyId();
    const jpeg = new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xe0,
      ...Array.from({ length: 64 }, (_, i) => i),
      0xff,
      0xd9,
    ]);
    await phone.file(id, jpeg);
    await phone.emit(
      "messages.upsert",
      incoming(
        customer,
        {
          imageMessage: {
            mimetype: "image/jpeg",
            caption: "the damaged box",
            url: "https://mmg.whatsapp.net/stand-in",
            fileLength: jpeg.length,
            mediaKey: Buffer.from("k".repeat(32)).toString("base64"),
          },
        },
        { id },
      ),
    );
    const frame = await frames.next((f) => f.type === "message.new" && f.jid === jid);
    const message = frame.message as Listed;
    expect(message).toMatchObject({ hasMedia: true, body: "the damaged box" });
    const media = await phone.stack.call(
      `/api/wa/media?jid=${encodeURIComponent(jid)}&id=${encodeURIComponent(message.id)}`,
    );
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await media.arrayBuffer())).toEqual(jpeg);
  });

  it("history older than the store comes from WAHA's store, page by page, to the oldest", async () => {
    const customer = "15551230005";
    const jid = `${customer}@c.us`;
    const start = Math.floor(Date.now() / 1000) - 10_000;
    // A history sync: WAHA stores these, and sends no webhook for them.
    await phone.emit("messaging-history.set", {
      chats: [],
      contacts: [],
      messages: Array.from({ length: 75 }, (_, i) => ({
        key: { remoteJid: jidOf(customer), fromMe: i % 3 === 0, id: keyId() },
        message: { conversation: `old ${i}` },
        messageTimestamp: start + i * 60,
      })),
      isLatest: true,
      syncType: 2,
    });
    const seen: string[] = [];
    let page = await messages(jid, "&limit=30");
    while (page.length > 0) {
      seen.push(...page.map((m) => m.body ?? ""));
      const oldest = page.at(-1)?.id ?? "";
      page = await messages(jid, `&limit=30&beforeId=${encodeURIComponent(oldest)}`);
    }
    expect(seen).toHaveLength(75);
    expect(seen.at(0)).toBe("old 74");
    expect(seen.at(-1)).toBe("old 0");
  });

  it("a customer WhatsApp names by @lid is filed under the phone number NOWEB's record carries", async () => {
    const lid = "98765432100001@lid";
    await phone.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: lid, remoteJidAlt: jidOf("15551239001"), fromMe: false, id: keyId() },
          message: { conversation: "hello, it's Lina" },
          messageTimestamp: Math.floor(Date.now() / 1000),
          pushName: "Lina",
        },
      ],
    });
    await frames.next((f) => f.type === "message.new" && f.jid === "15551239001@c.us");
    const chats = (await (await phone.stack.call("/api/wa/chats")).json()) as Array<{ id: string }>;
    expect(chats.map((c) => c.id)).not.toContain(lid);
  });

  it("a group: a member's message under the group, our send's receipts from NOWEB's message.ack and a member's read", async () => {
    const group = "120363000000000001@g.us";
    await phone.emit(
      "messages.upsert",
      incoming(
        "15551239002",
        { conversation: "group hello" },
        { chat: group, participant: jidOf("15551239002") },
      ),
    );
    await frames.next((f) => f.type === "message.new" && f.jid === group);
    const res = await phone.stack.sendText(group, "to the group", "real-group-0001");
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const key = (await phone.sent()).find((s) => s.content.text === "to the group")?.id;
    await phone.emit("messages.update", [
      { key: { remoteJid: group, fromMe: true, id: key }, update: { status: 3 } },
    ]);
    await frames.next((f) => f.type === "message.status" && f.id === id && f.status === "DEVICE");
    await phone.emit("message-receipt.update", [
      {
        key: { remoteJid: group, fromMe: true, id: key },
        receipt: { userJid: jidOf("15551239002"), readTimestamp: Math.floor(Date.now() / 1000) },
      },
    ]);
    await frames.next((f) => f.type === "message.status" && f.id === id && f.status === "READ");
  });

  const KINDS: Array<
    [string, Record<string, unknown>, { mimetype: string | null; body?: string }]
  > = [
    [
      "a document",
      { documentMessage: { mimetype: "application/pdf", fileName: "invoice.pdf", fileLength: 64 } },
      { mimetype: "application/pdf" },
    ],
    [
      "a voice note",
      {
        audioMessage: { mimetype: "audio/ogg; codecs=opus", ptt: true, seconds: 3, fileLength: 64 },
      },
      { mimetype: "audio/ogg; codecs=opus" },
    ],
    [
      "a sticker",
      { stickerMessage: { mimetype: "image/webp", fileLength: 64 } },
      { mimetype: "image/webp" },
    ],
    [
      "a location",
      { locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: "Depot" } },
      { mimetype: null },
    ],
    [
      "a contact card",
      {
        contactMessage: {
          displayName: "Ben",
          vcard: "BEGIN:VCARD\nVERSION:3.0\nFN:Ben\nTEL;type=CELL:+15551230099\nEND:VCARD",
        },
      },
      { mimetype: null },
    ],
  ];
  for (const [name, content, expected] of KINDS) {
    it(`${name} from a customer reaches the inbox, its file (if any) through WAHA`, async () => {
      const customer = `1555124${String(KINDS.findIndex(([n]) => n === name)).padStart(4, "0")}`;
      const jid = `${customer}@c.us`;
      const id = keyId();
      const bytes = new Uint8Array(64).map((_, i) => (i * 7) % 256);
      await phone.file(id, bytes);
      for (const media of Object.values(content) as Array<Record<string, unknown>>) {
        if (expected.mimetype) media.mediaKey = Buffer.from("k".repeat(32)).toString("base64");
      }
      await phone.emit("messages.upsert", incoming(customer, content, { id }));
      const frame = await frames.next((f) => f.type === "message.new" && f.jid === jid);
      const message = frame.message as Listed;
      expect(message.hasMedia).toBe(expected.mimetype !== null);
      if (expected.mimetype) {
        expect(message.media?.mimetype).toBe(expected.mimetype);
        const media = await phone.stack.call(
          `/api/wa/media?jid=${encodeURIComponent(jid)}&id=${encodeURIComponent(message.id)}`,
        );
        expect(media.status).toBe(200);
        expect(new Uint8Array(await media.arrayBuffer())).toEqual(bytes);
      }
      expect((await messages(jid)).map((m) => m.id)).toContain(message.id);
    });
  }

  it("our own message typed on the phone is stored as ours, once", async () => {
    const customer = "15551230010";
    const id = keyId();
    await phone.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: jidOf(customer), fromMe: true, id },
          message: { conversation: "typed on the phone" },
          messageTimestamp: Math.floor(Date.now() / 1000),
          status: 2,
        },
      ],
    });
    const jid = `${customer}@c.us`;
    const frame = await frames.next((f) => f.type === "message.new" && f.jid === jid);
    expect(frame.message).toMatchObject({ fromMe: true, body: "typed on the phone" });
  });

  it("a customer WhatsApp names by @lid whose phone nobody knows keeps a chat of its own", async () => {
    const lid = "98765432100077@lid";
    await phone.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: lid, fromMe: false, id: keyId() },
          message: { conversation: "no number known" },
          messageTimestamp: Math.floor(Date.now() / 1000),
          pushName: "Nameless",
        },
      ],
    });
    await frames.next((f) => f.type === "message.new" && f.jid === lid);
  });
});
