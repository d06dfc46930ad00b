import { describe, expect, it } from "vitest";
import { initialInboxState, reduceInbox } from "../../src/client/inbox-state.ts";
import { withNotes } from "../../src/client/note-order.ts";
import { parseRealtimeEvent } from "../../src/client/realtime-events.ts";
import { StatsHistory } from "../../src/client/stats-history.ts";
import { filterByTeam, labelsIn, parseLabels } from "../../src/client/team-filter.ts";
import type { ChatNote, RealtimeEvent } from "../../src/client/types.ts";
import type { StatsSample } from "../../src/lib/contracts/api.ts";
import { chat, message } from "./client-fixtures.ts";

function note(id: number, atMs: number): ChatNote {
  return {
    id,
    jid: "x@c.us",
    author: "a-1",
    authorName: null,
    text: `note ${id}`,
    createdAt: new Date(atMs).toISOString(),
  };
}

const order = (items: ReturnType<typeof withNotes>) =>
  items.map((i) => (i.kind === "message" ? i.message.id : `n${i.note.id}`));

describe("the team inbox in the browser", () => {
  it("narrows the chat list by status and by label (any case), and lists the labels in use", () => {
    const chats = [
      chat("a", { status: "resolved", labels: ["VIP"] }),
      chat("b", { labels: ["billing", "vip"] }),
      chat("c", { status: "pending" }),
    ];
    expect(filterByTeam(chats, { status: "any", label: "" }).map((c) => c.id)).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(filterByTeam(chats, { status: "open", label: "" }).map((c) => c.id)).toEqual(["b"]);
    expect(filterByTeam(chats, { status: "any", label: "vip" }).map((c) => c.id)).toEqual([
      "a",
      "b",
    ]);
    expect(filterByTeam(chats, { status: "resolved", label: "billing" })).toEqual([]);
    expect(labelsIn(chats)).toEqual(["billing", "vip", "VIP"]);
    expect(parseLabels(" vip, billing ,, vip ")).toEqual(["vip", "billing"]);
  });

  it("puts notes among the messages by time, after the messages of their second, and holds back notes older than what is loaded", () => {
    const messages = [message("m1", 100), message("m2", 200), message("m3", 300)];
    const notes = [note(3, 300_000), note(1, 50_000), note(2, 150_500)];
    expect(order(withNotes(messages, notes, false))).toEqual(["m1", "n2", "m2", "m3", "n3"]);
    expect(order(withNotes(messages, notes, true))).toEqual(["n1", "m1", "n2", "m2", "m3", "n3"]);
    expect(order(withNotes([], notes, false))).toEqual(["n1", "n2", "n3"]);
  });

  it("reads chat.status, chat.labels and note.new frames, and refuses malformed ones", () => {
    expect(
      parseRealtimeEvent(
        '{"type":"chat.status","jid":"x@c.us","number":"default","status":"snoozed","snoozeUntil":"2026-12-05T09:00:00.000Z","seq":4}',
      ),
    ).toEqual({
      type: "chat.status",
      jid: "x@c.us",
      number: "default",
      status: "snoozed",
      snoozeUntil: "2026-12-05T09:00:00.000Z",
    });
    expect(
      parseRealtimeEvent(
        '{"type":"chat.status","jid":"x@c.us","number":"default","status":"closed"}',
      ),
    ).toBeUndefined();
    expect(
      parseRealtimeEvent(
        '{"type":"chat.labels","jid":"x@c.us","number":"default","labels":["vip"]}',
      ),
    ).toEqual({ type: "chat.labels", jid: "x@c.us", number: "default", labels: ["vip"] });
    expect(
      parseRealtimeEvent('{"type":"chat.labels","jid":"x@c.us","number":"default","labels":[1]}'),
    ).toBeUndefined();
    const frame = { type: "note.new", jid: "x@c.us", number: "default", note: note(7, 0) };
    expect(parseRealtimeEvent(JSON.stringify(frame))).toEqual(frame);
    expect(parseRealtimeEvent(JSON.stringify({ ...frame, note: { id: 7 } }))).toBeUndefined();
  });

  it("draws the gateway's kept samples as points before the page's first reading", () => {
    const sample = (at: number, requests: number, since = "s1"): StatsSample => ({
      at,
      since,
      requests,
      upstreamCalls: requests / 10,
      cacheAsked: requests,
      cacheServed: requests / 2,
      mediaRejected: 0,
    });
    const history = new StatsHistory(10);
    history.seed([sample(0, 100), sample(60_000, 160), sample(120_000, 280)]);
    expect(history.points).toEqual([
      { at: 60_000, wahaPerMinute: 6, requestsPerMinute: 60, hitRate: 0.5, mediaRejections: 0 },
      { at: 120_000, wahaPerMinute: 12, requestsPerMinute: 120, hitRate: 0.5, mediaRejections: 0 },
    ]);
    // A sample not newer than the last is one the page has already counted.
    history.seed([sample(120_000, 999), sample(60_000, 999)]);
    expect(history.points).toHaveLength(2);
  });

  it("takes a chat's status and labels from frames in order, a stale one ignored", () => {
    const frame = (event: RealtimeEvent, seq: number | undefined) =>
      ({ type: "frame", event, number: "default", seq, now: 0, visible: true }) as const;
    let state = reduceInbox(initialInboxState({ sub: "admin", role: "admin", via: "bearer" }), {
      type: "chats.loaded",
      chats: [chat("x@c.us", { number: "default" }), chat("y@c.us", { number: "default" })],
      asOf: {},
    });
    const status = (s: "open" | "resolved", seq: number | undefined) =>
      frame({ type: "chat.status", jid: "x@c.us", number: "default", status: s }, seq);
    state = reduceInbox(state, status("resolved", 5));
    state = reduceInbox(state, status("open", 4));
    expect(state.chats.map((c) => c.status)).toEqual(["resolved", "open"]);
    state = reduceInbox(
      state,
      frame({ type: "chat.labels", jid: "y@c.us", number: "default", labels: ["vip"] }, 6),
    );
    expect(state.chats.map((c) => c.labels)).toEqual([[], ["vip"]]);
    // Our own change, answered without a seq, applies at once.
    state = reduceInbox(state, status("open", undefined));
    expect(state.chats[0]?.status).toBe("open");
  });
});
