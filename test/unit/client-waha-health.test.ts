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
    health.gatewayAnswered(T + 4);
    expect(health.view.reach).toBe("unknown");
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
