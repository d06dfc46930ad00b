import { describe, expect, it } from "vitest";
import type { BrowserMessage } from "../src/lib/store/browser-shapes.ts";
import {
  deliverSim,
  ENGINES,
  GROUP,
  inboxId,
  onEngine,
  simChange,
  type WahaPayload,
} from "./engines.ts";
import { connect, expectNothingBefore } from "./events.ts";
import { call, json, sim } from "./helpers.ts";
import { freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

const ANA = "15550100001@c.us";

/** The newest message of a chat as the engine shows it: what its `message.any` carries. */
async function newestInWaha(jid: string): Promise<WahaPayload> {
  const res = await sim.waha(`/api/default/chats/${encodeURIComponent(jid)}/messages?limit=1`);
  const [newest] = await res.json<WahaPayload[]>();
  if (!newest) throw new Error(`WAHA has no message in ${jid}`);
  return newest;
}

async function send(jid: string, text: string) {
  const res = await call("/api/wa/send-text", { ...json({ jid, text }), as: newUser("admin") });
  expect(res.status).toBe(200);
  return res.json<{ id: string; status: string; message: BrowserMessage }>();
}

describe.each(ENGINES)("on %s", (engine) => {
  onEngine(engine);

  for (const [where, jid] of [
    ["a customer", ANA],
    ["the group", GROUP],
  ] as const) {
    it(`shows what we send ${where} at once, and WAHA's later message.any for it changes nothing`, async () => {
      const admin = await connect("admin");
      const sent = await send(jid, "Thanks, noted!");
      expect(sent).toMatchObject({
        status: "sent",
        message: { id: sent.id, body: "Thanks, noted!", fromMe: true, ack: 1 },
      });
      expect(await admin.next()).toMatchObject({
        type: "message.new",
        jid,
        message: { id: sent.id, body: "Thanks, noted!" },
      });
      expect(await admin.next()).toMatchObject({
        type: "outbox.status",
        id: sent.id,
        status: "sent",
      });

      const echo = await newestInWaha(jid);
      expect(echo.body).toBe("Thanks, noted!");
      expect(inboxId(echo)).toBe(sent.id);
      expect(await deliverSim(engine, { event: "message.any", payload: echo })).toBe("unchanged");
      await expectNothingBefore(admin, "STARTING");

      const page = await call(`/api/wa/messages?jid=${jid}`, { as: newUser("admin") });
      const mine = (await page.json<BrowserMessage[]>()).filter((m) => m.body === "Thanks, noted!");
      expect(mine.map((m) => m.id)).toEqual([sent.id]);
      expect(await simCalls("sendText")).toEqual({ sendText: 1 });
    });
  }

  it("sends a voice note recorded in the browser so WhatsApp gets a playable OGG/Opus note (WAHA Plus)", async () => {
    await sim.control("reset", { engine, tier: "PLUS" });
    const form = new FormData();
    form.set("jid", ANA);
    form.set(
      "file",
      new File([new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2])], "note.webm", {
        type: "audio/webm",
      }),
    );
    const res = await call("/api/wa/send-media", {
      method: "POST",
      body: form,
      as: newUser("admin"),
    });
    expect(res.status).toBe(200);
    expect(await simCalls("sendVoice")).toEqual({ sendVoice: 1 });
    const note = await newestInWaha(ANA);
    expect(note).toMatchObject({ fromMe: true, hasMedia: true });
    expect((note.media as { mimetype?: string } | null)?.mimetype).toBe("audio/ogg; codecs=opus");
  });

  it("announces the customer's receipts of what we sent", async () => {
    const admin = await connect("admin");
    const sent = await send(ANA, "Your order shipped");
    expect(await admin.next()).toMatchObject({ type: "message.new", jid: ANA });
    expect(await admin.next()).toMatchObject({
      type: "outbox.status",
      id: sent.id,
      status: "sent",
    });
    const echo = await newestInWaha(ANA);
    const read = await simChange("ack", { messageId: echo.id, ack: 3 });
    expect(await deliverSim(engine, read)).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.status",
      number: "default",
      jid: ANA,
      id: sent.id,
      status: "READ",
    });
  });
});
