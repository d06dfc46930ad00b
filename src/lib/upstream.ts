/**
 * The upstream client: every non-media call to WAHA goes through the one WahaUpstream
 * object, which holds the gateway-wide concurrency cap, timeouts, retries and the
 * circuit breaker. This module is how the rest of the code talks to it.
 */
import type { Config } from "./config.ts";
import { errorResponse } from "./errors.ts";

/** WAHA endpoints by the names the counters (and the simulator) use. */
export type UpstreamEndpoint =
  | "session"
  | "server-version"
  | "ping"
  | "health"
  | "chats"
  | "messages"
  | "message"
  | "sendText"
  | "sendSeen";

export interface UpstreamLimits {
  maxConcurrent: number;
  timeoutMs: number;
  maxRetries: number;
}

export interface UpstreamRequest {
  endpoint: UpstreamEndpoint;
  method: "GET" | "POST";
  /** Path and query on WAHA_URL, built with `wahaPaths`. */
  path: string;
  body?: Record<string, unknown>;
}

export type UpstreamFailureReason = "timeout" | "unreachable" | "server-error" | "redirect";

export type UpstreamResult =
  /** WAHA answered 2xx; `body` is the parsed JSON (null when empty). */
  | { kind: "ok"; status: number; body: unknown }
  /** WAHA answered 4xx: never retried, and not a failure of WAHA. */
  | { kind: "rejected"; status: number; message: string }
  /** Every attempt failed; the last one says why. */
  | { kind: "failed"; reason: UpstreamFailureReason; message: string; attempts: number }
  /** The circuit is open: nothing was sent. */
  | { kind: "circuit-open"; retryAfterMs: number }
  /** No slot freed up within the timeout: nothing was sent. */
  | { kind: "busy"; retryAfterMs: number };

export interface CircuitSnapshot {
  state: "closed" | "open" | "half-open";
  failures: number;
  openedAt: string | null;
}

/** What a failed read or write answers the browser, with its HTTP status. */
export interface UpstreamFailure {
  status: 400 | 404 | 502 | 503;
  error: string;
  message: string;
  retryAfterMs?: number;
}

export function upstreamLimits(config: Config): UpstreamLimits {
  return {
    maxConcurrent: config.WAHA_MAX_CONCURRENT_REQUESTS,
    timeoutMs: config.WAHA_REQUEST_TIMEOUT_MS,
    maxRetries: config.WAHA_MAX_RETRIES,
  };
}

function gate(env: Env) {
  return env.WAHA_UPSTREAM.get(env.WAHA_UPSTREAM.idFromName("global"));
}

/** Calls WAHA through the gate. GETs are retried; anything else is sent at most once. */
export function callWaha(
  env: Env,
  request: UpstreamRequest,
  limits: UpstreamLimits,
): Promise<UpstreamResult> {
  return gate(env).call(request, limits);
}

export function circuitSnapshot(env: Env): Promise<CircuitSnapshot> {
  return gate(env).circuit();
}

/** Turns a result that is not `ok` into the answer a browser gets. */
export function failureOf(result: Exclude<UpstreamResult, { kind: "ok" }>): UpstreamFailure {
  switch (result.kind) {
    case "circuit-open":
      return {
        status: 503,
        error: "upstream-unavailable",
        message: "WAHA is failing; calls to it are paused until the circuit closes",
        retryAfterMs: result.retryAfterMs,
      };
    case "busy":
      return {
        status: 503,
        error: "upstream-busy",
        message: "too many WAHA calls are under way",
        retryAfterMs: result.retryAfterMs,
      };
    case "rejected":
      return {
        status: 502,
        error: "upstream-rejected",
        message: `WAHA answered ${result.status}: ${result.message}`,
      };
    case "failed":
      return {
        status: 502,
        error: result.reason === "timeout" ? "upstream-timeout" : "upstream-error",
        message: `${result.message} (after ${result.attempts} attempt${result.attempts === 1 ? "" : "s"})`,
      };
  }
}

/** First retry waits about this long; each further one twice as long, up to the cap. */
const RETRY_BASE_MS = 100;
const RETRY_CAP_MS = 2_000;

/**
 * Exponential backoff with jitter before retry `attempt` (1-based): somewhere between
 * half and all of base × 2^(attempt-1), so retries from many callers spread out.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** The JSON error response for a failure, with Retry-After when there is one. */
export function failureResponse(failure: UpstreamFailure): Response {
  return errorResponse(failure.status, failure.error, failure.message, failure.retryAfterMs);
}
