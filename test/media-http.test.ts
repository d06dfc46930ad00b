import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sim } from "./helpers.ts";
import { CHAT, captureLogs, get, newMessage, upstreamBytes } from "./media-fixtures.ts";
import { advance, useClock } from "./waha-fixtures.ts";

beforeAll(useClock);
afterAll(() => vi.useRealTimers());

const logs = captureLogs();

describe("ranges on every path", () => {
  it("answers a Range on an uncached item 206 with the right bytes, and again from the cache", async () => {
    const msg = await newMessage({ kind: "audio/ogg", size: 5_000 });
    const expected = await upstreamBytes(msg.id);
    const first = await get(CHAT, msg.id, { headers: { Range: "bytes=100-199" } });
    expect(first.status).toBe(206);
    expect(first.headers.get("X-Cache-Status")).toBe("MISS");
    expect(first.headers.get("Content-Range")).toBe("bytes 100-199/5000");
    expect(first.headers.get("Content-Length")).toBe("100");
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(expected.slice(100, 200));

    const whole = await get(CHAT, msg.id);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("X-Cache-Status")).toBe("HIT");
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(expected);
    const tail = await get(CHAT, msg.id, { headers: { Range: "bytes=-10" } });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(expected.slice(4_990));
  });

  it("cuts a shared download for each caller's own Range", async () => {
    const msg = await newMessage({ kind: "audio/ogg", size: 8_000 });
    await sim.control("faults", { endpoint: "file", latencyMs: 200, times: 1 });
    const [a, b, c] = await Promise.all([
      get(CHAT, msg.id, { headers: { Range: "bytes=0-9" } }),
      get(CHAT, msg.id, { headers: { Range: "bytes=10-19" } }),
      get(CHAT, msg.id),
    ]);
    const expected = await upstreamBytes(msg.id);
    expect([a?.status, b?.status, c?.status]).toEqual([206, 206, 200]);
    expect(new Uint8Array((await a?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(
      expected.slice(0, 10),
    );
    expect(new Uint8Array((await b?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(
      expected.slice(10, 20),
    );
    expect(
      [a, b, c].map((r) => r?.headers.get("X-Cache-Status")).filter((s) => s === "MISS"),
    ).toHaveLength(1);
  });

  it("answers a Range past the end 416 with the size", async () => {
    const msg = await newMessage({ kind: "audio/ogg", size: 5_000 });
    const res = await get(CHAT, msg.id, { headers: { Range: "bytes=9000-" } });
    expect(res.status).toBe(416);
    expect(res.headers.get("Content-Range")).toBe("bytes */5000");
  });

  it("says Accept-Ranges: bytes on every 200", async () => {
    const msg = await newMessage({ kind: "image/png" });
    const miss = await get(CHAT, msg.id);
    const hit = await get(CHAT, msg.id);
    expect([miss.headers.get("X-Cache-Status"), hit.headers.get("X-Cache-Status")]).toEqual([
      "MISS",
      "HIT",
    ]);
    expect(miss.headers.get("Accept-Ranges")).toBe("bytes");
    expect(hit.headers.get("Accept-Ranges")).toBe("bytes");
  });

  it("sends the whole item when If-Range does not match, and the part when it does", async () => {
    const msg = await newMessage({ kind: "audio/ogg", size: 5_000 });
    const etag = (await get(CHAT, msg.id)).headers.get("ETag") ?? "";
    const stale = await get(CHAT, msg.id, {
      headers: { Range: "bytes=0-9", "If-Range": '"some-older-version"' },
    });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(5_000);
    const dated = await get(CHAT, msg.id, {
      headers: { Range: "bytes=0-9", "If-Range": "Tue, 01 Dec 2026 10:00:00 GMT" },
    });
    expect(dated.status).toBe(200);
    const current = await get(CHAT, msg.id, { headers: { Range: "bytes=0-9", "If-Range": etag } });
    expect(current.status).toBe(206);
    expect((await current.arrayBuffer()).byteLength).toBe(10);
  });
});

describe("validators", () => {
  it("answers If-None-Match 304 by weak comparison and for *", async () => {
    const msg = await newMessage({ kind: "image/png" });
    const etag = (await get(CHAT, msg.id)).headers.get("ETag") ?? "";
    const calls = (await sim.stats()).calls;
    for (const header of [`W/${etag}`, `"x", ${etag}`, "*"]) {
      const res = await get(CHAT, msg.id, { headers: { "If-None-Match": header } });
      expect(res.status, header).toBe(304);
      expect(res.headers.get("ETag")).toBe(etag);
    }
    expect((await sim.stats()).calls).toEqual(calls);
    expect((await get(CHAT, msg.id, { headers: { "If-None-Match": '"x"' } })).status).toBe(200);
  });

  it("answers If-None-Match: * for an item not yet cached 304 once it exists, and 404 when it does not", async () => {
    const msg = await newMessage({ kind: "image/png" });
    expect((await get(CHAT, msg.id, { headers: { "If-None-Match": "*" } })).status).toBe(304);
    const none = await newMessage();
    expect((await get(CHAT, none.id, { headers: { "If-None-Match": "*" } })).status).toBe(404);
  });
});

describe("what WAHA sends cannot break an answer", () => {
  it("serves a mimetype with CR/LF as application/octet-stream, every time", async () => {
    const msg = await newMessage({ kind: "image/png", mimetype: "image/png\r\nX-Evil: 1" });
    for (const expected of ["MISS", "HIT"]) {
      const res = await get(CHAT, msg.id);
      expect(res.status).toBe(200);
      expect(res.headers.get("X-Cache-Status")).toBe(expected);
      expect(res.headers.get("Content-Type")).toBe("application/octet-stream");
      expect(res.headers.get("X-Evil")).toBeNull();
    }
  });

  it.each([
    ["text/html; charset=utf-8", "text/html; charset=utf-8"],
    ["", "image/png"],
    ["image", "application/octet-stream"],
    ["image/png; name=\u00e9", "application/octet-stream"],
  ])("treats the mimetype %j as %j", async (mimetype, contentType) => {
    const msg = await newMessage({ kind: "image/png", mimetype });
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(contentType);
  });
});

describe("redirects", () => {
  it("never follows a redirect from WAHA's file path, answers 502 and caches nothing", async () => {
    const msg = await newMessage({ kind: "image/jpeg" });
    const decoy = await newMessage({ kind: "image/png" });
    const decoyBytes = await upstreamBytes(decoy.id);
    await sim.control("faults", {
      path: `/api/files/default/${msg.id}`,
      status: 302,
      location: `${env.WAHA_URL}/api/files/default/${decoy.id}.png`,
      times: 1,
    });
    const before = (await sim.stats()).calls.file ?? 0;
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "media-upstream" });
    expect((await sim.stats()).calls.file).toBe(before + 1);
    const refusal = logs.media("refuse").find((l) => l.includes("reason=redirect"));
    expect(refusal).toContain(`location-origin=${new URL(env.WAHA_URL).origin}`);
    expect(refusal).not.toContain(decoy.id);

    advance(5_000);
    const later = await get(CHAT, msg.id);
    expect(later.status).toBe(200);
    expect(later.headers.get("X-Cache-Status")).toBe("MISS");
    const bytes = new Uint8Array(await later.arrayBuffer());
    expect(bytes).toEqual(await upstreamBytes(msg.id));
    expect(bytes).not.toEqual(decoyBytes);
  });

  it("never follows a redirect from the message lookup", async () => {
    const msg = await newMessage({ kind: "image/jpeg" });
    await sim.control("faults", {
      endpoint: "message",
      status: 307,
      // If followed, this is the real lookup and the download would go ahead.
      location: `${env.WAHA_URL}/api/default/chats/${CHAT}/messages/${msg.id}?downloadMedia=true`,
      times: 1,
    });
    const res = await get(CHAT, msg.id);
    expect(res.status).toBe(502);
    const { calls } = await sim.stats();
    expect([calls.message, calls.file ?? 0]).toEqual([1, 0]);
  });
});
