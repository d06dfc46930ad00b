/**
 * The circuit breaker for WAHA, as pure state transitions: consecutive failures open it,
 * a cool-off keeps WAHA free of traffic, then one probe decides whether it closes again.
 */

export type CircuitState = "closed" | "open" | "half-open";

export interface Circuit {
  state: CircuitState;
  /** Consecutive failed attempts (reset by any answer from WAHA). */
  failures: number;
  lastFailureAt: number | null;
  openedAt: number | null;
  /** While half-open: the probe's lease; another probe may go once it has passed. */
  probeUntil: number | null;
}

export interface CircuitPolicy {
  /** Consecutive failures that open the circuit. */
  threshold: number;
  /** How long an open circuit keeps every call away from WAHA. */
  coolOffMs: number;
  /** A failure streak with a gap this long starts again from one. */
  streakExpiryMs: number;
}

export const CIRCUIT_POLICY: CircuitPolicy = {
  threshold: 5,
  // Short: WAHA is spared the load of every caller (one probe per cool-off while it is
  // down costs it nothing), and a WAHA that is back is found within 2 s, so what the outbox
  // queued meanwhile leaves at once.
  coolOffMs: 2_000,
  streakExpiryMs: 60_000,
};

export const CLOSED: Circuit = {
  state: "closed",
  failures: 0,
  lastFailureAt: null,
  openedAt: null,
  probeUntil: null,
};

export type Admission =
  | { status: "pass" }
  | { status: "probe" }
  | { status: "reject"; retryAfterMs: number };

/** May a call go to WAHA now? A probe is leased for `probeLeaseMs`. */
export function admit(
  circuit: Circuit,
  now: number,
  probeLeaseMs: number,
  policy = CIRCUIT_POLICY,
): { admission: Admission; next: Circuit } {
  if (circuit.state === "closed") return { admission: { status: "pass" }, next: circuit };
  const reopensAt = (circuit.openedAt ?? now) + policy.coolOffMs;
  if (now < reopensAt) {
    return { admission: { status: "reject", retryAfterMs: reopensAt - now }, next: circuit };
  }
  if (circuit.state === "half-open" && circuit.probeUntil !== null && now < circuit.probeUntil) {
    return {
      admission: { status: "reject", retryAfterMs: circuit.probeUntil - now },
      next: circuit,
    };
  }
  return {
    admission: { status: "probe" },
    next: { ...circuit, state: "half-open", probeUntil: now + probeLeaseMs },
  };
}

/** WAHA answered (2xx or 4xx): whatever the state, the circuit closes. */
export function recordSuccess(): Circuit {
  return CLOSED;
}

/** A timeout, a 5xx or no connection. */
export function recordFailure(circuit: Circuit, now: number, policy = CIRCUIT_POLICY): Circuit {
  const streakAlive =
    circuit.lastFailureAt !== null && now - circuit.lastFailureAt <= policy.streakExpiryMs;
  const failures = (streakAlive ? circuit.failures : 0) + 1;
  if (circuit.state === "half-open") {
    return { state: "open", failures, lastFailureAt: now, openedAt: now, probeUntil: null };
  }
  if (circuit.state === "open") {
    // A call admitted before the circuit opened; the cool-off keeps its start.
    return { ...circuit, failures, lastFailureAt: now };
  }
  if (failures >= policy.threshold) {
    return { state: "open", failures, lastFailureAt: now, openedAt: now, probeUntil: null };
  }
  return { ...circuit, failures, lastFailureAt: now };
}
