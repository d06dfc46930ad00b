import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../../src/client/api-client.ts";
import { type MediaKey, MediaQueue } from "../../src/client/media-queue.ts";

interface Call {
  url: URL;
  at: number;
  answer: (res: Response) => void;
}

/** A gateway stand-in: every fetch waits until the test answers it. */
function fakeGateway() {
  const calls: Call[] = [];
  const start = Date.now();
  const fetch = (input: string) =>
    new Promise<Response>((resolve) => {
      calls.push({
        url: new URL(input, "http://gateway.test"),
        at: Date.now() - start,
        answer: resolve,
      });
    });
  const open = () => calls.filter((c) => !answered.has(c));
  const answered = new Set<Call>();
  const answer = (call: Call | undefined, res: Response) => {
    if (!call) throw new Error("no such call");
    answered.add(call);
    call.answer(res);
  };
  return { calls, fetch, open, answer };
}

const image = () => new Response(new Blob(["jpeg"], { type: "image/jpeg" }), { status: 200 });
const error = (status: number, code: string, retryAfter?: string) =>
  new Response(JSON.stringify({ error: code }), {
    status,
    headers: {
      "Content-Type": "application/json",
      ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
    },
  });

function setup(options: { concurrency?: number; maxObjectUrls?: number } = {}) {
  const gateway = fakeGateway();
  const api = new ApiClient({ token: () => "tok", fetch: gateway.fetch });
  const revoked: string[] = [];
  let made = 0;
  const queue = new MediaQueue({
    load: (key) => api.media(key.jid, key.id),
    createObjectURL: () => `blob:${++made}`,
    revokeObjectURL: (url) => revoked.push(url),
    ...options,
  });
  return { gateway, queue, revoked };
}

/** Lets answered fetches run through the client (body reads take a few turns). */
async function settle() {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
}

const key = (n: number): MediaKey => ({
  jid: "15550100001@c.us",
  id: `false_15550100001@c.us_M${n}`,
});
const idsOf = (calls: Call[]) => calls.map((c) => c.url.searchParams.get("id"));

