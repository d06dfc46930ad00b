// Scrolling a conversation back to its first message, on every engine: past a short page
// (WEBJS loads one WhatsApp Web batch per call), past WEBJS's 500 for a time it has not
// loaded yet, and past a second more messages share than a page holds.
import { describe, expect, it } from "vitest";
import type { BrowserMessage } from "../src/lib/store/browser-shapes.ts";
import { ENGINES, onEngine } from "./engines.ts";
import { call, sim } from "./helpers.ts";
import { freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

/** The demo's long chat: 140 messages. */
const MARKET = "15550100009@c.us";
const BURST = "15557810001@c.us";
const PAGE = 50;

async function page(jid: string, beforeId?: string): Promise<BrowserMessage[]> {
  const before = beforeId ? `&beforeId=${encodeURIComponent(beforeId)}` : "";
  const res = await call(`/api/wa/messages?jid=${jid}&limit=${PAGE}${before}`, {
    as: newUser("admin"),
  });
  expect(res.status).toBe(200);
  return res.json<BrowserMessage[]>();
}

/** What a browser does: the newest page, then older ones until a short page says "start". */
async function scrollToStart(jid: string, pages = 10): Promise<string[]> {
  let shown = await page(jid);
  const ids = shown.map((m) => m.id);
  for (let i = 0; i < pages && shown.length === PAGE; i++) {
    shown = await page(jid, ids.at(-1));
    ids.push(...shown.map((m) => m.id));
  }
  return ids;
}

/** Every message WAHA has of a chat, newest first, with the whole chat loaded. */
async function wahaIds(jid: string): Promise<string[]> {
  await sim.control("config", { webjsLoadBatch: 10_000 }, "PUT");
  const res = await sim.waha(`/api/default/chats/${jid}/messages?limit=1000&downloadMedia=false`);
  return (await res.json<Array<{ id: string }>>()).map((m) => m.id);
}

describe.each(ENGINES)("on %s", (engine) => {
  onEngine(engine);

  it("scrolls back to the oldest of 120 messages WhatsApp stamped with one second", async () => {
    const start = 1_700_000_000;
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const m = await sim.control<{ id: string }>("messages", {
        chatId: BURST,
        body: `before ${i}`,
        timestamp: start + i * 60,
      });
      sent.push(m.id);
    }
    for (let i = 0; i < 120; i++) {
      const m = await sim.control<{ id: string }>("messages", {
        chatId: BURST,
        body: `burst ${i}`,
        timestamp: start + 3_600,
      });
      sent.push(m.id);
    }
    const ids = await scrollToStart(BURST);
    // Each once, newest first: WhatsApp's own order within the second.
    expect(ids).toEqual([...sent].reverse());
  });
});

describe("on WEBJS, whose history is what WhatsApp Web has loaded", () => {
  onEngine("WEBJS");

  it("keeps scrolling back past a short page: each call loads only one more batch", async () => {
    await sim.control("config", { webjsLoadBatch: 20 }, "PUT");
    const ids = await scrollToStart(MARKET);
    expect(ids).toHaveLength(140);
    expect(ids).toEqual(await wahaIds(MARKET));
  });

  it("keeps scrolling back after WhatsApp Web reopens, past WAHA's 500 for what it has not loaded yet", async () => {
    const LONG = "15557810002@c.us";
    for (let i = 0; i < 200; i++) {
      await sim.control("messages", { chatId: LONG, body: `m ${i}`, timestamp: 1_700_000_000 + i });
    }
    await sim.control("config", { webjsLoadBatch: 20 }, "PUT");
    const first = await page(LONG);
    const second = await page(LONG, first.at(-1)?.id);
    expect(second).toHaveLength(PAGE);
    // WAHA restarts its browser: only the newest batch is loaded again, and the next page
    // back is several batches further than that.
    await sim.control("session", { status: "STARTING" });
    await sim.control("session", { status: "WORKING" });
    const { messages: before = 0 } = await simCalls("messages");
    const shown = [...first, ...second].map((m) => m.id);
    while (shown.length < 200) {
      const older = await page(LONG, shown.at(-1));
      expect(older).toHaveLength(PAGE);
      shown.push(...older.map((m) => m.id));
    }
    const { messages: after = 0 } = await simCalls("messages");
    expect(shown).toEqual(await wahaIds(LONG));
    // Every page past WhatsApp Web's fresh window took a few calls, each loading a batch.
    expect(after - before).toBeGreaterThan(2);
    expect(await page(LONG, shown.at(-1))).toEqual([]);
  });

  it("says older messages are still loading, not that the chat starts there, when WhatsApp Web needs more batches than one read asks", async () => {
    const LONG = "15557810003@c.us";
    for (let i = 0; i < 200; i++) {
      await sim.control("messages", { chatId: LONG, body: `m ${i}`, timestamp: 1_700_000_000 + i });
    }
    await sim.control("config", { webjsLoadBatch: 20 }, "PUT");
    const first = await page(LONG);
    const second = await page(LONG, first.at(-1)?.id);
    // WAHA restarts its browser, which now loads five messages a batch.
    await sim.control("session", { status: "STARTING" });
    await sim.control("session", { status: "WORKING" });
    await sim.control("config", { webjsLoadBatch: 5 }, "PUT");
    const cursor = encodeURIComponent(second.at(-1)?.id ?? "");
    const loading = await call(`/api/wa/messages?jid=${LONG}&limit=${PAGE}&beforeId=${cursor}`, {
      as: newUser("admin"),
    });
    expect(loading.status).toBe(503);
    expect(loading.headers.get("Retry-After")).toBe("1");
    expect(await loading.json()).toMatchObject({ error: "history-loading" });
    // Each ask loads further; the page comes, whole.
    let third: BrowserMessage[] = [];
    for (let i = 0; i < 5 && third.length === 0; i++) {
      const res = await call(`/api/wa/messages?jid=${LONG}&limit=${PAGE}&beforeId=${cursor}`, {
        as: newUser("admin"),
      });
      if (res.status === 200) third = await res.json<BrowserMessage[]>();
      else expect(res.status).toBe(503);
    }
    const all = await wahaIds(LONG);
    expect(third.map((m) => m.id)).toEqual(all.slice(100, 150));
  });
});
