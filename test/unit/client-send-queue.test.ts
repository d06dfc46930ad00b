import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Delivery, SendQueue } from "../../src/client/send-queue.ts";

const ANA = "15550100001@c.us";
const BRIAN = "15550100002@c.us";

/** A gateway the test answers by hand: each delivery waits until the test settles it. */
function gateway() {
  const calls: string[] = [];
  const open = new Map<string, (delivery: Delivery) => void>();
  const waiting: string[] = [];
  const queue = new SendQueue({
    deliver: (clientId) => {
      calls.push(clientId);
      return new Promise((resolve) => open.set(clientId, resolve));
    },
    onWaiting: (clientId) => waiting.push(clientId),
    random: () => 0,
  });
  const settle = async (clientId: string, delivery: Delivery) => {
    const resolve = open.get(clientId);
    if (!resolve) throw new Error(`${clientId} is not on its way`);
    open.delete(clientId);
    resolve(delivery);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { queue, calls, waiting, settle };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 3_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("sends leaving in order", () => {
  it("sends a chat's messages one after another, each once the one before was answered, and other chats beside them", async () => {
    const { queue, calls, settle } = gateway();
    queue.push(ANA, "a-1");
    queue.push(ANA, "a-2");
    queue.push(BRIAN, "b-1");
    expect(calls).toEqual(["a-1", "b-1"]);
    await settle("a-1", "answered");
    expect(calls).toEqual(["a-1", "b-1", "a-2"]);
    await settle("a-2", "answered");
    await settle("b-1", "answered");
    expect(queue.size).toBe(0);
  });

  it("keeps a send the gateway never answered first in its chat, the ones behind it queued, and sends them again in order when the gateway answers", async () => {
    const { queue, calls, waiting, settle } = gateway();
    queue.push(ANA, "a-1");
    queue.push(ANA, "a-2");
    await settle("a-1", "unanswered");
    expect(waiting).toEqual(["a-1", "a-2"]);
    queue.push(ANA, "a-3");
    expect(waiting).toEqual(["a-1", "a-2", "a-3"]);
    expect(calls).toEqual(["a-1"]);

    queue.gatewayAnswered();
    expect(calls).toEqual(["a-1", "a-1"]);
    await settle("a-1", "answered");
    await settle("a-2", "answered");
    await settle("a-3", "answered");
    expect(calls).toEqual(["a-1", "a-1", "a-2", "a-3"]);
    expect(queue.size).toBe(0);
  });

  it("tries again by itself after 2 s, 4 s, 8 s … up to 30 s while nothing shows the gateway back", async () => {
    const { queue, calls, settle } = gateway();
    const tries: number[] = [];
    const start = Date.now();
    queue.push(ANA, "a-1");
    for (let i = 0; i < 6; i++) {
      tries.push(Date.now() - start);
      await settle("a-1", "unanswered");
      await vi.advanceTimersToNextTimerAsync();
    }
    expect(tries).toEqual([0, 2_000, 6_000, 14_000, 30_000, 60_000]);
    expect(calls).toHaveLength(7);
    // An answer starts the waits over.
    await settle("a-1", "answered");
    queue.push(ANA, "a-2");
    await settle("a-2", "unanswered");
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls.at(-1)).toBe("a-2");
    expect(calls.filter((c) => c === "a-2")).toHaveLength(2);
  });

  it("hurries a waiting send once on a sign of the gateway; if the gateway answers others but not it, it waits its backoff", async () => {
    const { queue, calls, settle } = gateway();
    queue.push(ANA, "a-1");
    await settle("a-1", "unanswered");
    queue.gatewayAnswered();
    await settle("a-1", "unanswered");
    queue.gatewayAnswered();
    queue.gatewayAnswered();
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(calls).toHaveLength(3);
    // After the backoff's own try, a sign of the gateway counts again; the network's return always does.
    await settle("a-1", "unanswered");
    queue.gatewayAnswered();
    expect(calls).toHaveLength(4);
    await settle("a-1", "unanswered");
    queue.retryNow();
    expect(calls).toHaveLength(5);
    await settle("a-1", "answered");
    expect(queue.size).toBe(0);
  });

  it("sends nothing more once stopped (signed out), not even after its backoff", async () => {
    const { queue, calls, settle } = gateway();
    queue.push(ANA, "a-1");
    await settle("a-1", "unanswered");
    queue.stop();
    queue.push(ANA, "a-2");
    queue.retryNow();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toEqual(["a-1"]);
  });

  it("takes a send once, however often it is pushed", async () => {
    const { queue, calls, settle } = gateway();
    queue.push(ANA, "a-1");
    queue.push(ANA, "a-1");
    await settle("a-1", "answered");
    expect(calls).toEqual(["a-1"]);
    expect(queue.size).toBe(0);
  });
});
