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
  | { status: "circuit-open"; retryAfterMs: number }
  /** The WhatsApp session is known not to be WORKING: a call that needs it would only wait
   * at WAHA (WAHA holds it up to 10 s) and then be refused. WAHA itself is fine. */
  | { status: "session-down"; sessionStatus: string; retryAfterMs: number };

export type CallOutcome =
  | { kind: "ok" }
  /** WAHA answered 4xx: an answer, not a failure of WAHA. */
  | { kind: "rejected" }
  | { kind: "failed"; reason: "timeout" | "unreachable" | "server-error" | "redirect" };

/** How one API call went, for the breaker and the counters. */
export interface CallReport {
  endpoint: string;
  outcome: CallOutcome;
  /** The session's status, when the answer told it (the session itself, or WAHA's 422
   * "Session status is not as expected"). */
  session?: string;
  /** The WAHA session the call was for (a WAHA Plus server runs several). */
  sessionName?: string;
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
  /** The WhatsApp session asked about, as last heard (a webhook, a status read, a refusal);
   * null: never. */
  session: { status: string; at: string } | null;
  /** Every session of this server as last heard, by WAHA session name. */
  sessions: Record<string, { status: string; at: string }>;
}