beforeEach(() => {
  vi.useFakeTimers({ now: 3_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("media fetch queue", () => {
  it("asks the gateway for /api/wa/media?jid&id with the bearer token and gives back an object URL", async () => {
    const seen: Array<[string, Headers]> = [];
    const queue = new MediaQueue({
      load: (k) =>
        new ApiClient({
          token: () => "tok",
          fetch: async (input, init) => {
            seen.push([input, new Headers(init?.headers)]);
            return image();
          },
        }).media(k.jid, k.id),
      createObjectURL: () => "blob:one",
    });
    const result = await queue.get(key(1));
    expect(result).toEqual({ status: "ready", url: "blob:one", type: "image/jpeg" });
    expect(seen[0]?.[0]).toBe(
      "/api/wa/media?jid=15550100001%40c.us&id=false_15550100001%40c.us_M1",
    );
    expect(seen[0]?.[1].get("Authorization")).toBe("Bearer tok");
  });

  it("never has more than two downloads in flight from one page", async () => {
    const { gateway, queue } = setup();
    const results = [1, 2, 3, 4, 5].map((n) => queue.get(key(n)));
    await settle();
    expect(idsOf(gateway.open())).toHaveLength(2);
    expect(queue.pendingCount).toBe(3);
    for (let served = 0; served < 5; served++) {
      gateway.answer(gateway.open()[0], image());
      await settle();
      expect(gateway.open().length).toBeLessThanOrEqual(2);
    }
    expect((await Promise.all(results)).every((r) => r.status === "ready")).toBe(true);
    expect(gateway.calls).toHaveLength(5);
  });

  it("makes one request for two elements that want the same media, and none for a third later", async () => {
    const { gateway, queue } = setup();
    const a = queue.get(key(1));
    const b = queue.get(key(1));
    await settle();
    expect(gateway.calls).toHaveLength(1);
    gateway.answer(gateway.calls[0], image());
    expect(await a).toEqual(await b);
    expect(await queue.get(key(1))).toEqual(await a);
    expect(gateway.calls).toHaveLength(1);
  });

  it("holds every queued fetch for 7 s after a 429 media-busy with Retry-After: 7", async () => {
    const { gateway, queue } = setup();
    const results = [1, 2, 3, 4].map((n) => queue.get(key(n)));
    await settle();
    gateway.answer(gateway.calls[0], error(429, "media-busy", "7"));
    await settle();
    // The other download already under way may finish; nothing new starts.
    gateway.answer(gateway.calls[1], image());
    await vi.advanceTimersByTimeAsync(6_999);
    expect(gateway.calls).toHaveLength(2);
    expect(queue.pausedUntil).toBeGreaterThan(0);

    await vi.advanceTimersByTimeAsync(1);
    // The busy item goes first, in its old place.
    expect(idsOf(gateway.calls.slice(2))).toEqual([key(1).id, key(3).id]);
    expect(gateway.calls[2]?.at).toBe(7_000);
    for (const call of gateway.open()) gateway.answer(call, image());
    await settle();
    gateway.answer(gateway.open()[0], image());
    expect((await Promise.all(results)).map((r) => r.status)).toEqual([
      "ready",
      "ready",
      "ready",
      "ready",
    ]);
  });

  it("pauses for a short while after a 429 without Retry-After rather than retrying at once", async () => {
    const { gateway, queue } = setup({ concurrency: 1 });
    void queue.get(key(1));
    await settle();
    gateway.answer(gateway.calls[0], error(429, "media-busy"));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(gateway.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(gateway.calls).toHaveLength(2);
  });

  it("does not ask again for a 404 key within its Retry-After while other keys proceed", async () => {
    const { gateway, queue } = setup();
    const missing = queue.get(key(1));
    await settle();
    gateway.answer(gateway.calls[0], error(404, "media-not-found", "30"));
    const failed = await missing;
    expect(failed).toMatchObject({ status: "failed", code: "media-not-found" });
    expect(failed.status === "failed" && failed.retryAt - Date.now()).toBe(30_000);

    const other = queue.get(key(2));
    await settle();
    expect(idsOf(gateway.calls)).toEqual([key(1).id, key(2).id]);
    gateway.answer(gateway.calls[1], image());
    expect((await other).status).toBe("ready");

    await vi.advanceTimersByTimeAsync(29_000);
    expect(await queue.get(key(1))).toEqual(failed);
    expect(gateway.calls).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(1_000);
    const again = queue.get(key(1));
    await settle();
    expect(gateway.calls).toHaveLength(3);
    gateway.answer(gateway.calls[2], image());
    expect((await again).status).toBe("ready");
  });

  it("never asks again for a key answered 410 media-expired, and says it is gone", async () => {
    const { gateway, queue } = setup();
    const expired = queue.get(key(1));
    await settle();
    gateway.answer(
      gateway.calls[0],
      new Response(
        JSON.stringify({ error: "media-expired", message: "no longer available on WhatsApp" }),
        { status: 410, headers: { "Content-Type": "application/json" } },
      ),
    );
    expect(await expired).toEqual({ status: "gone", message: "no longer available on WhatsApp" });
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect((await queue.get(key(1))).status).toBe("gone");
    expect(gateway.calls).toHaveLength(1);
  });

  it("cools a key down after 502 and 504 answers by their Retry-After, and after a network error by 10 s", async () => {
    const { gateway, queue } = setup();
    const timeout = queue.get(key(1));
    const upstream = queue.get(key(2));
    await settle();
    gateway.answer(gateway.calls[0], error(504, "media-timeout", "20"));
    gateway.answer(gateway.calls[1], error(502, "media-upstream", "5"));
    const [t, u] = await Promise.all([timeout, upstream]);
    expect(t.status === "failed" && t.retryAt - Date.now()).toBe(20_000);
    expect(u.status === "failed" && u.retryAt - Date.now()).toBe(5_000);

    const offline = new MediaQueue({
      load: () =>
        new ApiClient({
          token: () => "t",
          fetch: () => Promise.reject(new TypeError("offline")),
        }).media("j", "i"),
    });
    const down = await offline.get(key(3));
    expect(down).toMatchObject({ status: "failed", code: "network-error" });
    expect(down.status === "failed" && down.retryAt - Date.now()).toBe(10_000);
  });

  it("revokes the least recently used object URL beyond its cap", async () => {
    const { gateway, queue, revoked } = setup({ maxObjectUrls: 2 });
    for (const n of [1, 2]) {
      const result = queue.get(key(n));
      await settle();
      gateway.answer(gateway.open()[0], image());
      await result;
    }
    await queue.get(key(1)); // touched: key 2 is now the oldest
    const third = queue.get(key(3));
    await settle();
    gateway.answer(gateway.open()[0], image());
    await third;
    expect(revoked).toEqual(["blob:2"]);
  });

  it("drops what still waits when the page leaves a chat, but lets running downloads finish", async () => {
    const { gateway, queue } = setup();
    const results = [1, 2, 3].map((n) => queue.get(key(n)));
    await settle();
    queue.cancelQueued();
    expect(await results[2]).toEqual({ status: "cancelled" });
    for (const call of gateway.open()) gateway.answer(call, image());
    expect((await results[0])?.status).toBe("ready");
    expect(gateway.calls).toHaveLength(2);
  });

  it("refuses a concurrency that is not a whole number of at least 1, naming the option", () => {
    expect(() => new MediaQueue({ load: async () => new Blob(), concurrency: 0 })).toThrow(
      /concurrency must be a whole number/,
    );
  });
});
