import { describe, expect, it } from "vitest";
import { newClientId, type PendingSend, SendTracker } from "../../src/client/send-tracker.ts";
import type { OutboxEntry } from "../../src/client/types.ts";

const JID = "15550100001@c.us";

function tracker() {
  const changes: string[] = [];
  const sent: Array<{ clientId: string; id: string | null }> = [];
  const t = new SendTracker({
    onChange: (jid) => changes.push(jid),
    onSent: (p: PendingSend, id) => sent.push({ clientId: p.clientId, id }),
  });
  const add = (clientId: string, body = "hello") =>
    t.add({ clientId, jid: JID, kind: "text", body, replyTo: null, file: null, createdAt: 1 });
  return { t, changes, sent, add };
}

function entry(over: Partial<OutboxEntry>): OutboxEntry {
  return {
    clientId: "c-1",
    jid: JID,
    sender: "agent-1",
    kind: "text",
    body: "queued text",
    status: "queued",
    attempts: 1,
    error: null,
    messageId: null,
    createdAt: "2026-11-23T12:00:00.000Z",
    updatedAt: "2026-11-23T12:00:00.000Z",
    ...over,
  };
}

describe("sends on their way", () => {
  it("makes clientIds the gateway accepts", () => {
    expect(newClientId()).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(newClientId(() => "a1b2c3d4-e5f6.x")).toBe("a1b2c3d4-e5f6x");
  });

  it("goes sending → queued when the gateway could not reach WAHA, then leaves as a message once sent", () => {
    const { t, sent, add } = tracker();
    add("c-1");
    expect(t.get("c-1")?.state).toBe("sending");
    t.answered("c-1", { clientId: "c-1", status: "queued" });
    expect(t.get("c-1")).toMatchObject({ state: "queued", inOutbox: true });
    expect(
      t.fromEvent({
        type: "outbox.status",
        clientId: "c-1",
        jid: JID,
        status: "sent",
        id: "true_x_1",
      }),
    ).toBe(true);
    expect(t.get("c-1")).toBeUndefined();
    expect(sent).toEqual([{ clientId: "c-1", id: "true_x_1" }]);
  });

  it("fails with the reason, and a retry starts it over", () => {
    const { t, add } = tracker();
    add("c-2");
    t.failed("c-2", "WAHA refused it", true);
    expect(t.get("c-2")).toMatchObject({
      state: "failed",
      error: "WAHA refused it",
      inOutbox: true,
    });
    t.retrying("c-2");
    expect(t.get("c-2")).toMatchObject({ state: "sending", error: undefined });
    t.answered("c-2", { clientId: "c-2", status: "sent", id: "true_x_2" });
    expect(t.size).toBe(0);
  });

  it("shows what the outbox holds from before the page loaded, and drops what it no longer lists", () => {
    const { t, changes } = tracker();
    t.fromOutbox(
      [
        entry({}),
        entry({ clientId: "c-9", status: "failed", error: "too big" }),
        entry({ clientId: "r", kind: "reaction" }),
      ],
      0,
    );
    expect(t.forChat(JID).map((p) => [p.clientId, p.state, p.error])).toEqual([
      ["c-1", "queued", undefined],
      ["c-9", "failed", "too big"],
    ]);
    t.fromOutbox([entry({ clientId: "c-9", status: "failed", error: "too big" })], 0);
    expect(t.forChat(JID).map((p) => p.clientId)).toEqual(["c-9"]);
    expect(changes.length).toBeGreaterThan(0);
  });

  it("takes our message arriving live as the send it was, oldest first, never a failed one", () => {
    const { t, sent, add } = tracker();
    add("c-1", "same words");
    add("c-2", "same words");
    t.failed("c-1", "refused", true);
    expect(t.claim(JID, "same words", "true_x_9")?.clientId).toBe("c-2");
    expect(sent).toEqual([{ clientId: "c-2", id: "true_x_9" }]);
    expect(t.claim(JID, "other words", "true_x_10")).toBeUndefined();
    expect(t.forChat(JID).map((p) => p.clientId)).toEqual(["c-1"]);
  });

  it("ignores frames about sends it does not track", () => {
    const { t } = tracker();
    expect(
      t.fromEvent({ type: "outbox.status", clientId: "other", jid: JID, status: "failed" }),
    ).toBe(false);
  });
});
