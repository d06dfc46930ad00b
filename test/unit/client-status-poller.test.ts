import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/client/api-error.ts";
import { StatusPoller } from "../../src/client/status-poller.ts";
import type { PollingConfig } from "../../src/client/types.ts";
import type { Visibility } from "../../src/client/visibility.ts";

const CONFIG: PollingConfig = {
  initialCheckDelay: 5_000,
  baseInterval: 15_000,
  authenticatedInterval: 30_000,
  maxInterval: 60_000,
  backoffMultiplier: 2,
  pingInterval: 30_000,
};

/** A status check that answers from a script and records when it was called. */
function scriptedCheck(answers: Array<string | Error>) {
  const calls: number[] = [];
  const start = Date.now();
  const check = async () => {
    calls.push(Date.now() - start);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { check, calls };
}

function fakeVisibility(initial = true) {
  let visible = initial;
  const listeners = new Set<(visible: boolean) => void>();
  const visibility: Visibility = {
    visible: () => visible,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const set = (next: boolean) => {
    visible = next;
    for (const listener of listeners) listener(next);
  };
  return { visibility, set };
}

/** Gaps between consecutive calls. */
function gaps(calls: number[]): number[] {
  return calls.slice(1).map((t, i) => t - (calls[i] ?? 0));
}

const down = () => new ApiError(502, "upstream-error", "WAHA is down");

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("status polling", () => {
  it("checks first after initialCheckDelay, then every baseInterval while the session is not WORKING", async () => {
    const { check, calls } = scriptedCheck(["SCAN_QR_CODE"]);
    const poller = new StatusPoller({ config: CONFIG, check });
    poller.start();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + 3 * 15_000);
    expect(calls).toEqual([5_000, 20_000, 35_000, 50_000]);
    poller.stop();
  });

  it("slows to authenticatedInterval once the session is WORKING and reports each status", async () => {
    const { check, calls } = scriptedCheck(["STARTING", "WORKING"]);
    const seen: Array<string | undefined> = [];
    const poller = new StatusPoller({ config: CONFIG, check, onStatus: (s) => seen.push(s) });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000 + 15_000 + 2 * 30_000);
    expect(calls).toEqual([5_000, 20_000, 50_000, 80_000]);
    expect(seen).toEqual(["STARTING", "WORKING", "WORKING", "WORKING"]);
    poller.stop();
  });

  it("doubles the interval on each failure, caps it at maxInterval, and resets after a success", async () => {
    const { check, calls } = scriptedCheck([down(), down(), down(), down(), "STOPPED", "STOPPED"]);
    const poller = new StatusPoller({ config: CONFIG, check });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000 + 30_000 + 60_000 + 60_000 + 60_000 + 15_000);
    // 2× base, then 4× base = maxInterval, which holds; one success brings base back.
    expect(gaps(calls)).toEqual([30_000, 60_000, 60_000, 60_000, 15_000]);
    poller.stop();
  });

  it("keeps doubling past 4× base when maxInterval allows it", async () => {
    const { check, calls } = scriptedCheck([down()]);
    const poller = new StatusPoller({ config: { ...CONFIG, maxInterval: 1_000_000 }, check });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000 + 30_000 + 60_000 + 120_000);
    expect(gaps(calls)).toEqual([30_000, 60_000, 120_000]);
    poller.stop();
  });

  it("waits the Retry-After of a 429 even when it is longer than the backoff", async () => {
    const limited = new ApiError(429, "rate-limited", "slow down", 90_000);
    const { check, calls } = scriptedCheck([limited, "WORKING"]);
    const errors: number[] = [];
    const poller = new StatusPoller({
      config: CONFIG,
      check,
      onError: (_e, ms) => errors.push(ms),
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000 + 89_999);
    expect(calls).toEqual([5_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([5_000, 95_000]);
    expect(errors).toEqual([90_000]);
    poller.stop();
  });

  it("ignores Retry-After on errors other than 429 and 503", async () => {
    const odd = new ApiError(500, "internal-error", "boom", 600_000);
    const { check, calls } = scriptedCheck([odd, "WORKING"]);
    const poller = new StatusPoller({ config: CONFIG, check });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000 + 30_000);
    expect(calls).toEqual([5_000, 35_000]);
    poller.stop();
  });

  it("keeps checking while the socket delivers, every baseInterval even once WORKING", async () => {
    const { check, calls } = scriptedCheck(["WORKING"]);
    const poller = new StatusPoller({ config: CONFIG, check });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toEqual([5_000]);

    // WAHA sends nothing when it dies: a live socket proves the gateway, not WAHA.
    poller.setRealtimeLive(true);
    expect(poller.mode).toBe("polling");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toEqual([5_000, 20_000, 35_000]);

    // Without the socket each check also stands in for the events: the slower beat.
    poller.setRealtimeLive(false);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(calls).toEqual([5_000, 20_000, 35_000, 50_000, 80_000]);
    poller.stop();
  });

  it("checks at once when told to start without delay, and soon when something hints at a change", async () => {
    let release: () => void = () => {};
    const calls: number[] = [];
    const start = Date.now();
    const check = () =>
      new Promise<string>((resolve) => {
        calls.push(Date.now() - start);
        release = () => resolve("WORKING");
      });
    const poller = new StatusPoller({ config: CONFIG, check, firstCheckDelayMs: 0 });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([0]);
    // Asked while a check is under way: the next one comes 2 s after it ends, not in parallel.
    poller.checkSoon();
    await vi.advanceTimersByTimeAsync(1_000);
    release();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(calls).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([0, 3_000]);
    release();
    await vi.advanceTimersByTimeAsync(10_000);
    poller.checkSoon();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([0, 3_000, 13_000]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    poller.stop();
  });

  it("stops while the page is hidden and, back on screen, checks only when the interval is due", async () => {
    const { visibility, set } = fakeVisibility();
    const { check, calls } = scriptedCheck(["WORKING"]);
    const poller = new StatusPoller({ config: CONFIG, check, visibility });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000);

    set(false);
    expect(poller.mode).toBe("paused-hidden");
    expect(poller.nextCheckAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10_000);
    set(true);
    // 10 s into a 30 s interval: the next check stays at 35 s, not at once.
    await vi.advanceTimersByTimeAsync(19_999);
    expect(calls).toEqual([5_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([5_000, 35_000]);

    set(false);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(calls).toEqual([5_000, 35_000]);
    set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([5_000, 35_000, 335_000]);
    poller.stop();
  });

  it("starts paused when the page loads hidden", async () => {
    const { visibility, set } = fakeVisibility(false);
    const { check, calls } = scriptedCheck(["WORKING"]);
    const poller = new StatusPoller({ config: CONFIG, check, visibility });
    poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([]);
    set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([60_000]);
    poller.stop();
  });

  it("never overlaps checks: a slow answer delays the next one", async () => {
    const calls: number[] = [];
    const start = Date.now();
    const check = () =>
      new Promise<string>((resolve) => {
        calls.push(Date.now() - start);
        setTimeout(() => resolve("STOPPED"), 40_000);
      });
    const poller = new StatusPoller({ config: CONFIG, check });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000 + 40_000 + 15_000 + 40_000);
    expect(calls).toEqual([5_000, 60_000]);
    poller.stop();
  });

  it("makes no call after stop, even when a check was under way", async () => {
    let release: (status: string) => void = () => {};
    const check = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const onStatus = vi.fn();
    const poller = new StatusPoller({ config: CONFIG, check, onStatus });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000);
    poller.stop();
    release("WORKING");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(check).toHaveBeenCalledTimes(1);
    expect(onStatus).not.toHaveBeenCalled();
    expect(poller.mode).toBe("stopped");
  });
});
