import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Slots } from "../../src/lib/slots.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("slots", () => {
  it("grants up to max at once and queues the rest first come, first served", async () => {
    const slots = new Slots();
    const a = await slots.acquire(2, 10_000, 5_000);
    const b = await slots.acquire(2, 10_000, 5_000);
    const order: string[] = [];
    const c = slots.acquire(2, 10_000, 5_000).then((r) => {
      order.push("c");
      return r;
    });
    const d = slots.acquire(2, 10_000, 5_000).then((r) => {
      order.push("d");
      return r;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect([slots.activeCount(), slots.pendingCount()]).toEqual([2, 2]);
    if (a.status === "granted") a.release();
    expect((await c).status).toBe("granted");
    if (b.status === "granted") b.release();
    expect((await d).status).toBe("granted");
    expect(order).toEqual(["c", "d"]);
  });

  it("answers busy when no slot frees up within the wait", async () => {
    const slots = new Slots();
    await slots.acquire(1, 60_000, 1_000);
    const waiting = slots.acquire(1, 60_000, 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await waiting).toEqual({ status: "busy", active: 1 });
    expect(slots.pendingCount()).toBe(0);
  });

  it("takes back a slot whose holder never released it once its lease runs out", async () => {
    const slots = new Slots();
    await slots.acquire(1, 500, 1_000);
    const waiting = slots.acquire(1, 500, 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await waiting).status).toBe("granted");
  });

  it("refuses a bad max at once, naming it", async () => {
    await expect(new Slots().acquire(0, 1_000, 1_000)).rejects.toThrow(/^max: /);
  });
});
