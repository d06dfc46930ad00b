/**
 * WahaUpstream: the one gate every non-media WAHA call passes, gateway-wide. It holds
 * the concurrency cap (leased slots), the per-attempt timeout, retries with backoff for
 * GETs, and the circuit breaker, whose state lives in storage so a restart keeps it.
 */
import { DurableObject } from "cloudflare:workers";
import {
  admit,
  type Circuit,
  CLOSED,
  recordFailure,
  recordSuccess,
} from "../src/lib/circuit-breaker.ts";
import { loadConfig } from "../src/lib/config.ts";
import { count, flushMetrics } from "../src/lib/metrics.ts";
import { Slots } from "../src/lib/slots.ts";
import {
  type CircuitSnapshot,
  retryDelayMs,
  type UpstreamFailureReason,
  type UpstreamLimits,
  type UpstreamRequest,
  type UpstreamResult,
} from "../src/lib/upstream.ts";
import { WahaRedirectError, wahaFetch } from "../src/lib/waha-client.ts";

/** A slot outlives its attempt's timeout by this much before it is taken back. */
const LEASE_SLACK_MS = 1_000;
/** Suggested wait for a caller turned away because every slot stayed taken. */
const BUSY_RETRY_MS = 1_000;

type Attempt =
  | { kind: "ok"; status: number; body: unknown }
  | { kind: "rejected"; status: number; message: string }
  | { kind: "failed"; reason: UpstreamFailureReason; message: string };

export class WahaUpstream extends DurableObject<Env> {
  private readonly slots = new Slots();

  async call(request: UpstreamRequest, limits: UpstreamLimits): Promise<UpstreamResult> {
    const retries = request.method === "GET" ? limits.maxRetries : 0;
    let last: Attempt | null = null;
    let attempts = 0;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs(attempt));
      const { admission, next } = admit(
        this.circuitState(),
        Date.now(),
        limits.timeoutMs + LEASE_SLACK_MS,
      );
      this.saveCircuit(next);
      if (admission.status === "reject") {
        // Attempts already made tell the caller more than "circuit open" would.
        if (last?.kind === "failed") return { ...last, attempts };
        return { kind: "circuit-open", retryAfterMs: admission.retryAfterMs };
      }
      const slot = await this.slots.acquire(
        limits.maxConcurrent,
        limits.timeoutMs + LEASE_SLACK_MS,
        limits.timeoutMs,
      );
      if (slot.status === "busy") {
        count("upstream.busy");
        return { kind: "busy", retryAfterMs: BUSY_RETRY_MS };
      }
      attempts++;
      last = await this.attempt(request, limits.timeoutMs);
      slot.release();
      this.countAttempt(request, last);
      if (last.kind !== "failed") {
        this.saveCircuit(recordSuccess());
        break;
      }
      this.saveCircuit(recordFailure(this.circuitState(), Date.now()));
      // One probe decides; it is never retried. A redirect would only repeat itself.
      if (admission.status === "probe" || last.reason === "redirect") break;
    }
    // Upstream calls are few (one per resource per TTL), so their counters go out now.
    void flushMetrics(this.env, this.ctx, true);
    if (last === null) return { kind: "busy", retryAfterMs: BUSY_RETRY_MS };
    return last.kind === "failed" ? { ...last, attempts } : last;
  }

  /** Calls holding a slot and calls waiting for one, right now. */
  load(): { active: number; pending: number } {
    return { active: this.slots.activeCount(), pending: this.slots.pendingCount() };
  }

  circuit(): CircuitSnapshot {
    const { state, failures, openedAt } = this.circuitState();
    return {
      state,
      failures,
      openedAt: state !== "closed" && openedAt !== null ? new Date(openedAt).toISOString() : null,
    };
  }

  private circuitState(): Circuit {
    return this.ctx.storage.kv.get<Circuit>("circuit") ?? CLOSED;
  }

  private saveCircuit(next: Circuit): void {
    const current = this.ctx.storage.kv.get<Circuit>("circuit");
    if (current === undefined && next === CLOSED) return;
    if (current && JSON.stringify(current) === JSON.stringify(next)) return;
    const was = current?.state ?? "closed";
    if (was !== next.state) {
      console.log(
        `[waha upstream] circuit ${was} → ${next.state} after ${next.failures} consecutive failure(s)`,
      );
    }
    this.ctx.storage.kv.put("circuit", next);
  }

  private countAttempt(request: UpstreamRequest, outcome: Attempt): void {
    const e = request.endpoint;
    count("upstream.calls");
    count(`upstream.calls:${e}`);
    if (outcome.kind === "rejected") count(`upstream.rejections:${e}`);
    if (outcome.kind !== "failed") return;
    count("upstream.errors");
    count(`upstream.errors:${e}`);
    if (outcome.reason === "timeout") {
      count("upstream.timeouts");
      count(`upstream.timeouts:${e}`);
    }
  }

  private async attempt(request: UpstreamRequest, timeoutMs: number): Promise<Attempt> {
    const loaded = loadConfig(this.env);
    if (!loaded.ok) {
      return { kind: "failed", reason: "unreachable", message: "the gateway's config is invalid" };
    }
    const headers = new Headers({ Accept: "application/json" });
    if (request.body) headers.set("Content-Type", "application/json");
    try {
      const res = await wahaFetch(
        { url: loaded.config.WAHA_URL, apiKey: loaded.config.WAHA_API_KEY },
        request.path,
        {
          method: request.method,
          headers,
          body: request.body ? JSON.stringify(request.body) : null,
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
      const text = await res.text();
      if (res.status >= 500) {
        return {
          kind: "failed",
          reason: "server-error",
          message: `WAHA answered ${res.status} to ${request.endpoint}`,
        };
      }
      if (res.status >= 400) {
        return { kind: "rejected", status: res.status, message: wahaMessage(text, res.statusText) };
      }
      try {
        return { kind: "ok", status: res.status, body: text === "" ? null : JSON.parse(text) };
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
        return {
          kind: "failed",
          reason: "redirect",
          message: `${request.endpoint}: ${err.message}`,
        };
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** WAHA's (NestJS) error bodies: `{message: string | string[]}` or `{error: {message}}`. */
function wahaMessage(text: string, fallback: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null) {
      const { message, error } = body as { message?: unknown; error?: unknown };
      if (typeof message === "string") return message.slice(0, 300);
      if (Array.isArray(message)) return message.map(String).join("; ").slice(0, 300);
      if (typeof error === "string") return error.slice(0, 300);
      if (typeof error === "object" && error !== null && "message" in error) {
        return String(error.message).slice(0, 300);
      }
    }
  } catch {
    // not JSON; fall through
  }
  return fallback || "error";
}
