import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/lib/backoff.ts";
import {
  admit,
  CIRCUIT_POLICY,
  type Circuit,
  CLOSED,
  recordFailure,
  recordSuccess,
} from "../../src/lib/waha/circuit-breaker.ts";
import { RETRY_BACKOFF } from "../../src/lib/waha/client.ts";

const LEASE = 6_000;

function failTimes(n: number, start: Circuit = CLOSED, at = 1_000): Circuit {
  let circuit = start;
  for (let i = 0; i < n; i++) circuit = recordFailure(circuit, at + i);
  return circuit;
}

describe("circuit breaker", () => {
  it("stays closed through four consecutive failures and opens on the fifth", () => {
    expect(failTimes(4)).toMatchObject({ state: "closed", failures: 4 });
    expect(failTimes(5)).toMatchObject({ state: "open", failures: 5, openedAt: 1_004 });
  });

  it("starts counting again after any answer from WAHA", () => {
    expect(failTimes(4)).toMatchObject({ failures: 4 });
    const afterAnswer = recordSuccess();
    expect(failTimes(4, afterAnswer)).toMatchObject({ state: "closed", failures: 4 });
  });

  it("forgets a failure streak with a gap longer than a minute", () => {
    const four = failTimes(4);
    const later = recordFailure(four, 1_003 + CIRCUIT_POLICY.streakExpiryMs + 1);
    expect(later).toMatchObject({ state: "closed", failures: 1 });
  });

  it("rejects every call during the cool-off, saying how long is left", () => {
    const open = failTimes(5);
    expect(admit(open, 1_004 + 1_500, LEASE).admission).toEqual({
      status: "reject",
      retryAfterMs: CIRCUIT_POLICY.coolOffMs - 1_500,
    });
  });

  it("lets exactly one probe through after the cool-off, and another only once its lease has passed", () => {
    const open = failTimes(5);
    const reopensAt = 1_004 + CIRCUIT_POLICY.coolOffMs;
    const first = admit(open, reopensAt, LEASE);
    expect(first.admission).toEqual({ status: "probe" });
    expect(first.next.state).toBe("half-open");
    expect(admit(first.next, reopensAt + 1, LEASE).admission).toEqual({
      status: "reject",
      retryAfterMs: LEASE - 1,
    });
    expect(admit(first.next, reopensAt + LEASE, LEASE).admission).toEqual({ status: "probe" });
  });

  it("reopens for a whole cool-off when the probe fails, and closes when it succeeds", () => {
    const probing = admit(failTimes(5), 40_000, LEASE).next;
    const reopened = recordFailure(probing, 40_500);
    expect(reopened).toMatchObject({ state: "open", openedAt: 40_500 });
    expect(admit(reopened, 40_500 + CIRCUIT_POLICY.coolOffMs - 1, LEASE).admission.status).toBe(
      "reject",
    );
    expect(recordSuccess()).toEqual(CLOSED);
  });
});

describe("retry delays", () => {
  it("double with each retry, stay between half and all of their ceiling, and stop growing at 2 s", () => {
    const delay = (n: number, random: number) => backoffDelay(n, RETRY_BACKOFF, () => random);
    expect([0, 1, 2, 3].map((n) => delay(n, 0))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map((n) => delay(n, 1))).toEqual([50, 100, 200, 400]);
    expect(delay(9, 0)).toBe(2_000);
  });
});
