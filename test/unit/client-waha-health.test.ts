import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/client/api-error.ts";
import type { StatusSnapshot } from "../../src/client/types.ts";
import { WahaHealth } from "../../src/client/waha-health.ts";

const T = 1_000_000;

function status(over: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    status: "WORKING",
    tier: "CORE",
    engine: "WEBJS",
    cache: "HIT",
    ageMs: 0,
    silent: false,
    ...over,
  };
}

describe("what the page believes about WAHA", () => {
  it("takes a STALE status answer as WAHA not answering, whatever status it carries", () => {
    const health = new WahaHealth();
    health.fromStatus(status(), T);
    expect(health.view).toMatchObject({ reach: "up", session: "WORKING" });
    health.fromStatus(status({ cache: "STALE", ageMs: 20_000 }), T + 25_000);
    expect(health.view).toMatchObject({ reach: "down", session: "WORKING", downSince: T + 25_000 });
  });

  it("trusts the gateway's upstream.status over an older cached answer, and a newer one over it", () => {
    const health = new WahaHealth();
    health.fromStatus(status(), T);
    health.fromEvent(
      { type: "upstream.status", state: "down", retryAt: new Date(T + 30_000).toISOString() },
      T + 1_000,
    );
    expect(health.view).toMatchObject({ reach: "down", retryAt: T + 30_000 });
    // A cached answer WAHA gave before the breaker opened says nothing new.
    health.fromStatus(status({ ageMs: 8_000 }), T + 5_000);
    expect(health.view.reach).toBe("down");
    health.fromStatus(status({ cache: "MISS" }), T + 40_000);
    expect(health.view).toMatchObject({ reach: "up", retryAt: undefined, lastSeenAt: T + 40_000 });
  });

  it("reads upstream failures of any call as WAHA away, the network's as the gateway away, others as nothing", () => {
    const health = new WahaHealth();
    health.fromStatus(status(), T);
    health.fromError(new ApiError(400, "invalid-request", "jid: bad"), T + 1);
    expect(health.view.reach).toBe("up");
    health.fromError(new ApiError(503, "upstream-unavailable", "breaker open", 12_000), T + 2);
    expect(health.view).toMatchObject({ reach: "down", retryAt: T + 12_002 });
    health.fromError(new ApiError(0, "network-error", "offline"), T + 3);
    expect(health.view.reach).toBe("gateway-down");
    // The gateway's absence said nothing of WAHA: its last word about WAHA stands again.
    health.gatewayAnswered();
    expect(health.view).toMatchObject({ reach: "down", retryAt: T + 12_002 });
  });

  it("hears the session's own status from a webhook frame, which also proves WAHA is there", () => {
    const health = new WahaHealth();
    health.fromError(new ApiError(502, "upstream-error", "503"), T);
    expect(health.fromEvent({ type: "session.status", status: "SCAN_QR_CODE" }, T + 1)).toBe(true);
    expect(health.view).toMatchObject({ reach: "up", session: "SCAN_QR_CODE" });
    // An older status answer does not undo it.
    health.fromStatus(status({ ageMs: 5_000 }), T + 2);
    expect(health.view.session).toBe("SCAN_QR_CODE");
    expect(health.fromEvent({ type: "chat.assigned", jid: "a@c.us", agentId: null }, T + 3)).toBe(
      false,
    );
  });

  it("takes a proxy's error page in place of the gateway's answer as the gateway away, like no answer", () => {
    const health = new WahaHealth();
    health.fromStatus(status(), T);
    health.fromError(new ApiError(502, "http-502", "502 Bad Gateway"), T + 1);
    expect(health.view.reach).toBe("gateway-down");
  });

  it("hears from our own sends: one WAHA did not take is news that it is away, one that went out that it is back", () => {
    const health = new WahaHealth();
    health.fromStatus(status(), T);
    const queued = { type: "outbox.status", clientId: "c-1", jid: "a@c.us" } as const;
    expect(health.fromEvent({ ...queued, status: "queued" }, T + 5_000)).toBe(true);
    expect(health.view).toMatchObject({ reach: "down", downSince: T + 5_000 });
    // The status route's cached answer from before says nothing new.
    health.fromStatus(status({ ageMs: 3_000 }), T + 6_000);
    expect(health.view.reach).toBe("down");
    expect(health.fromEvent({ ...queued, status: "sent", id: "true_a@c.us_1" }, T + 9_000)).toBe(
      true,
    );
    expect(health.view).toMatchObject({ reach: "up", lastSeenAt: T + 9_000 });
    // Already known: no news, so no extra status check.
    expect(health.fromEvent({ ...queued, status: "sent" }, T + 9_500)).toBe(false);
    // The gateway's answer to a send says the same as its frame.
    expect(health.fromSend("queued", T + 12_000)).toBe(true);
    expect(health.view).toMatchObject({ reach: "down", downSince: T + 12_000 });
    expect(health.fromSend("sent", T + 13_000)).toBe(true);
    expect(health.view.reach).toBe("up");
  });

  it("does not let a cached answer the gateway calls 0 s old undo news from a moment ago, since Age counts whole seconds", () => {
    const health = new WahaHealth();
    health.fromStatus(status(), T);
    health.fromError(new ApiError(503, "upstream-unavailable", "breaker open"), T + 10_000);
    // Cached up to 999 ms before it was read: WAHA may have answered it before it failed.
    health.fromStatus(status({ cache: "HIT", ageMs: 0 }), T + 10_300);
    expect(health.view.reach).toBe("down");
    // The gateway asked WAHA for this one after the failure: WAHA is back.
    health.fromStatus(status({ cache: "MISS", ageMs: 0 }), T + 12_000);
    expect(health.view.reach).toBe("up");
  });

  it("believes the gateway when it finds the session SILENT, until a frame or an answer says otherwise", () => {
    const health = new WahaHealth();
    health.fromStatus(status({ silent: true }), T);
    expect(health.view).toMatchObject({ reach: "up", session: "WORKING", silent: true });
    // A webhook's own frame proves webhooks flow again.
    health.fromEvent({ type: "session.status", status: "WORKING" }, T + 1_000);
    expect(health.view.silent).toBe(false);
    health.fromEvent({ type: "session.silent", silent: true, reason: "no-echo" }, T + 2_000);
    expect(health.view.silent).toBe(true);
    // An answer read before that frame does not undo it.
    health.fromStatus(status({ silent: false }), T + 1_500);
    expect(health.view.silent).toBe(true);
    health.fromEvent({ type: "session.silent", silent: false }, T + 3_000);
    expect(health.view.silent).toBe(false);
  });
});
