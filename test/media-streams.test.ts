import { waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { wahaGate } from "../src/lib/waha/client.ts";
import { sim, theNumber } from "./helpers.ts";
import { CHAT, captureLogs, get, newMessage, open } from "./media-fixtures.ts";

const logs = captureLogs();
const BIG = 5_000_000;

/** This file's config: items up to 50 kB; 2 streams at once, cut after 1 s without a read. */
const gate = () => wahaGate(env, theNumber());

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** WAHA's own bytes for part of a message's file. */
async function upstreamPart(id: string, range: string): Promise<Uint8Array> {
  const res = await fetch(`${env.WAHA_URL}/api/files/default/${id}.mp4`, {
    headers: { "X-Api-Key": env.WAHA_API_KEY, Range: range },
  });
  expect(res.status).toBe(206);
  return new Uint8Array(await res.arrayBuffer());
}

describe("over-cap streams", () => {
  it("never make ordinary media wait: three stalled readers, and an image still downloads", async () => {
    const videos = await Promise.all(
      [1, 2, 3].map(() => newMessage({ kind: "video/mp4", size: BIG })),
    );
    const stalled = [];
    for (const v of videos) stalled.push(await open(CHAT, v.id, {}));
    const [a, b, c] = stalled.map((s) => s.res);
    expect([a?.status, b?.status]).toEqual([200, 200]);
    expect(a?.headers.get("X-Cache-Status")).toBe("BYPASS");
    expect(c?.status).toBe(429);
    expect(await c?.json()).toMatchObject({ error: "media-busy" });
    expect(Number(c?.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);

    const images = await Promise.all(
      [1, 2, 3].map(() => newMessage({ kind: "image/png", size: 20_000 })),
    );
    const answers = await Promise.all(images.map((m) => get(CHAT, m.id, {})));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);

    for (const { res, ctx } of stalled) {
      if (!res.bodyUsed) await res.body?.cancel();
      await waitOnExecutionContext(ctx);
    }
    await until(async () => (await gate().snapshot()).stream.active === 0, "the streams' slots");
  });

  it("cuts a reader that takes nothing for WA_MEDIA_STREAM_IDLE_MS and frees its slot", async () => {
    const [first, second, third] = await Promise.all(
      [1, 2, 3].map(() => newMessage({ kind: "video/mp4", size: BIG })),
    );
    if (!first || !second || !third) throw new Error("no messages");
    const slow = [await open(CHAT, first.id), await open(CHAT, second.id)];
    const readers = slow.map(({ res }) => {
      expect(res.status).toBe(200);
      const reader = res.body?.getReader();
      // The cut errors this reader's stream; that is the point, not a failure of the test.
      reader?.closed.catch(() => undefined);
      return reader;
    });
    for (const reader of readers) expect((await reader?.read())?.done).toBe(false);

    const refused = await get(CHAT, third.id);
    expect(refused.status).toBe(429);
    await until(async () => (await gate().snapshot()).stream.active === 0, "the idle cut");
    expect(logs.media("stream-idle")).toHaveLength(2);

    const next = await get(CHAT, third.id);
    expect(next.status).toBe(200);
    expect(next.headers.get("X-Cache-Status")).toBe("BYPASS");
    expect((await next.arrayBuffer()).byteLength).toBe(BIG);
    for (const reader of readers) await reader?.cancel().catch(() => undefined);
    for (const { ctx } of slow) await waitOnExecutionContext(ctx);
  });

  it("answers a Range on an over-cap file 206 by asking WAHA for that range", async () => {
    const video = await newMessage({ kind: "video/mp4", size: BIG });
    const range = "bytes=1000000-1000099";
    const res = await get(CHAT, video.id, { headers: { Range: range } });
    expect(res.status).toBe(206);
    expect(res.headers.get("X-Cache-Status")).toBe("BYPASS");
    expect(res.headers.get("Content-Range")).toBe(`bytes 1000000-1000099/${BIG}`);
    expect(res.headers.get("Content-Length")).toBe("100");
    expect(res.headers.get("Accept-Ranges")).toBe("bytes");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(await upstreamPart(video.id, range));
    expect((await sim.stats()).calls.file).toBeGreaterThanOrEqual(2);
  });
});
