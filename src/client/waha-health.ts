/**
 * What the page believes about WAHA, from every source it has: status checks (a STALE
 * answer means the gateway could not reach WAHA), the gateway's `upstream.status` frames
 * (its circuit breaker), `session.status` frames, our own sends (`outbox.status`: queued
 * because WAHA did not take it, or sent), and calls of the page that failed on WAHA's
 * side. The newest word wins; a status answer counts from when WAHA gave it. While the
 * gateway itself does not answer, that is all the page can say; its first answer brings
 * back the last word about WAHA.
 */
import { ApiError, noGatewayAnswer } from "./api-error.ts";
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
  /** WAHA's, as last heard; the gateway's own absence is kept apart, as it says nothing of WAHA. */
  #reach: Exclude<Reach, "gateway-down"> = "unknown";
  #gatewayDown = false;
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
      reach: this.#gatewayDown ? "gateway-down" : this.#reach,
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
    this.#gatewayDown = false;
    if (snapshot.tier !== undefined) this.#tier = snapshot.tier;
    // `Age` counts whole seconds: a cached answer may be up to a second older than it says.
    const answeredAt = now - snapshot.ageMs - (snapshot.cache === "HIT" ? 999 : 0);
    if (snapshot.cache === "STALE") {
      // The gateway tried WAHA just now and kept its last copy: WAHA is away.
      this.#down(now, undefined);
      this.#setSession(snapshot.status, answeredAt);
      return;
    }
    // WAHA gave this answer `ageMs` ago: it is news only if nothing newer said otherwise.
    this.#up(answeredAt);
    this.#setSession(snapshot.status, answeredAt);
    // The gateway's own finding is read fresh with every answer.
    this.#setSilent(snapshot.silent, now);
  }

  /** A status check (or any call) failed. */
  fromError(error: unknown, now: number): void {
    if (!(error instanceof ApiError)) return;
    this.#gatewayDown = noGatewayAnswer(error);
    if (!isUpstreamFailure(error)) return;
    this.#down(now, error.retryAfterMs === undefined ? undefined : now + error.retryAfterMs);
  }

  /** A realtime frame; answers whether it changed what the page believes. */
  fromEvent(event: RealtimeEvent, now: number): boolean {
    // It came over the socket: the gateway is there.
    this.#gatewayDown = false;
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
      case "outbox.status":
        // A refusal says nothing here: the gateway gives up on old sends with it too.
        return event.status !== "failed" && this.fromSend(event.status, now);
      default:
        return false;
    }
  }

  /**
   * One of our sends: WAHA took it now (`sent`), or the gateway keeps it because WAHA did
   * not (`queued`). Answers whether that changed what the page believes.
   */
  fromSend(status: "sent" | "queued", now: number): boolean {
    const was = this.view.reach;
    this.#gatewayDown = false;
    if (status === "queued") this.#down(now, undefined);
    else this.#up(now);
    return this.view.reach !== was;
  }

  /** The gateway answered (a call, the socket): whatever WAHA does, the gateway is there. */
  gatewayAnswered(): void {
    this.#gatewayDown = false;
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

  #set(reach: "up" | "down", at: number): void {
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
