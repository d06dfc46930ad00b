/**
 * The one way a request reaches WAHA: on the number's WAHA origin only, with that
 * number's `X-Api-Key`, and never following a redirect, so the key goes nowhere else and
 * nothing a redirect points at is ever served or cached as WAHA's answer. API calls also
 * go through the `api` pool of their WAHA server's gate, with timeouts and retries
 * (`callWaha`): each WAHA server is its own road.
 */
import { type BackoffPolicy, backoffDelay } from "../backoff.ts";
import { type Config, loadConfig } from "../config.ts";
import type { CallOutcome, CallReport } from "../contracts/gate.ts";
import type { Failure, Result } from "../contracts/result.ts";
import { notWorking, wahaMessage } from "./errors.ts";
import type { WaNumber } from "./numbers.ts";
import { isNotLoadedYet, NOT_LOADED_YET } from "./webjs-history.ts";

export interface WahaTarget {
  /** The WAHA server's URL, without a trailing slash. */
  url: string;
  apiKey: string;
}

/** WAHA answered 3xx. `locationOrigin` is all that is logged of where it pointed. */
export class WahaRedirectError extends Error {
  override readonly name = "WahaRedirectError";
  constructor(
    readonly status: number,
    readonly locationOrigin: string | null,
  ) {
    super(
      `WAHA answered ${status} redirecting to ${locationOrigin ?? "nowhere"}; redirects are never followed`,
    );
  }
}

/** A URL outside the WAHA server's origin was about to be fetched. */
export class WahaOriginError extends Error {
  override readonly name = "WahaOriginError";
}

function originOf(location: string | null, base: string): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).origin;
  } catch {
    return "(unparsable)";
  }
}

/**
 * Fetches `pathOrUrl` (a path on the target's URL, or a full URL already on its origin) with the
 * API key. A 3xx answer throws WahaRedirectError after its body is dropped.
 */
export async function wahaFetch(
  target: WahaTarget,
  pathOrUrl: string,
  init: RequestInit = {},
): Promise<Response> {
  const url = pathOrUrl.startsWith("/") ? `${target.url}${pathOrUrl}` : pathOrUrl;
  if (new URL(url).origin !== new URL(target.url).origin) {
    throw new WahaOriginError(`refusing to fetch outside the WAHA server's origin`);
  }
  const headers = new Headers(init.headers);
  headers.set("X-Api-Key", target.apiKey);
  const res = await fetch(url, { ...init, headers, redirect: "manual" });
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new WahaRedirectError(res.status, originOf(res.headers.get("Location"), url));
  }
  return res;
}

/** WAHA endpoints by the names the counters (and the simulator) use. */
export type WahaEndpoint =
  | "session"
  | "session-update"
  | "session-restart"
  | "server-environment"
  | "server-version"
  | "ping"
  | "health"
  | "chats"
  | "messages"
  | "message"
  | "lids"
  | "sendText"
  | "sendImage"
  | "sendFile"
  | "sendVoice"
  | "reaction"
  | "qr"
  | "sendSeen"
  | "contact"
  | "contact-picture"
  | "message-edit"
  | "message-delete";

export interface WahaRequest {
  endpoint: WahaEndpoint;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path and query on the number's WAHA URL, built with `wahaPaths`. */
  path: string;
  body?: Record<string, unknown>;
}

/** WAHA's 2xx answer: its status and parsed JSON (null when empty). */
export interface WahaAnswer {
  status: number;
  body: unknown;
}

/** The gate of a number's WAHA server: every request to that server takes a lease from it. */
export function wahaGate(env: Env, number: Pick<WaNumber, "server">) {
  return env.WAHA_GATE.get(env.WAHA_GATE.idFromName(number.server));
}

/** Retries of idempotent GETs after a failure: about 100 ms doubling to 2 s, half-jittered. */
export const RETRY_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 2_000, jitter: 0.5 };

type CallAttempt =
  | { kind: "ok"; answer: WahaAnswer }
  /** `code`: the failure's own error code, where the answer means something particular. */
  | { kind: "rejected"; status: number; message: string; sessionStatus?: string; code?: string }
  | (Extract<CallOutcome, { kind: "failed" }> & { message: string });

/**
 * Calls WAHA's API (not media): one lease from the gate's `api` pool per attempt, the
 * per-attempt timeout, and for GETs up to WAHA_MAX_RETRIES retries after a 5xx, a timeout
 * or no connection. A 4xx is WAHA's answer and never retried; anything but a GET is sent
 * at most once. The failure is the one the browser gets.
 */
