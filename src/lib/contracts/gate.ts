/**
 * What the WahaGate object answers: leases on its pools and its state. Every request to
 * WAHA holds a lease from it (media downloads, over-cap streams, API calls) and reports
 * how an API call went, so the circuit breaker and the counters live in one place.
 */

/** `media` and `stream` fail fast when full; `api` waits its turn, for a bounded time. */
export type Pool = "media" | "stream" | "api";

export type Lease =
  /** `probe`: the circuit was half-open and this call decides it; it is never retried. */
  | { status: "granted"; leaseId: string; probe: boolean }
  | { status: "busy"; retryAfterMs: number; active: number; max: number }
  | { status: "circuit-open"; retryAfterMs: number };

export type CallOutcome =
  | { kind: "ok" }
  /** WAHA answered 4xx: an answer, not a failure of WAHA. */
  | { kind: "rejected" }
  | { kind: "failed"; reason: "timeout" | "unreachable" | "server-error" | "redirect" };

/** How one API call went, for the breaker and the counters. */
export interface CallReport {
  endpoint: string;
  outcome: CallOutcome;
}

export interface CircuitSnapshot {
  state: "closed" | "open" | "half-open";
  failures: number;
  openedAt: string | null;
}

export interface GateSnapshot {
  media: { active: number; peak: number; max: number };
  stream: { active: number; max: number };
  api: { active: number; pending: number; max: number };
  circuit: CircuitSnapshot;
}
