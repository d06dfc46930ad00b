import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mediaKeyStub } from "../src/lib/media/cache.ts";
import { sim } from "./helpers.ts";
import {
  CHAT,
  captureLogs,
  get,
  newMessage,
  type SimMessage,
  upstreamBytes,
} from "./media-fixtures.ts";
import { advance, useClock } from "./waha-fixtures.ts";

beforeAll(useClock);
afterAll(() => vi.useRealTimers());

const logs = captureLogs();
const mediaLogs = logs.media;

describe("one download per key", () => {
  it("serves 50 concurrent requests for one uncached key from a single upstream download", async () => {
    const msg = await newMessage({ kind: "image/png", size: 150_000 });
    const before = await sim.stats();
    const responses = await Promise.all(Array.from({ length: 50 }, () => get(CHAT, msg.id)));

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const statuses = responses.map((r) => r.headers.get("X-Cache-Status"));
    expect(statuses.filter((s) => s === "MISS")).toHaveLength(1);
    expect(statuses.every((s) => s === "MISS" || s === "COALESCED")).toBe(true);
    const expected = await upstreamBytes(msg.id);
    for (const res of responses) {
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(expected);
    }
    const after = await sim.stats();
    expect((after.calls.file ?? 0) - (before.calls.file ?? 0)).toBe(2); // 1 download + upstreamBytes
    const later = await get(CHAT, msg.id);
    expect(later.headers.get("X-Cache-Status")).toBe("HIT");
    expect(new Uint8Array(await later.arrayBuffer())).toEqual(expected);
    expect((await sim.stats()).calls.file).toBe(after.calls.file);
  });

  it("answers with the media headers the browser needs", async () => {
    const msg = await newMessage({ kind: "application/pdf" });
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/pdf");
    expect(Number(res.headers.get("Content-Length"))).toBe((await res.arrayBuffer()).byteLength);
    expect(res.headers.get("Content-Disposition")).toMatch(/^inline; filename="[^"]+"/);
    expect(res.headers.get("Cache-Control")).toBe("private, max-age=86400, immutable");
    expect(res.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    const hit = await get(CHAT, msg.id);
    expect(hit.headers.get("X-Cache-Status")).toBe("HIT");
    expect(hit.headers.get("Cache-Control")).toBe("private, max-age=86400, immutable");
  });
});

describe("cooldowns", () => {
  it("answers a message without media 404 and repeats from the cooldown without calling WAHA", async () => {
    const msg = await newMessage();
    const first = await get(CHAT, msg.id);
    expect(first.status).toBe(404);
    expect(await first.json()).toMatchObject({ error: "media-not-found" });
    expect(first.headers.get("Retry-After")).toBe("30");
    const calls = (await sim.stats()).calls;

    const second = await get(CHAT, msg.id);
    expect(second.status).toBe(404);
    expect(Number(second.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await sim.stats()).calls).toEqual(calls);
    expect(mediaLogs("cooldown")).toHaveLength(1);
    expect(mediaLogs("cooldown-reject")).toHaveLength(1);
  });

  it("doubles the cooldown on each repeat up to the maximum (here 100 s)", async () => {
    const msg = await newMessage();
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await get(CHAT, msg.id);
      expect(res.status).toBe(404);
      const retryAfter = res.headers.get("Retry-After") ?? "";
      seen.push(retryAfter);
      advance(Number(retryAfter) * 1000);
    }
    expect(seen).toEqual(["30", "60", "100", "100"]);
    expect((await sim.stats()).calls.message).toBe(4);
    expect(mediaLogs("escalate")).toHaveLength(3);
  });

  it("keeps the cooldown when the key's object restarts", async () => {
    const msg = await newMessage();
    expect((await get(CHAT, msg.id)).status).toBe(404);
    const calls = (await sim.stats()).calls;
    await evictDurableObject(mediaKeyStub(env, "default", CHAT, msg.id));
    const again = await get(CHAT, msg.id);
    expect(again.status).toBe(404);
    // The first answer's reason, said again from the cooldown.
    expect(await again.json()).toMatchObject({
      message: "the message has no media WAHA can serve (answered from the not-found cooldown)",
    });
    expect((await sim.stats()).calls).toEqual(calls);
  });

  it("answers media WhatsApp no longer has 410 media-expired, and never asks WAHA for it again", async () => {
    const msg = await newMessage({ kind: "image/jpeg" });
    await sim.control("expire", { messageId: msg.id, fromWhatsApp: true });
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(410);
    expect(res.headers.get("Retry-After")).toBeNull();
    expect(await res.json()).toEqual({
      error: "media-expired",
      message: "this media is no longer available on WhatsApp",
    });
    const before = await sim.stats();
    expect(before.whatsappFailures).toBe(1);
    await evictDurableObject(mediaKeyStub(env, "default", CHAT, msg.id));
    const again = await get(CHAT, msg.id);
    expect(again.status).toBe(410);
    expect(await again.json()).toMatchObject({ error: "media-expired" });
    const after = await sim.stats();
    expect(after.calls).toEqual(before.calls);
    expect(after.whatsappFailures).toBe(1);
  });
});