export async function callWaha(
  env: Env,
  number: WaNumber,
  request: WahaRequest,
): Promise<Result<WahaAnswer>> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return { ok: false, failure: invalidConfig };
  const config = loaded.config;
  const gate = wahaGate(env, number);
  const retries = request.method === "GET" ? config.WAHA_MAX_RETRIES : 0;
  let last: CallAttempt | null = null;
  let attempts = 0;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt - 1, RETRY_BACKOFF));
    const lease = await gate.acquire("api", request.endpoint, 1, number.session);
    if (lease.status === "circuit-open") {
      // Attempts already made tell the caller more than "circuit open" would.
      if (last?.kind === "failed") break;
      return { ok: false, failure: circuitOpen(lease.retryAfterMs) };
    }
    if (lease.status === "busy") return { ok: false, failure: busy(lease.retryAfterMs) };
    if (lease.status === "session-down") {
      return { ok: false, failure: sessionDown(lease.sessionStatus, lease.retryAfterMs) };
    }
    attempts++;
    last = await attemptOnce(config, number, request);
    await gate.release(lease.leaseId, reportOf(number, request, last));
    // One probe decides the circuit; a redirect would only repeat itself.
    if (last.kind !== "failed" || lease.probe || last.reason === "redirect") break;
  }
  if (last === null) return { ok: false, failure: busy(1_000) };
  return resultOf(last, attempts);
}

/**
 * Calls made one after another under one `api` lease, for a caller with a queue to send (a
 * chat's outbox): it pays the gate once per run instead of twice per call, and still has
 * at most one call in flight. Each call is one attempt, never retried; `call` answers null
 * once the run is used up (`calls` made, or its one probe), and the caller opens another.
 * `close` gives the slot back with how every call went.
 */
interface ApiRun {
  call(request: WahaRequest): Promise<Result<WahaAnswer> | null>;
  close(): Promise<void>;
}

/** Most calls one run may make: its lease lasts this many call timeouts. */
export const MAX_RUN_CALLS = 4;

async function openApiRun(
  env: Env,
  number: WaNumber,
  endpoint: WahaEndpoint,
  calls: number,
): Promise<ApiRun | Failure> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return invalidConfig;
  const config = loaded.config;
  const gate = wahaGate(env, number);
  const lease = await gate.acquire("api", endpoint, calls, number.session);
  if (lease.status === "circuit-open") return circuitOpen(lease.retryAfterMs);
  if (lease.status === "busy") return busy(lease.retryAfterMs);
  if (lease.status === "session-down") return sessionDown(lease.sessionStatus, lease.retryAfterMs);
  const reports: CallReport[] = [];
  let left = lease.probe ? 1 : Math.min(calls, MAX_RUN_CALLS);
  let closed: Promise<void> | null = null;
  return {
    async call(request) {
      if (left <= 0 || closed) return null;
      left--;
      const last = await attemptOnce(config, number, request);
      reports.push(reportOf(number, request, last));
      return resultOf(last, 1);
    },
    close() {
      closed ??= gate.release(lease.leaseId, reports);
      return closed;
    },
  };
}

/**
 * A caller's calls in runs, one after another: a run is opened when a call needs one and
 * another when it is used up. `end` gives the last run's slot back.
 */
export class RunCaller {
  private run: ApiRun | null = null;

  constructor(
    private readonly env: Env,
    private readonly number: WaNumber,
  ) {}

  async call(request: WahaRequest): Promise<Result<WahaAnswer>> {
    for (;;) {
      if (!this.run) {
        const opened = await openApiRun(this.env, this.number, request.endpoint, MAX_RUN_CALLS);
        if (!("call" in opened)) return { ok: false, failure: opened };
        this.run = opened;
      }
      const answer = await this.run.call(request);
      if (answer) return answer;
      await this.end();
    }
  }

  async end(): Promise<void> {
    const run = this.run;
    this.run = null;
    await run?.close();
  }
}

function outcomeOf(attempt: CallAttempt): CallOutcome {
  return attempt.kind === "failed"
    ? { kind: "failed", reason: attempt.reason }
    : { kind: attempt.kind };
}

/** How a call went, for the gate: with the session's status when the answer told it. */
function reportOf(number: WaNumber, request: WahaRequest, attempt: CallAttempt): CallReport {
  const report: CallReport = {
    endpoint: request.endpoint,
    outcome: outcomeOf(attempt),
    sessionName: number.session,
  };
  const session =
    attempt.kind === "rejected"
      ? attempt.sessionStatus
      : attempt.kind === "ok" && request.endpoint === "session"
        ? (attempt.answer.body as { status?: unknown } | null)?.status
        : undefined;
  if (typeof session === "string") report.session = session;
  return report;
}

