/**
 * The media archive (R2, local): media outlives WAHA's file and WhatsApp's copy. Here the
 * cache takes items up to 50,000 bytes and the archive up to 100,000.
 */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";
import { archiveKey } from "../src/lib/media/archive.ts";
import { mediaCacheKey } from "../src/lib/media/cache.ts";
import { deliver } from "./events.ts";
import { ORIGIN, resetAssignmentData, sim } from "./helpers.ts";
import { CHAT, get, newMessage, upstreamBytes } from "./media-fixtures.ts";

const key = (id: string) => `default/${encodeURIComponent(CHAT)}/${encodeURIComponent(id)}`;

/** The put happens behind the first answer; wait until R2 has it. */
async function archivedSoon(id: string): Promise<R2Object> {
  return vi.waitFor(
    async () => {
      const head = await env.MEDIA_ARCHIVE.head(key(id));
      if (!head) throw new Error(`${id} is not archived yet`);
      return head;
    },
    { timeout: 5_000 },
  );
}

/** A day later: WAHA's file and WhatsApp's copy are gone, and so is the edge cache's. */
async function aDayLater(id: string): Promise<void> {
  await sim.control("expire", { messageId: id, fromWhatsApp: true });
  await caches.default.delete(mediaCacheKey(ORIGIN, "default", CHAT, id));
}

async function wahaCalls(): Promise<number> {
  const { calls } = await sim.stats();
  return (calls.message ?? 0) + (calls.file ?? 0);
}

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
  const listed = await env.MEDIA_ARCHIVE.list();
  if (listed.objects.length > 0) await env.MEDIA_ARCHIVE.delete(listed.objects.map((o) => o.key));
});

