import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../tools/stack.ts";
import { rawGet } from "./raw-http.ts";

const CHAT = "15550001111@c.us";
let stack: Stack;
let auth: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({
    vars: { WA_MEDIA_CACHE_ITEM_MAX_BYTES: "50000", CORS_ORIGIN: "https://inbox.example" },
  });
  auth = { Authorization: `Bearer ${await stack.token({ sub: "admin", role: "admin" })}` };
}, 60_000);
afterAll(() => stack?.stop());

async function media(kind: string, size: number): Promise<string> {
  const msg = await stack.control<{ id: string }>("messages", {
    chatId: CHAT,
    media: { kind, size },
  });
  const query = `jid=${encodeURIComponent(CHAT)}&id=${encodeURIComponent(msg.id)}`;
  return `${stack.gateway.url}/api/wa/media?${query}`;
}

describe("media on the wire", () => {
  it("sends an over-cap stream with WAHA's Content-Length, not chunked", async () => {
    const res = await rawGet(await media("video/mp4", 300_000), auth);
    expect(res.status).toBe(200);
    expect(res.header("X-Cache-Status")).toBe("BYPASS");
    expect(res.header("Content-Length")).toBe("300000");
    expect(res.header("Transfer-Encoding")).toBeUndefined();
    expect(res.header("Accept-Ranges")).toBe("bytes");
    expect(res.body.length).toBe(300_000);
  });

  it("answers a Range on an uncached item 206 with its Content-Range and length", async () => {
    const res = await rawGet(await media("audio/ogg", 20_000), { ...auth, Range: "bytes=0-99" });
    expect(res.status).toBe(206);
    expect(res.header("Content-Range")).toBe("bytes 0-99/20000");
    expect(res.header("Content-Length")).toBe("100");
    expect(res.body.length).toBe(100);
  });

  it("says Vary: Origin on a same-origin answer when CORS_ORIGIN is set", async () => {
    const res = await rawGet(await media("image/png", 1_000), auth);
    expect(res.status).toBe(200);
    expect(res.lines.some((l) => /^vary:.*\borigin\b/i.test(l))).toBe(true);
  });
});
