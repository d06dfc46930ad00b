/** The WahaGate's pools and leases, asked directly; time moves by the fake clock. */
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { wahaGate } from "../src/lib/waha/client.ts";
import { theNumber } from "./helpers.ts";
import { advance, useClock } from "./waha-fixtures.ts";

beforeAll(useClock);
afterAll(() => vi.useRealTimers());
afterEach(() => vi.restoreAllMocks());

const gate = () => wahaGate(env, theNumber());

describe("leases", () => {
  it("give a media slot back when its holder never releases it, once the lease has run out", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const held = [await gate().acquire("media", "a"), await gate().acquire("media", "b")];
    held.push(await gate().acquire("media", "c"));
    expect(held.map((l) => l.status)).toEqual(["granted", "granted", "granted"]);
    expect((await gate().acquire("media", "d")).status).toBe("busy");
    // Default timeout 20 s + 5 s: nobody released, the leases end by themselves.
    advance(24_000);
    expect((await gate().acquire("media", "d")).status).toBe("busy");
    advance(1_001);
    expect((await gate().acquire("media", "d")).status).toBe("granted");
  });

  it("let an API caller in when a lease runs out, though no holder released it", async () => {
    const held = [await gate().acquire("api", "session"), await gate().acquire("api", "session")];
    expect(held.map((l) => l.status)).toEqual(["granted", "granted"]);
    // The waiter's own deadline is 5 s of real time; the leases end first on the clock.
    const waiting = gate().acquire("api", "chats");
    await vi.waitFor(async () =>
      expect((await gate().snapshot()).api).toMatchObject({ active: 2, pending: 1 }),
    );
    advance(6_001);
    // Any release wakes the waiter (here one from the media pool), which finds both API
    // leases gone by the clock, though neither was released.
    const other = await gate().acquire("media", "m");
    if (other.status === "granted") await gate().release(other.leaseId);
    expect((await waiting).status).toBe("granted");
  });

  it("keep over-cap streams in a pool of their own", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const media = [1, 2, 3].map((i) => gate().acquire("media", `m${i}`));
    const leases = await Promise.all(media);
    const first = leases[0];
    if (first?.status !== "granted") throw new Error("no media lease");
    expect((await gate().move(first.leaseId, "m1", "stream")).status).toBe("granted");
    const snapshot = await gate().snapshot();
    expect(snapshot.media.active).toBe(2);
    expect(snapshot.stream.active).toBe(1);
    // The freed media slot is there for ordinary media.
    expect((await gate().acquire("media", "m4")).status).toBe("granted");
  });
});

describe("a WAHA Plus server with several sessions", () => {
  const plus = () => wahaGate(env, { server: "http://plus.test:3000" });

  it("holds back only the calls of a session heard not WORKING, and leaves the breaker alone", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    await plus().sessionHeard("STARTING", "support-wa");
    await plus().sessionHeard("WORKING", "sales-wa");
    const support = await plus().acquire("api", "chats", 1, "support-wa");
    expect(support).toMatchObject({ status: "session-down", sessionStatus: "STARTING" });
    const sales = await plus().acquire("api", "chats", 1, "sales-wa");
    expect(sales.status).toBe("granted");
    if (sales.status === "granted") await plus().release(sales.leaseId);
    const snapshot = await plus().snapshot("support-wa");
    expect(snapshot.circuit.state).toBe("closed");
    expect(snapshot.session).toMatchObject({ status: "STARTING" });
    expect(Object.keys(snapshot.sessions).sort()).toEqual(["sales-wa", "support-wa"]);
    // The default configuration's server has a gate of its own, which heard of neither.
    expect((await gate().snapshot()).sessions).toEqual({});
  });
});
