import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/client/api-error.ts";
import { RetryingLoad } from "../../src/client/retrying-load.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function scripted(answers: Array<string | Error>) {
  const calls: number[] = [];
  const start = Date.now();
  const values: string[] = [];
  const errors: Array<number | undefined> = [];
  const load = new RetryingLoad<string>({
    load: async () => {
      calls.push(Date.now() - start);
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer ?? "";
    },
    onValue: (v) => values.push(v),
    onError: (_e, retryAt) => errors.push(retryAt === undefined ? undefined : retryAt - start),
    capMs: 15_000,
    random: () => 0,
  });
  return { load, calls, values, errors };
}

const down = () => new ApiError(502, "upstream-error", "WAHA answered 503");

describe("a load that tries again by itself", () => {
  it("tries again 2 s, 4 s, 8 s, then every 15 s after a failure, until it gets an answer", async () => {
    const { load, calls, values } = scripted([down(), down(), down(), down(), down(), "chats"]);
    load.now();
    await vi.advanceTimersByTimeAsync(2_000 + 4_000 + 8_000 + 15_000 + 15_000);
    expect(calls).toEqual([0, 2_000, 6_000, 14_000, 29_000, 44_000]);
    expect(values).toEqual(["chats"]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveLength(6);
  });

  it("waits the Retry-After of the answer when it is longer than the backoff", async () => {
    const open = new ApiError(503, "upstream-unavailable", "breaker open", 27_000);
    const { load, calls, errors } = scripted([open, "chats"]);
    load.now();
    await vi.advanceTimersByTimeAsync(27_000);
    expect(calls).toEqual([0, 27_000]);
    expect(errors).toEqual([27_000]);
  });

  it("tries at once when told WAHA is back, and only if the last attempt failed", async () => {
    const { load, calls } = scripted([down(), "chats"]);
    load.now();
    await vi.advanceTimersByTimeAsync(500);
    load.ifFailed();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([0, 500]);
    load.ifFailed();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([0, 500]);
  });

  it("does not try again after a refusal that another try cannot mend", async () => {
    const { load, calls, errors } = scripted([new ApiError(403, "forbidden", "not yours")]);
    load.now();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([0]);
    expect(errors).toEqual([undefined]);
  });

  it("makes no call once stopped", async () => {
    const { load, calls } = scripted([down()]);
    load.now();
    await vi.advanceTimersByTimeAsync(0);
    load.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([0]);
  });
});
