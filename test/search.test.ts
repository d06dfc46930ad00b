/** The store's search (D1 FTS5) and its daily pruning (the Cron Trigger). */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { changeChatOwner } from "../src/lib/db.ts";
import { deliver, wahaMessage } from "./events.ts";
import { call, resetAssignmentData, sim } from "./helpers.ts";

const MINE = "15558880001@c.us";
const OTHER = "15558880002@c.us";
const admin = { role: "admin" as const, sub: "admin-1" };
const agent = { role: "agent" as const, sub: "agent-1" };

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
  await env.DB.prepare("UPDATE settings SET value = 'off' WHERE key = 'auto_assign'").run();
  await changeChatOwner(env.DB, "default", MINE, "agent-1");
  await changeChatOwner(env.DB, "default", OTHER, "agent-2");
});

async function store(chat: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const message = wahaMessage(chat, { body, timestamp });
  expect((await deliver("message", message)).status).toBe(200);
  return message.id;
}

type Hit = { jid: string; id: string; timestamp: number; snippet: string };

describe("search", () => {
  it("finds stored text by word and prefix, newest first, with a snippet", async () => {
    const older = await store(MINE, "Your invoice for October is attached", 1_760_000_000);
    const newer = await store(OTHER, "Invoices go out on Monday", 1_760_000_100);
    await store(MINE, "Nothing to see here", 1_760_000_200);
    const res = await call("/api/wa/search?q=invoice", { as: admin });
    expect(res.status).toBe(200);
    const hits = await res.json<Hit[]>();
    expect(hits.map((h) => h.id)).toEqual([newer, older]);
    expect(hits[1]).toMatchObject({ jid: MINE, timestamp: 1_760_000_000 });
    expect(hits[1]?.snippet).toContain("[invoice]");
  });

  it("searches only an agent's own chats, and one chat when asked", async () => {
    const mine = await store(MINE, "refund please");
    await store(OTHER, "refund for me too");
    const hits = await (await call("/api/wa/search?q=refund", { as: agent })).json<Hit[]>();
    expect(hits.map((h) => h.id)).toEqual([mine]);
    const oneChat = await (await call(`/api/wa/search?q=refund&jid=${OTHER}`, { as: admin })).json<
      Hit[]
    >();
    expect(oneChat.map((h) => h.jid)).toEqual([OTHER]);
    const refused = await call(`/api/wa/search?q=refund&jid=${OTHER}`, { as: agent });
    expect(refused.status).toBe(403);
  });

  it("no longer finds a message its sender deleted", async () => {
    const id = await store(MINE, "secret code 4711");
    const key = id.split("_")[2] ?? "";
    const revoked = await deliver("message.revoked", {
      revokedMessageId: key,
      after: { id: `false_${MINE}_REVOKE1`, from: MINE, fromMe: false },
      before: null,
    });
    expect(revoked.status).toBe(200);
    expect(await (await call("/api/wa/search?q=4711", { as: admin })).json()).toEqual([]);
  });

  it("names a bad query in a 400", async () => {
    for (const [query, field] of [
      ["", "q"],
      ["q=%20", "q"],
      ["q=x&limit=0", "limit"],
      ["q=x&jid=nope", "jid"],
    ] as const) {
      const res = await call(`/api/wa/search?${query}`, { as: admin });
      expect(res.status, query).toBe(400);
      expect((await res.json<{ message: string }>()).message.startsWith(`${field}:`)).toBe(true);
    }
  });

  it("takes quotes and operators as plain words", async () => {
    await store(MINE, 'he said "NEAR" OR AND');
    const res = await call(`/api/wa/search?q=${encodeURIComponent('"NEAR" OR')}`, { as: admin });
    expect(res.status).toBe(200);
    expect(await res.json<Hit[]>()).toHaveLength(1);
  });

  it("never answers 500 to control characters: they separate words, and a query of nothing else is a 400 naming q", async () => {
    const id = await store(MINE, "parcel tracking number");
    for (const query of ["q=%00", "q=%00%01%1F", "q=%7F"]) {
      const res = await call(`/api/wa/search?${query}`, { as: admin });
      expect(res.status, query).toBe(400);
      expect(await res.json(), query).toMatchObject({
        error: "invalid-request",
        message: "q: is required",
      });
    }
    for (const query of [
      "q=parcel%00",
      "q=%00parcel",
      "q=parcel%00tracking",
      "q=parcel%1Btrack%7F",
    ]) {
      const res = await call(`/api/wa/search?${query}`, { as: admin });
      expect(res.status, query).toBe(200);
      expect(
        (await res.json<Hit[]>()).map((h) => h.id),
        query,
      ).toEqual([id]);
    }
  });
});

describe("pruning", () => {
  it("deletes messages older than WA_STORE_RETENTION_DAYS from the store and the search on the daily run", async () => {
    const now = Math.floor(Date.now() / 1000);
    await store(MINE, "ancient history", now - 91 * 86_400);
    const kept = await store(MINE, "recent history", now - 89 * 86_400);
    await worker.scheduled(createScheduledController({ cron: "23 3 * * *" }), env);
    const hits = await (await call("/api/wa/search?q=history", { as: admin })).json<Hit[]>();
    expect(hits.map((h) => h.id)).toEqual([kept]);
  });
});
