/**
 * What a conversation shows besides text and files, on every engine: missed calls (WAHA's
 * call.* events), shared locations, contact cards and stickers, as the simulator speaks each
 * engine's shapes.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { BrowserMessage, ChatSummary } from "../src/lib/contracts/api.ts";
import { deliver } from "./events.ts";
import { call, resetAssignmentData, sim } from "./helpers.ts";

const admin = { role: "admin" as const, sub: "admin-items" };
const JID = "15550100006@c.us";

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
});

async function page(): Promise<BrowserMessage[]> {
  const res = await call(`/api/wa/messages?jid=${JID}`, { as: admin });
  expect(res.status).toBe(200);
  return res.json<BrowserMessage[]>();
}

describe.each(["WEBJS", "NOWEB", "GOWS"])("on %s", (engine) => {
  beforeEach(async () => {
    await sim.control("reset", { engine });
  });

  async function incoming(fields: Record<string, unknown>): Promise<BrowserMessage | undefined> {
    const payload = await sim.control<{ id: string }>("messages", { chatId: JID, ...fields });
    expect((await deliver("message", payload, { engine })).status).toBe(200);
    return (await page()).find((m) => m.id.endsWith(payload.id.split("_")[2] ?? "?"));
  }

  it("shows a shared location as its coordinates and place, never a thumbnail as text", async () => {
    const m = await incoming({
      location: { latitude: 38.8937255, longitude: -77.0969763, name: "Our office" },
    });
    expect(m?.kind).toBe("location");
    expect(m?.extra).toMatchObject({
      latitude: 38.8937255,
      longitude: -77.0969763,
      name: "Our office",
    });
    expect(m?.body).toBeNull();
  });

  it("shows a contact card's name and number", async () => {
    const m = await incoming({ card: { name: "Rita Alves", number: "5511987654321" } });
    expect(m?.kind).toBe("vcard");
    expect(m?.extra).toEqual({ contacts: [{ name: "Rita Alves", number: "+5511987654321" }] });
    const chats = await (await call("/api/wa/chats", { as: admin })).json<ChatSummary[]>();
    expect(chats.find((c) => c.id === JID)?.preview).toBe("Contact");
  });

  it("shows a sticker as a picture from the gateway", async () => {
    const m = await incoming({ sticker: true });
    expect(m?.kind).toBe("sticker");
    expect(m?.media?.url).toMatch(/^\/api\/wa\/media\?number=default&jid=/);
    expect(m?.body).toBeNull();
  });

  it("shows a call the customer made, missed when it was never answered", async () => {
    const rang = await sim.control<{ event: string; payload: unknown; id: string }>("calls", {
      from: JID,
      status: "offer",
    });
    expect((await deliver(rang.event, rang.payload, { engine })).status).toBe(200);
    const ended = await sim.control<{ event: string | null; payload?: unknown }>("calls", {
      from: JID,
      status: "reject",
      id: rang.id,
    });
    if (ended.event) await deliver(ended.event, ended.payload, { engine });
    const calls = (await page()).filter((m) => m.kind === "call");
    expect(calls).toHaveLength(1);
    // WEBJS tells of the ringing only; the others of how it ended.
    expect(calls[0]?.extra).toEqual({
      video: false,
      outcome: engine === "WEBJS" ? "ringing" : "missed",
    });
  });
});

describe("calls", () => {
  it("an answered call stays answered when a late ring arrives", async () => {
    await sim.control("reset", { engine: "NOWEB" });
    const rang = await sim.control<{ event: string; payload: unknown; id: string }>("calls", {
      from: JID,
      status: "offer",
      isVideo: true,
    });
    const answered = await sim.control<{ event: string; payload: unknown }>("calls", {
      from: JID,
      status: "accept",
      id: rang.id,
      isVideo: true,
    });
    await deliver(answered.event, answered.payload, { engine: "NOWEB" });
    await deliver(rang.event, rang.payload, { engine: "NOWEB" });
    const calls = (await page()).filter((m) => m.kind === "call");
    expect(calls.map((m) => m.extra)).toEqual([{ video: true, outcome: "answered" }]);
  });
});
