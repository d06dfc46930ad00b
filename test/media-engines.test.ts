import { describe, expect, it } from "vitest";
import type { BrowserMessage } from "../src/lib/store/browser-shapes.ts";
import {
  deliverSim,
  ENGINES,
  type EngineName,
  GROUP,
  inboxId,
  MEMBERS,
  type NewMessage,
  onEngine,
  simMessage,
} from "./engines.ts";
import { call, sim } from "./helpers.ts";
import { freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

const CUSTOMER = "15557790001@c.us";

/** A message with media announced to the gateway, as the inbox then lists it. */
async function announced(engine: EngineName, input: NewMessage): Promise<BrowserMessage> {
  const sent = await simMessage(input);
  expect(await deliverSim(engine, sent)).toBe("accepted");
  const page = await call(`/api/wa/messages?jid=${input.chatId}`, { as: newUser("admin") });
  const found = (await page.json<BrowserMessage[]>()).find((m) => m.id === inboxId(sent.payload));
  if (!found) throw new Error(`${sent.payload.id} is not listed in ${input.chatId}`);
  return found;
}

async function media(url: string | null | undefined): Promise<Response> {
  return call(url ?? "/api/wa/media", { as: newUser("admin") });
}

describe.each(ENGINES)("on %s", (engine) => {
  onEngine(engine);

  it("serves the picture we sent a customer", async () => {
    const m = await announced(engine, {
      chatId: CUSTOMER,
      fromMe: true,
      media: { kind: "image/jpeg" },
    });
    expect(m.media).toMatchObject({ mimetype: "image/jpeg" });
    const res = await media(m.media?.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/jpeg");
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it("serves a member's document in the group under its file name", async () => {
    const m = await announced(engine, {
      chatId: GROUP,
      participant: MEMBERS[1],
      media: { kind: "application/pdf", filename: "invoice-77.pdf" },
    });
    const res = await media(m.media?.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/pdf");
    expect(res.headers.get("Content-Disposition")).toContain('filename="invoice-77.pdf"');
    expect(new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
  });

  it("serves the voice note we sent the group", async () => {
    const m = await announced(engine, {
      chatId: GROUP,
      fromMe: true,
      media: { kind: "audio/ogg" },
    });
    const res = await media(m.media?.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")?.startsWith("audio/ogg")).toBe(true);
    await res.arrayBuffer();
  });

  it("refuses a message's media asked for under another chat, the file untouched", async () => {
    const m = await announced(engine, {
      chatId: CUSTOMER,
      media: { kind: "image/png" },
    });
    const other = `/api/wa/media?jid=${encodeURIComponent("15557790002@c.us")}&id=${encodeURIComponent(m.id)}`;
    const res = await media(other);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "media-not-found" });
    expect(await simCalls("file")).toEqual({ file: 0 });
    expect((await media(m.media?.url)).status).toBe(200);
  });

  it("serves the photo of a person WAHA knows by @lid under their phone number's chat", async () => {
    const lid = "77665544332211@lid";
    const phone = "15557790009@c.us";
    await sim.control("lids", { lid, pn: phone });
    const sent = await simMessage({ chatId: lid, media: { kind: "image/jpeg" } });
    expect(await deliverSim(engine, sent)).toBe("accepted");
    const page = await call(`/api/wa/messages?jid=${phone}`, { as: newUser("admin") });
    const m = (await page.json<BrowserMessage[]>()).find((x) => x.id === sent.payload.id);
    const res = await media(m?.media?.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/jpeg");
    await res.arrayBuffer();
  });
});
