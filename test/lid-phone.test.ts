/**
 * A customer WhatsApp names by @lid, whose phone number WAHA's lid table does not know,
 * is still filed under the phone number when NOWEB's record of the message carries it
 * (`key.remoteJidAlt`, as real WAHA 2026.2.1 sends it), and so are later changes.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { ChatSummary } from "../src/lib/store/browser-shapes.ts";
import { deliver } from "./events.ts";
import { call, resetAssignmentData, sim } from "./helpers.ts";

const LID = "98765432100001@lid";
const PHONE = "15551239001";
const admin = { role: "admin" as const, sub: "admin-lid" };

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
});

/** NOWEB's message.any for a customer's text in an @lid chat, as real WAHA sent it. */
function nowebFromLid(key: string, body: string, alt: string | null) {
  return {
    id: `false_${LID}_${key}`,
    timestamp: Math.floor(Date.now() / 1000),
    from: LID,
    fromMe: false,
    source: "app",
    body,
    hasMedia: false,
    media: null,
    ack: 2,
    ackName: "DEVICE",
    replyTo: null,
    _data: {
      key: { remoteJid: LID, fromMe: false, id: key, ...(alt ? { remoteJidAlt: alt } : {}) },
      message: { conversation: body },
      pushName: "Lina",
    },
  };
}

describe("a customer known to WhatsApp by @lid", () => {
  it("is filed under the phone number NOWEB's record carries, as are its later messages' receipts", async () => {
    const res = await deliver(
      "message.any",
      nowebFromLid("3A00000000000001", "hello from lid", `${PHONE}@s.whatsapp.net`),
      { engine: "NOWEB" },
    );
    expect(await res.json()).toMatchObject({ status: "accepted" });
    const chats = await (await call("/api/wa/chats", { as: admin })).json<ChatSummary[]>();
    expect(chats.map((c) => c.id)).toContain(`${PHONE}@c.us`);
    expect(chats.map((c) => c.id)).not.toContain(LID);
    // A later message without the alt is filed there too: the pair was learnt.
    await deliver("message.any", nowebFromLid("3A00000000000002", "and again", null), {
      engine: "NOWEB",
    });
    const page = await (await call(`/api/wa/messages?jid=${PHONE}@c.us`, { as: admin })).json<
      Array<{ body: string }>
    >();
    expect(page.map((m) => m.body)).toEqual(
      expect.arrayContaining(["hello from lid", "and again"]),
    );
    const row = await env.DB.prepare("SELECT pn FROM lids WHERE lid = ?")
      .bind(LID)
      .first<{ pn: string }>();
    expect(row?.pn).toBe(`${PHONE}@c.us`);
  });
});
