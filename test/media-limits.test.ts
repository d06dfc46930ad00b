/** The media pool's cap and the download timeout (this file's config: cap 2, timeout 3 s). */
import { describe, expect, it } from "vitest";
import { sim } from "./helpers.ts";
import { CHAT, captureLogs, get, newMessage } from "./media-fixtures.ts";

const logs = captureLogs();

describe("the global download cap", () => {
  it("never lets more than WA_MEDIA_MAX_CONCURRENCY downloads reach WAHA and answers the rest 429", async () => {
    const msgs = await Promise.all(
      Array.from({ length: 8 }, () => newMessage({ kind: "image/jpeg" })),
    );
    // Slow enough that all eight are asked while two download, far from the timeout even on
    // a loaded machine (200 ms against 300 ms failed there).
    await sim.control("faults", { endpoint: "file", latencyMs: 1500 });
    const burst = await Promise.all(msgs.map((m) => get(CHAT, m.id)));

    const ok = burst.filter((r) => r.status === 200);
    const busy = burst.filter((r) => r.status === 429);
    expect(ok).toHaveLength(2);
    expect(busy).toHaveLength(6);
    for (const res of busy) {
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
      expect(await res.json()).toMatchObject({ error: "media-busy" });
    }
    expect((await sim.stats()).mediaPeak).toBeLessThanOrEqual(2);
    expect(logs.media("busy")).toHaveLength(6);

    await sim.control("faults", undefined, "DELETE");
    for (const m of msgs) {
      expect((await get(CHAT, m.id)).status).toBe(200);
    }
  });
});

describe("timeouts", () => {
  it("answers hanging downloads 504 media-timeout and frees their slots", async () => {
    const hanging = await Promise.all([1, 2].map(() => newMessage({ kind: "image/png" })));
    await sim.control("faults", { endpoint: "file", hang: true, times: 2 });
    const answers = await Promise.all(hanging.map((m) => get(CHAT, m.id)));
    for (const res of answers) {
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ error: "media-timeout" });
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    }
    expect(logs.media("cooldown").filter((l) => l.includes("kind=timeout"))).toHaveLength(2);

    // Both slots held by the hung downloads are free again.
    const others = await Promise.all([1, 2].map(() => newMessage({ kind: "image/png" })));
    const later = await Promise.all(others.map((m) => get(CHAT, m.id)));
    expect(later.map((r) => r.status)).toEqual([200, 200]);
  });
});
