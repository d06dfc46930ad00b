/**
 * What the page believes about WAHA, from every source it has: status checks (a STALE
 * answer means the gateway could not reach WAHA), the gateway's `upstream.status` frames
 * (its circuit breaker), `session.status` frames, and calls of the page that failed on
 * WAHA's side. The newest word wins; a status answer counts from when WAHA gave it.
 */
import { ApiError } from "./api-error.ts";
import type { RealtimeEvent, StatusSnapshot } from "./types.ts";

export type Reach = "unknown" | "up" | "down" | "gateway-down";

export interface HealthView {
  reach: Reach;
  /** The session's last known status (WORKING, SCAN_QR_CODE, …). */
  session: string | undefined;
  tier: string | undefined;
  /** Since when WAHA has not answered (ms), while it is down. */
  downSince: number | undefined;
  /** When the gateway tries WAHA again (its breaker's cool-off), if it said. */
  retryAt: number | undefined;
  /** When WAHA last answered (ms). */
  lastSeenAt: number | undefined;
  /** WORKING by WAHA's word, but its webhooks have stopped: news may not arrive. */
  silent: boolean;
}

/** Error codes meaning WAHA, not the request or the gateway, is the trouble. */
const UPSTREAM_CODES = new Set([
  "upstream-unavailable",
  "upstream-timeout",
  "upstream-error",
  "upstream-invalid",
  "media-upstream",
]);

/** Whether a failed call says WAHA is away. */
export function isUpstreamFailure(error: unknown): boolean {
  return error instanceof ApiError && UPSTREAM_CODES.has(error.code);
}

export class WahaHealth {
  #reach: Reach = "unknown";
  #reachAt = Number.NEGATIVE_INFINITY;
  #session: string | undefined;
  #sessionAt = Number.NEGATIVE_INFINITY;
  #tier: string | undefined;
  #downSince: number | undefined;
  #retryAt: number | undefined;
  #lastSeenAt: number | undefined;
  #silent = false;
  #silentAt = Number.NEGATIVE_INFINITY;

  get view(): HealthView {
    return {
      reach: this.#reach,
      session: this.#session,
      tier: this.#tier,
      downSince: this.#reach === "down" ? this.#downSince : undefined,
      retryAt: this.#reach === "down" ? this.#retryAt : undefined,
      lastSeenAt: this.#lastSeenAt,
      silent: this.#silent,
    };
  }

  /** A status check answered. */
  fromStatus(snapshot: StatusSnapshot, now: number): void {
    if (snapshot.tier !== undefined) this.#tier = snapshot.tier;
    if (snapshot.cache === "STALE") {
      // The gateway tried WAHA just now and kept its last copy: WAHA is away.
      this.#down(now, undefined);
      this.#setSession(snapshot.status, now - snapshot.ageMs);
      return;
    }
    // WAHA gave this answer `ageMs` ago: it is news only if nothing newer said otherwise.
    const answeredAt = now - snapshot.ageMs;
    this.#up(answeredAt);
    this.#setSession(snapshot.status, answeredAt);
    // The gateway's own finding is read fresh with every answer.
    this.#setSilent(snapshot.silent, now);
  }

  /** A status check (or any call) failed. */
  fromError(error: unknown, now: number): void {
    if (!(error instanceof ApiError)) return;
    if (error.status === 0) {
      this.#set("gateway-down", now);
      return;
    }
    if (!isUpstreamFailure(error)) return;
    this.#down(now, error.retryAfterMs === undefined ? undefined : now + error.retryAfterMs);
  }

  /** A realtime frame; answers whether it changed what the page believes. */
  fromEvent(event: RealtimeEvent, now: number): boolean {
    switch (event.type) {
      case "upstream.status": {
        if (event.state === "up") this.#up(now);
        else {
          const retryAt = event.retryAt === undefined ? Number.NaN : Date.parse(event.retryAt);
          this.#down(now, Number.isNaN(retryAt) ? undefined : retryAt);
        }
        return true;
      }
      case "session.status":
        // WAHA itself sent this (a webhook): it is there, and its webhooks flow.
        this.#up(now);
        this.#setSession(event.status, now);
        this.#setSilent(false, now);
        return true;
      case "session.silent":
        this.#setSilent(event.silent, now);
        return true;
      default:
        return false;
    }
  }

  /** The socket is open: the gateway answers, whatever WAHA does. */
  gatewayAnswered(now: number): void {
    if (this.#reach === "gateway-down") this.#set("unknown", now);
  }

  #up(at: number): void {
    if (at < this.#reachAt) return;
    this.#set("up", at);
    this.#lastSeenAt = Math.max(this.#lastSeenAt ?? at, at);
    this.#downSince = undefined;
    this.#retryAt = undefined;
  }

  #down(at: number, retryAt: number | undefined): void {
    if (at < this.#reachAt) return;
    if (this.#reach !== "down") this.#downSince = at;
    this.#set("down", at);
    if (retryAt !== undefined) this.#retryAt = retryAt;
  }

  #set(reach: Reach, at: number): void {
    this.#reach = reach;
    this.#reachAt = at;
  }

  #setSilent(silent: boolean, at: number): void {
    if (at < this.#silentAt) return;
    this.#silent = silent;
    this.#silentAt = at;
  }

  #setSession(status: string | undefined, at: number): void {
    if (status === undefined || at < this.#sessionAt) return;
    this.#session = status;
    this.#sessionAt = at;
  }
}