describe("the media archive", () => {
  it("answers from the archive once the edge cache is emptied and WAHA has lost the file, then refills the cache", async () => {
    const msg = await newMessage({ kind: "image/png", size: 20_000 });
    const bytes = await upstreamBytes(msg.id);
    const first = await get(CHAT, msg.id);
    expect(first.headers.get("X-Cache-Status")).toBe("MISS");
    const head = await archivedSoon(msg.id);
    expect(head.size).toBe(20_000);
    expect(Number(head.customMetadata?.archivedAt)).toBeGreaterThan(Date.now() - 60_000);
    await aDayLater(msg.id);
    const calls = await wahaCalls();

    const later = await get(CHAT, msg.id);
    expect(later.status).toBe(200);
    expect(later.headers.get("X-Cache-Status")).toBe("ARCHIVE");
    expect(new Uint8Array(await later.arrayBuffer())).toEqual(bytes);
    for (const name of ["ETag", "Content-Type", "Content-Disposition", "Accept-Ranges"]) {
      expect(later.headers.get(name)).toBe(first.headers.get(name));
    }
    expect((await get(CHAT, msg.id)).headers.get("X-Cache-Status")).toBe("HIT");
    expect(await wahaCalls()).toBe(calls);
    const { whatsappFailures } = await sim.stats();
    expect(whatsappFailures).toBe(0);
  });

  it("archives media a webhook announced before anyone opens it", async () => {
    const payload = await sim.control<{ id: string }>("messages", {
      chatId: CHAT,
      media: { kind: "image/jpeg" },
      webhook: true,
    });
    expect((await deliver("message", payload, { wait: true })).status).toBe(200);
    await archivedSoon(payload.id);
    await aDayLater(payload.id);
    expect((await get(CHAT, payload.id)).headers.get("X-Cache-Status")).toBe("ARCHIVE");
  });

  it("streams an item over the cache's cap into the archive and answers a Range from it", async () => {
    const msg = await newMessage({ kind: "video/mp4", size: 80_000 });
    const bytes = await upstreamBytes(msg.id);
    const first = await get(CHAT, msg.id);
    expect(first.headers.get("X-Cache-Status")).toBe("BYPASS");
    await archivedSoon(msg.id);
    await aDayLater(msg.id);

    const part = await get(CHAT, msg.id, { headers: { Range: "bytes=100-199" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("X-Cache-Status")).toBe("ARCHIVE");
    expect(part.headers.get("Content-Range")).toBe("bytes 100-199/80000");
    expect(part.headers.get("Content-Length")).toBe("100");
    expect(part.headers.get("Accept-Ranges")).toBe("bytes");
    expect(part.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(part.headers.get("Content-Disposition")).toBe(first.headers.get("Content-Disposition"));
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(100, 200));

    const outside = await get(CHAT, msg.id, { headers: { Range: "bytes=90000-" } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get("Content-Range")).toBe("bytes */80000");

    const whole = await get(CHAT, msg.id);
    expect(whole.headers.get("X-Cache-Status")).toBe("ARCHIVE");
    expect(whole.headers.get("Content-Length")).toBe("80000");
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes);

    const etag = first.headers.get("ETag") ?? "";
    const unchanged = await get(CHAT, msg.id, { headers: { "If-None-Match": etag } });
    expect(unchanged.status).toBe(304);
    const any = await get(CHAT, msg.id, { headers: { "If-None-Match": "*" } });
    expect(any.status).toBe(304);
    expect((await sim.stats()).whatsappFailures).toBe(0);
  });

  it("answers a Range of a small archived item and puts it back in the cache", async () => {
    const msg = await newMessage({ kind: "audio/ogg" });
    const bytes = await upstreamBytes(msg.id);
    await get(CHAT, msg.id);
    await archivedSoon(msg.id);
    await aDayLater(msg.id);
    const part = await get(CHAT, msg.id, { headers: { Range: "bytes=0-9" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("X-Cache-Status")).toBe("ARCHIVE");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(0, 10));
    expect((await get(CHAT, msg.id)).headers.get("X-Cache-Status")).toBe("HIT");
  });

  it("keeps items over WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES out of the archive", async () => {
    const msg = await newMessage({ kind: "video/mp4", size: 150_000 });
    expect((await get(CHAT, msg.id)).headers.get("X-Cache-Status")).toBe("BYPASS");
    expect((await get(CHAT, msg.id)).headers.get("X-Cache-Status")).toBe("BYPASS");
    expect((await sim.stats()).calls.file).toBe(2);
    expect((await env.MEDIA_ARCHIVE.list()).objects).toEqual([]);
  });

  it("deletes archived media past WA_MEDIA_ARCHIVE_DAYS on the daily run", async () => {
    const day = 86_400_000;
    const put = (name: string, daysAgo: number) =>
      env.MEDIA_ARCHIVE.put(key(name), "bytes", {
        customMetadata: { archivedAt: String(Date.now() - daysAgo * day), filename: name },
      });
    await put("old", 91);
    await put("recent", 89);
    await worker.scheduled(createScheduledController({ cron: "23 3 * * *" }), env);
    const left = (await env.MEDIA_ARCHIVE.list()).objects.map((o) => o.key);
    expect(left).toEqual([key("recent")]);
  });

  it("deletes a message's archived media when the daily run prunes the message", async () => {
    const chat = "15550002222@c.us";
    const old = Math.floor(Date.now() / 1000) - 91 * 86_400;
    const payload = await sim.control<{ id: string }>("messages", {
      chatId: chat,
      media: { kind: "image/jpeg" },
      timestamp: old,
      webhook: true,
    });
    await deliver("message", payload, { wait: true });
    const archived = archiveKey("default", chat, payload.id);
    await vi.waitFor(async () => expect(await env.MEDIA_ARCHIVE.head(archived)).not.toBeNull());
    await worker.scheduled(createScheduledController({ cron: "23 3 * * *" }), env);
    expect(await env.MEDIA_ARCHIVE.head(archived)).toBeNull();
  });

  it("deletes a message's archived media when it is deleted for everyone", async () => {
    const payload = await sim.control<{ id: string }>("messages", {
      chatId: CHAT,
      media: { kind: "image/jpeg" },
      webhook: true,
    });
    await deliver("message", payload, { wait: true });
    await archivedSoon(payload.id);
    const revoke = await sim.control<{ event: string; payload: unknown }>("revoke", {
      messageId: payload.id,
    });
    expect((await deliver(revoke.event, revoke.payload, { wait: true })).status).toBe(200);
    expect(await env.MEDIA_ARCHIVE.head(key(payload.id))).toBeNull();
  });
});
