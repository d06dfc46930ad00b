/** Media fetched ahead of the browser, while WAHA still holds the file a webhook announced. */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { archiveKey } from "../src/lib/media/archive.ts";
import { wahaGate } from "../src/lib/waha/client.ts";
import { deliver } from "./events.ts";
import { resetAssignmentData, sim, theNumber } from "./helpers.ts";
import { CHAT, get } from "./media-fixtures.ts";

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
});

/** A new message with media, announced by webhook as WAHA does (its file downloaded). */
async function announce(media: { kind: string; size?: number }): Promise<string> {
  const payload = await sim.control<{ id: string; media: { url: string } | null }>("messages", {
    chatId: CHAT,
    media,
    webhook: true,
  });
  expect(payload.media?.url).toBeTruthy();
  expect((await deliver("message", payload, { wait: true })).status).toBe(200);
  return payload.id;
}

async function fileCalls(): Promise<number> {
  return (await sim.stats()).calls.file ?? 0;
}

describe("media fetched ahead", () => {
  it("is in the cache before anyone asks, so the first browser gets a HIT", async () => {
    const id = await announce({ kind: "image/jpeg" });
    expect(await fileCalls()).toBe(1);
    const res = await get(CHAT, id);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Cache-Status")).toBe("HIT");
    expect(await fileCalls()).toBe(1);
  });

  it("never takes the last free download slot: with the gate nearly full it is left for the browser", async () => {
    const gate = wahaGate(env, theNumber());
    const held = [await gate.acquire("media", "busy-1"), await gate.acquire("media", "busy-2")];
    const id = await announce({ kind: "image/png" });
    expect(await fileCalls()).toBe(0);
    for (const lease of held) if (lease.status === "granted") await gate.release(lease.leaseId);
    const res = await get(CHAT, id);
    expect(res.headers.get("X-Cache-Status")).toBe("MISS");
  });

  it("streams a file over the cache's item cap into the archive, not into the cache", async () => {
    const id = await announce({ kind: "video/mp4", size: 9_000_000 });
    expect(await fileCalls()).toBe(1);
    const res = await get(CHAT, id);
    expect(res.headers.get("X-Cache-Status")).toBe("ARCHIVE");
    expect(res.headers.get("Content-Length")).toBe("9000000");
    expect((await get(CHAT, id)).headers.get("X-Cache-Status")).toBe("ARCHIVE");
    expect(await fileCalls()).toBe(1);
  });

  it("leaves files over the archive's item cap alone", async () => {
    const id = await announce({ kind: "video/mp4", size: 17_000_000 });
    const res = await get(CHAT, id);
    expect(res.headers.get("X-Cache-Status")).toBe("BYPASS");
    expect(await env.MEDIA_ARCHIVE.head(archiveKey("default", CHAT, id))).toBeNull();
  });
});
