/**
 * The hub closes sockets as the WebSocket protocol asks: a peer's close is answered with its
 * own code, but 1005, 1006 and 1015 (never sent by anyone) are not answered at all, and a
 * close reason is cut to the 123 bytes a close frame holds, on a character boundary.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { closeReason, type RealtimeHub } from "../durable-objects/realtime-hub.ts";

function hub() {
  return env.REALTIME_HUB.get(env.REALTIME_HUB.idFromName("global"));
}

function fakeSocket() {
  return { close: vi.fn() } as unknown as WebSocket & { close: ReturnType<typeof vi.fn> };
}

describe("closing sockets", () => {
  it("answers a peer's close with its own code, and never answers 1005, 1006 or 1015", async () => {
    await runInDurableObject(hub(), (instance: RealtimeHub) => {
      const answered = fakeSocket();
      instance.webSocketClose(answered, 4000, "tab closed");
      expect(answered.close).toHaveBeenCalledWith(4000, "tab closed");
      for (const code of [1005, 1006, 1015]) {
        const gone = fakeSocket();
        instance.webSocketClose(gone, code, "");
        expect(gone.close).not.toHaveBeenCalled();
      }
    });
  });

  it("cuts a close reason at 123 bytes of UTF-8, never inside a character", () => {
    expect(closeReason("short")).toBe("short");
    const emoji = "🙂".repeat(40); // 4 bytes each: 160 bytes
    const cut = closeReason(emoji);
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(123);
    expect(cut).toBe("🙂".repeat(30));
    const mixed = `${"a".repeat(122)}é`; // 124 bytes: é would straddle the limit
    expect(closeReason(mixed)).toBe("a".repeat(122));
  });
});
