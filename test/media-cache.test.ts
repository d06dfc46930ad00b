/** The media cache's byte caps (this file's config: items up to 50 kB, 120 kB in all). */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ledgerSnapshot } from "../src/lib/media/cache.ts";
import { sim } from "./helpers.ts";
import { CHAT, captureLogs, get, newMessage } from "./media-fixtures.ts";

const logs = captureLogs();

describe("byte caps", () => {
  it("streams an item over the item cap through without caching it", async () => {
    const msg = await newMessage({ kind: "video/mp4", size: 60_000 });
    const first = await get(CHAT, msg.id);
    expect(first.status).toBe(200);
    expect(first.headers.get("X-Cache-Status")).toBe("BYPASS");
    expect(first.headers.get("Content-Length")).toBe("60000");
    expect((await first.arrayBuffer()).byteLength).toBe(60_000);
    const second = await get(CHAT, msg.id);
    expect(second.headers.get("X-Cache-Status")).toBe("BYPASS");
    expect((await sim.stats()).calls.file).toBe(2);
    expect((await ledgerSnapshot(env, "local")).items).toBe(0);
    // WA_MEDIA_ARCHIVE_DAYS=0 here: nothing goes to the archive either.
    expect((await env.MEDIA_ARCHIVE.list()).objects).toEqual([]);
  });

  it("evicts the oldest items to keep the cached total under the cap", async () => {
    const msgs = await Promise.all(
      Array.from({ length: 4 }, () => newMessage({ kind: "image/png", size: 40_000 })),
    );
    for (const m of msgs) {
      expect((await get(CHAT, m.id)).headers.get("X-Cache-Status")).toBe("MISS");
      expect((await ledgerSnapshot(env, "local")).bytes).toBeLessThanOrEqual(120_000);
    }
    const [first, ...rest] = msgs;
    if (!first) throw new Error("no messages");
    const evicted = logs.media("evict");
    expect(evicted).toHaveLength(1);
    expect(evicted[0]).toContain(encodeURIComponent(first.id));
    for (const m of rest) {
      expect((await get(CHAT, m.id)).headers.get("X-Cache-Status")).toBe("HIT");
    }
    // Gone from the cache (the key's object may still hand out its last download).
    expect((await get(CHAT, first.id)).headers.get("X-Cache-Status")).not.toBe("HIT");
    expect(await ledgerSnapshot(env, "local")).toMatchObject({ items: 3, bytes: 120_000 });
  });
});