/** What the caller gets for the last attempt; `attempts` made in all. */
function resultOf(last: CallAttempt, attempts: number): Result<WahaAnswer> {
  switch (last.kind) {
    case "ok":
      return { ok: true, value: last.answer };
    case "rejected":
      if (last.sessionStatus !== undefined) {
        return { ok: false, failure: sessionDown(last.sessionStatus, SESSION_RETRY_MS) };
      }
      if (last.status === 401 || last.status === 403) {
        return {
          ok: false,
          failure: {
            status: 502,
            error: "upstream-unauthorized",
            message: `WAHA refused the gateway's API key (${last.status}): the number's apiKey (WAHA_API_KEY) must be WAHA's WHATSAPP_API_KEY`,
            upstreamStatus: last.status,
          },
        };
      }
      return {
        ok: false,
        failure: {
          status: 502,
          error: last.code ?? "upstream-rejected",
          message: `WAHA answered ${last.status}: ${last.message}`,
          upstreamStatus: last.status,
        },
      };
    default:
      return {
        ok: false,
        failure: {
          status: 502,
          error: last.reason === "timeout" ? "upstream-timeout" : "upstream-error",
          message: `${last.message} (after ${attempts} attempt${attempts === 1 ? "" : "s"})`,
        },
      };
  }
}

const invalidConfig: Failure = {
  status: 502,
  error: "upstream-error",
  message: "the gateway's config is invalid",
};

function circuitOpen(retryAfterMs: number): Failure {
  return {
    status: 503,
    error: "upstream-unavailable",
    message: "WAHA is failing; calls to it are paused until the circuit closes",
    retryAfterMs,
  };
}

/** How long a caller refused for the session's sake is asked to wait. */
const SESSION_RETRY_MS = 5_000;

/**
 * The WhatsApp session is not WORKING (starting, failed, stopped, waiting for a scan):
 * WAHA is up and will take the call once it is. 503, not WAHA's 422: nothing was wrong
 * with the request.
 */
function sessionDown(status: string, retryAfterMs: number): Failure {
  return {
    status: 503,
    error: "session-not-working",
    message: `the WhatsApp session is ${status}, not WORKING; try again when it is`,
    retryAfterMs,
    sessionStatus: status,
  };
}

function busy(retryAfterMs: number): Failure {
  return {
    status: 503,
    error: "upstream-busy",
    message: "too many WAHA calls are under way",
    retryAfterMs,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function attemptOnce(
  config: Config,
  number: WaNumber,
  request: WahaRequest,
): Promise<CallAttempt> {
  const timeoutMs = config.WAHA_REQUEST_TIMEOUT_MS;
  const headers = new Headers({ Accept: "application/json" });
  if (request.body) headers.set("Content-Type", "application/json");
  try {
    const res = await wahaFetch({ url: number.url, apiKey: number.apiKey }, request.path, {
      method: request.method,
      headers,
      body: request.body ? JSON.stringify(request.body) : null,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    // An answer, not a failure of WAHA: never retried, never held against the circuit.
    if (request.endpoint === "messages" && isNotLoadedYet(res.status, text)) {
      return {
        kind: "rejected",
        status: res.status,
        message: "WhatsApp Web has not loaded that far back yet",
        code: NOT_LOADED_YET,
      };
    }
    if (res.status >= 500) {
      return {
        kind: "failed",
        reason: "server-error",
        message: `WAHA answered ${res.status} to ${request.endpoint}`,
      };
    }
    if (res.status >= 400) {
      const sessionStatus = res.status === 422 ? notWorking(text) : undefined;
      return {
        kind: "rejected",
        status: res.status,
        message: wahaMessage(text, res.statusText),
        ...(sessionStatus !== undefined ? { sessionStatus } : {}),
      };
    }
    try {
      return {
        kind: "ok",
        answer: { status: res.status, body: text === "" ? null : JSON.parse(text) },
      };
    } catch {
      return {
        kind: "failed",
        reason: "server-error",
        message: `WAHA answered ${request.endpoint} with a body that is not JSON`,
      };
    }
  } catch (err) {
    if (err instanceof WahaRedirectError) {
      console.log(
        `[waha upstream] refused a redirect from ${request.endpoint} (${err.status}) to ${err.locationOrigin ?? "nowhere"}`,
      );
      return { kind: "failed", reason: "redirect", message: `${request.endpoint}: ${err.message}` };
    }
    const name = err instanceof Error ? err.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      return {
        kind: "failed",
        reason: "timeout",
        message: `WAHA did not answer ${request.endpoint} within ${timeoutMs} ms`,
      };
    }
    return {
      kind: "failed",
      reason: "unreachable",
      message: `WAHA could not be reached for ${request.endpoint}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
