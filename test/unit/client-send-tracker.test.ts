import { describe, expect, it } from "vitest";
import { newClientId, type PendingSend, SendTracker } from "../../src/client/send-tracker.ts";
import type { OutboxEntry } from "../../src/client/types.ts";
import { UnsentStore } from "../../src/client/unsent-store.ts";

const JID = "15550100001@c.us";

/** The browser's localStorage, as a map the test can read. */
function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

function tracker(store?: UnsentStore) {
  const changes: string[] = [];
  const sent: Array<{ clientId: string; id: string | null }> = [];
  const t = new SendTracker({
    onChange: (jid) => changes.push(jid),
    onSent: (p: PendingSend, id) => sent.push({ clientId: p.clientId, id }),
    ...(store ? { store } : {}),
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

  it("keeps the texts the gateway has not answered in the browser per user, and forgets each once answered", () => {
    const storage = memoryStorage();
    const { t, add } = tracker(new UnsentStore(storage, "agent-1"));
    add("c-1", "first");
    add("c-2", "second");
    add("c-3", "third");
    t.waiting("c-1");
    expect(t.get("c-1")).toMatchObject({ state: "queued", inOutbox: false });
    const kept = () => new UnsentStore(storage, "agent-1").list().map((s) => [s.clientId, s.body]);
    expect(kept()).toEqual([
      ["c-1", "first"],
      ["c-2", "second"],
      ["c-3", "third"],
    ]);
    expect(new UnsentStore(storage, "agent-2").list()).toEqual([]);
    t.answered("c-2", { clientId: "c-2", status: "queued" });
    t.answered("c-3", { clientId: "c-3", status: "sent", id: "true_x_3" });
    // The gateway's outbox holds c-2 now: the page need not send it again.
    expect(kept()).toEqual([["c-1", "first"]]);
    t.failed("c-1", "jid: bad", false);
    expect(kept()).toEqual([]);
    expect(storage.items.size).toBe(0);
  });

  it("brings back after a reload, queued and oldest first, the texts the gateway never answered", () => {
    const storage = memoryStorage();
    const before = tracker(new UnsentStore(storage, "agent-1"));
    before.t.add({
      clientId: "c-late",
      jid: JID,
      kind: "text",
      body: "second",
      replyTo: { id: "false_x_1", body: "hi", fromMe: false },
      file: null,
      createdAt: 20,
    });
    before.add("c-early", "first");

    const after = tracker(new UnsentStore(storage, "agent-1"));
    const restored = after.t.restore();
    expect(restored.map((p) => p.clientId)).toEqual(["c-early", "c-late"]);
    expect(after.t.forChat(JID).map((p) => [p.clientId, p.state, p.body])).toEqual([
      ["c-early", "queued", "first"],
      ["c-late", "queued", "second"],
    ]);
    expect(after.t.get("c-late")?.replyTo).toEqual({ id: "false_x_1", body: "hi", fromMe: false });
    expect(after.changes).toContain(JID);
  });

  it("starts with nothing from storage it cannot read, and sends on in memory when storage refuses to write", () => {
    const storage = memoryStorage();
    storage.setItem("wa-edge.unsent.agent-1", "{not json");
    expect(tracker(new UnsentStore(storage, "agent-1")).t.restore()).toEqual([]);
    storage.setItem("wa-edge.unsent.agent-1", JSON.stringify([{ clientId: 7 }, "x", null]));
    expect(tracker(new UnsentStore(storage, "agent-1")).t.restore()).toEqual([]);

    const full = {
      ...memoryStorage(),
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    const { t, add } = tracker(new UnsentStore(full, "agent-1"));
    add("c-1", "still on its way");
    t.waiting("c-1");
    expect(t.get("c-1")?.state).toBe("queued");
  });

  it("leaves a text waiting for the gateway to its own resend, not to a look-alike arriving live", () => {
    const { t, sent, add } = tracker();
    add("c-1", "same words");
    t.waiting("c-1");
    expect(t.claim(JID, "same words", "true_x_9")).toBeUndefined();
    expect(sent).toEqual([]);
  });
});