describe("expired files", () => {
  it("recovers a file that expired by fetching the message once more", async () => {
    const msg = await newMessage({ kind: "audio/ogg" });
    await sim.control("faults", { endpoint: "file", status: 404, times: 1 });
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(await upstreamBytes(msg.id));
    const stats = await sim.stats();
    expect(stats.calls.message).toBe(3); // lookup, re-fetch after the 404, upstreamBytes
    expect(stats.calls.file).toBe(3); // 404, download, upstreamBytes
  });
});

describe("upstream failures", () => {
  it("answers WAHA 500 with 502 media-upstream and a short cooldown", async () => {
    const msg = await newMessage({ kind: "image/png" });
    await sim.control("faults", { endpoint: "file", status: 500 });
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "media-upstream" });
    expect(res.headers.get("Retry-After")).toBe("5");
  });

  it("never caches a download cut off mid-body and downloads it again later", async () => {
    const msg = await newMessage({ kind: "image/png", size: 200_000 });
    await sim.control("faults", { endpoint: "file", resetAfterBytes: 50_000, times: 1 });
    const cut = await get(CHAT, msg.id);
    expect(cut.status).toBe(502);

    advance(5_000);
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Cache-Status")).toBe("MISS");
    expect(res.headers.get("Content-Length")).toBe("200000");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(await upstreamBytes(msg.id));
  });
});

describe("conditional and partial requests", () => {
  it("answers a Range request on a cached item with 206 and the right bytes", async () => {
    const msg = await newMessage({ kind: "audio/ogg", size: 5_000 });
    expect((await get(CHAT, msg.id)).status).toBe(200);
    const res = await get(CHAT, msg.id, { headers: { Range: "bytes=0-99" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("Content-Range")).toBe("bytes 0-99/5000");
    const expected = (await upstreamBytes(msg.id)).slice(0, 100);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(expected);
  });

  it("answers If-None-Match with the ETag 304 without calling WAHA", async () => {
    const msg = await newMessage({ kind: "image/png" });
    const first = await get(CHAT, msg.id);
    const etag = first.headers.get("ETag") ?? "";
    const calls = (await sim.stats()).calls;
    const res = await get(CHAT, msg.id, { headers: { "If-None-Match": etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get("ETag")).toBe(etag);
    expect((await sim.stats()).calls).toEqual(calls);
  });
});

describe("where media is fetched from", () => {
  it("fetches WAHA's media.url only on WAHA_URL's origin, never the host WAHA names", async () => {
    const msg = await newMessage({ kind: "image/jpeg" });
    const raw = await (
      await sim.waha(`/api/default/chats/${CHAT}/messages/${msg.id}?downloadMedia=true`)
    ).json<SimMessage>();
    expect(new URL(raw.media?.url ?? "").host).toBe("waha.internal:3000");
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(await upstreamBytes(msg.id));
  });
});

describe("who may ask, and for what", () => {
  it("refuses an agent media of a chat not assigned to it, without calling WAHA", async () => {
    const msg = await newMessage({ kind: "image/png" });
    const res = await get(CHAT, msg.id, { role: "agent", sub: "agent-9" });
    expect(res.status).toBe(403);
    expect((await sim.stats()).calls.message ?? 0).toBe(0);

    await env.DB.prepare("INSERT INTO chat_assignments (jid, assigned_to) VALUES (?, ?)")
      .bind(CHAT, "agent-9")
      .run();
    expect((await get(CHAT, msg.id, { role: "agent", sub: "agent-9" })).status).toBe(200);
  });

  it.each([
    ["jid", "../../etc/passwd", "ok"],
    ["jid", "1555/0001111@c.us", "ok"],
    ["id", "false_1@c.us_AB/../../x", ""],
    ["id", "false_1@c.us_..", ""],
    ["id", ".", ""],
    ["id", "false_1@c.us_\u0001", ""],
    ["id", "x".repeat(257), ""],
    ["id", "", ""],
  ])(
    "refuses a malformed %s (%j) with 400 naming it, without calling WAHA",
    async (field, value) => {
      const jid = field === "jid" ? value : CHAT;
      const id = field === "id" ? value : "false_15550001111@c.us_AAAA";
      const res = await get(jid, id);
      expect(res.status).toBe(400);
      const body = await res.json<{ error: string; message: string }>();
      expect(body.error).toBe("invalid-request");
      expect(body.message.startsWith(`${field}:`)).toBe(true);
      expect((await sim.stats()).calls.message ?? 0).toBe(0);
    },
  );
});

describe("the ledger", () => {
  it("evicts the least recently used item, not the oldest stored", async () => {
    const stub = env.MEDIA_LEDGER.get(env.MEDIA_LEDGER.idFromName("test-lru"));
    for (const key of ["a", "b", "c"]) {
      await stub.record(key, 40, 120);
      advance(1_000);
    }
    await stub.touch(["a"]);
    expect(await stub.record("d", 40, 120)).toEqual({ evicted: ["b"], bytes: 120 });
    expect(await stub.snapshot()).toEqual({ items: 3, bytes: 120, evictions: 1 });
  });
});
