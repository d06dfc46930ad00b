// NOWEB without its store: WAHA refuses chats, messages, one message and lids with a 400, so
// the inbox lives on what webhooks brought, says why where nothing came, and does not ask
// WAHA again for what it has refused.
import { beforeEach, describe, expect, it } from "vitest";
import type { BrowserMessage, ChatSummary } from "../src/lib/store/browser-shapes.ts";
import { deliverSim, inboxId, onEngine, simMessage } from "./engines.ts";
import { call, sim } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

const CUSTOMER = "15557800001@c.us";
const NEVER = "15557800002@c.us";
const RECONCILE_MS = 300_000;

async function get(path: string): Promise<Response> {
  return call(path, { as: newUser("admin") });
}

async function announce(chatId: string, body: string, media?: { kind: string }) {
  const sent = await simMessage({ chatId, body, ...(media ? { media } : {}) });
  expect(await deliverSim("NOWEB", sent)).toBe("accepted");
  return sent.payload;
}

describe("on NOWEB with its store off", () => {
  onEngine("NOWEB", "full");
  beforeEach(async () => {
    await sim.control("config", { nowebStoreEnabled: false }, "PUT");
  });

  it("lists the chats and messages webhooks brought, asking WAHA at most once per reconcile", async () => {
    const first = await announce(CUSTOMER, "Is it in stock?");
    for (let i = 0; i < 3; i++) {
      const chats = await get("/api/wa/chats");
      expect(chats.status).toBe(200);
      expect((await chats.json<ChatSummary[]>()).map((c) => c.id)).toEqual([CUSTOMER]);
      const page = await get(`/api/wa/messages?jid=${CUSTOMER}`);
      expect(page.status).toBe(200);
      expect((await page.json<BrowserMessage[]>()).map((m) => m.id)).toEqual([inboxId(first)]);
    }
    expect(await simCalls("chats", "messages")).toEqual({ chats: 1, messages: 1 });
    advance(RECONCILE_MS);
    expect((await get("/api/wa/chats")).status).toBe(200);
    expect((await get(`/api/wa/messages?jid=${CUSTOMER}`)).status).toBe(200);
    expect(await simCalls("chats", "messages")).toEqual({ chats: 2, messages: 2 });
  });

  it("says WAHA's store is off where nothing was brought yet, without a 400 or 500", async () => {
    const chats = await get("/api/wa/chats");
    expect(chats.status).toBe(409);
    expect(await chats.json()).toMatchObject({
      error: "waha-store-disabled",
      message: expect.stringContaining("noweb.store.enabled"),
    });
    await announce(CUSTOMER, "Hello");
    const never = await get(`/api/wa/messages?jid=${NEVER}`);
    expect(never.status).toBe(409);
    expect(await never.json()).toMatchObject({ error: "waha-store-disabled" });
  });

  it("answers older pages with what is stored, not an error, though WAHA cannot page", async () => {
    const older = await announce(CUSTOMER, "first");
    const newer = await announce(CUSTOMER, "second");
    const page = await get(
      `/api/wa/messages?jid=${CUSTOMER}&beforeId=${encodeURIComponent(inboxId(newer))}`,
    );
    expect(page.status).toBe(200);
    expect((await page.json<BrowserMessage[]>()).map((m) => m.id)).toEqual([inboxId(older)]);
    const before = await get(
      `/api/wa/messages?jid=${CUSTOMER}&beforeId=${encodeURIComponent(inboxId(older))}`,
    );
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual([]);
  });

  it("answers media WAHA can no longer look up as not found, says why, and cools down", async () => {
    const photo = await announce(CUSTOMER, "", { kind: "image/jpeg" });
    await sim.control("expire", {});
    const url = `/api/wa/media?jid=${CUSTOMER}&id=${encodeURIComponent(inboxId(photo))}`;
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(res.headers.get("Retry-After")).not.toBeNull();
    expect(await res.json()).toMatchObject({
      error: "media-not-found",
      message: expect.stringContaining("noweb.store.enabled"),
    });
    const again = await get(url);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({
      error: "media-not-found",
      message: expect.stringContaining("noweb.store.enabled"),
    });
    expect(await simCalls("message", "file")).toEqual({ message: 1, file: 0 });
  });

  it("marks a chat read by naming the messages webhooks brought, since WAHA cannot pick them", async () => {
    const asked = await announce(CUSTOMER, "Anyone?");
    const res = await call("/api/wa/mark-read", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jid: CUSTOMER }),
      as: newUser("admin"),
    });
    expect(res.status).toBe(200);
    const chats = await (await get("/api/wa/chats")).json<ChatSummary[]>();
    expect(chats.find((c) => c.id === CUSTOMER)?.unreadCount).toBe(0);
    const raw = await sim.waha(`/api/default/chats/${CUSTOMER}/messages?limit=1`);
    expect(raw.status).toBe(400);
    await sim.control("config", { nowebStoreEnabled: true }, "PUT");
    const [read] = await (
      await sim.waha(`/api/default/chats/${CUSTOMER}/messages?limit=1&downloadMedia=false`)
    ).json<Array<{ id: string; ack: number }>>();
    expect(read).toMatchObject({ id: asked.id, ack: 3 });
  });

  it("asks WAHA about a person known only by @lid once, not on every message", async () => {
    const lid = "99887766554433@lid";
    for (const body of ["one", "two", "three"]) await announce(lid, body);
    expect(await simCalls("lids")).toEqual({ lids: 1 });
    const chats = await (await get("/api/wa/chats")).json<ChatSummary[]>();
    expect(chats.map((c) => c.id)).toContain(lid);
  });
});
