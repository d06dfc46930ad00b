import { describe, expect, it } from "vitest";
import {
  type InboxAction,
  type InboxState,
  initialInboxState,
  reduceInbox,
} from "../../src/client/inbox-state.ts";
import { Store } from "../../src/client/store.ts";
import type { Me, Message, RealtimeEvent } from "../../src/client/types.ts";
import { chat, message } from "./client-fixtures.ts";

const ANA = "15550100001@c.us";
const BRIAN = "15550100002@c.us";
const ADMIN: Me = { sub: "admin", role: "admin", via: "bearer" };
const AMIRA: Me = { sub: "agent-1", role: "agent", via: "bearer" };

/** A page as the gateway answers it: newest first. */
function page(...messages: Message[]): Message[] {
  return [...messages].reverse();
}

/** A one-message page of Ana's chat, read before any frame. */
function pageOfAna(type: "page.newest" | "page.older", messages: Message[]): InboxAction {
  return { type, number: "", jid: ANA, page: page(...messages), limit: 1, asOf: { "": 0 } };
}

function run(state: InboxState, ...actions: InboxAction[]): InboxState {
  return actions.reduce(reduceInbox, state);
}

function frame(event: RealtimeEvent, seq: number | undefined, visible = true): InboxAction {
  return { type: "frame", event, number: "", seq, now: 1_000, visible };
}

/** Ana's chat open with two messages, Brian's chat below it; nothing applied yet. */
function inbox(me: Me = ADMIN): InboxState {
  return run(
    initialInboxState(me),
    { type: "chats.loaded", chats: [chat(ANA), chat(BRIAN)], asOf: { "": 0 } },
    { type: "chat.opened", number: "", jid: ANA, fresh: true },
    {
      type: "page.newest",
      number: "",
      jid: ANA,
      page: page(message("m1", 100), message("m2", 200, { fromMe: true, ackName: "SERVER" })),
      limit: 50,
      asOf: { "": 0 },
    },
  );
}

const shown = (state: InboxState, id: string) => state.open?.messages.find((m) => m.id === id);

describe("the store", () => {
  it("draws once for a burst of actions, and not at all for an action that changes nothing", async () => {
    const store = new Store(inbox(), reduceInbox);
    const drawn: InboxState[] = [];
    store.subscribe((state) => drawn.push(state));
    store.dispatch({ type: "filter", filter: "unread" });
    store.dispatch({ type: "filter", filter: "all" });
    expect(store.dispatch({ type: "filter", filter: "mine" })).toBe(false);
    expect(drawn).toHaveLength(0);
    await Promise.resolve();
    expect(drawn).toEqual([store.state]);
    expect(store.state.filter).toBe("all");
  });

  it("draws at once on flush, for code that reads the rows right after a change", () => {
    const store = new Store(inbox(), reduceInbox);
    let drawn = 0;
    store.subscribe(() => drawn++);
    store.flush();
    expect(drawn).toBe(0);
    store.dispatch({ type: "filter", filter: "unread" });
    store.flush();
    expect(drawn).toBe(1);
  });
});

describe("each realtime frame", () => {
  it("message.new: into the open chat after its second, the chat on top, unread while the reader looks away", () => {
    const looking = run(
      inbox(),
      frame({ type: "message.new", jid: ANA, message: message("m3", 200) }, 1),
    );
    expect(looking.open?.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
    expect(looking.chats[0]).toMatchObject({ id: ANA, preview: "text m3", unreadCount: 0 });
    expect(looking.chats[0]?.lastMessageAt).toBe(new Date(200_000).toISOString());

    const away = run(
      inbox(),
      frame({ type: "message.new", jid: BRIAN, message: message("b1", 300) }, 1),
      frame({ type: "message.new", jid: ANA, message: message("m3", 300) }, 2, false),
    );
    expect(away.chats.map((c) => [c.id, c.unreadCount])).toEqual([
      [ANA, 1],
      [BRIAN, 1],
    ]);
    expect(away.open?.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
  });

  it("message.new: our own message counts as read; a chat the page does not know changes nothing", () => {
    const state = run(
      inbox(),
      frame({ type: "message.new", jid: BRIAN, message: message("b1", 300, { fromMe: true }) }, 1),
      frame({ type: "message.new", jid: "unknown@c.us", message: message("u1", 300) }, 2),
    );
    expect(state.chats.map((c) => [c.id, c.unreadCount])).toEqual([
      [BRIAN, 0],
      [ANA, 0],
    ]);
    expect(state.seq).toEqual({ "": 2 });
  });

  it("message.status, message.edited, message.revoked and message.reaction change the message shown", () => {
    const state = run(
      inbox(),
      frame({ type: "message.status", jid: ANA, id: "m2", status: "READ" }, 1),
      frame({ type: "message.edited", jid: ANA, id: "m1", body: "fixed" }, 2),
      frame({ type: "message.reaction", jid: ANA, id: "m1", reaction: "👍", from: BRIAN }, 3),
      frame({ type: "message.reaction", jid: ANA, id: "m1", reaction: "❤️", from: ANA }, 4),
      frame({ type: "message.reaction", jid: ANA, id: "m1", reaction: "", from: BRIAN }, 5),
    );
    expect(shown(state, "m2")?.ackName).toBe("READ");
    expect(shown(state, "m1")).toMatchObject({
      body: "fixed",
      editedAt: 1_000,
      reactions: [{ from: ANA, text: "❤️" }],
    });
    const revoked = run(state, frame({ type: "message.revoked", jid: ANA, id: "m1" }, 6));
    expect(shown(revoked, "m1")).toMatchObject({ body: null, hasMedia: false, revokedAt: 1_000 });
  });

  it("frames about a chat that is not open leave the open one alone", () => {
    const before = inbox();
    const state = run(
      before,
      frame({ type: "message.status", jid: BRIAN, id: "m2", status: "READ" }, 1),
    );
    expect(state.open).toBe(before.open);
  });

  it("chat.assigned: a new owner for staff; an agent loses a chat taken from them, and it closes", () => {
    const staff = run(inbox(), frame({ type: "chat.assigned", jid: ANA, agentId: "agent-2" }, 1));
    expect(staff.chats[0]?.owner).toBe("agent-2");
    expect(staff.open?.jid).toBe(ANA);

    const agent = run(
      inbox(AMIRA),
      frame({ type: "chat.assigned", jid: ANA, agentId: "agent-2" }, 1),
    );
    expect(agent.chats.map((c) => c.id)).toEqual([BRIAN]);
    expect(agent.open).toBeUndefined();
    expect(agent.closed).toBe("This chat was assigned to someone else.");

    const unassigned = run(
      inbox(AMIRA),
      frame({ type: "chat.assigned", jid: ANA, agentId: null }, 1),
    );
    expect(unassigned.chats.map((c) => c.id)).toEqual([BRIAN]);
    expect(unassigned.closed).toBe("This chat was unassigned from you.");
  });

  it("frames that change nothing of the inbox still move its seq on", () => {
    const before = inbox();
    const state = run(
      before,
      frame({ type: "upstream.status", state: "down" }, 7),
      frame({ type: "session.status", status: "WORKING" }, 8),
    );
    expect(state.seq).toEqual({ "": 8 });
    expect([state.chats, state.open]).toEqual([before.chats, before.open]);
  });
});

describe("frames out of order", () => {
  it("an older ack after a newer one is ignored", () => {
    const state = run(
      inbox(),
      frame({ type: "message.status", jid: ANA, id: "m2", status: "READ" }, 5),
      frame({ type: "message.status", jid: ANA, id: "m2", status: "DEVICE" }, 4),
    );
    expect(shown(state, "m2")?.ackName).toBe("READ");
    expect(state.seq).toEqual({ "": 5 });
  });

  it("an edit overtaken by the deletion does not bring the text back", () => {
    const state = run(
      inbox(),
      frame({ type: "message.revoked", jid: ANA, id: "m1" }, 8),
      frame({ type: "message.edited", jid: ANA, id: "m1", body: "second thoughts" }, 7),
    );
    expect(shown(state, "m1")?.body).toBeNull();
  });

  it("a message frame replayed after a reconnect is counted once", () => {
    const news = frame({ type: "message.new", jid: BRIAN, message: message("b1", 300) }, 3);
    const state = run(inbox(), news, news);
    expect(state.chats.find((c) => c.id === BRIAN)?.unreadCount).toBe(1);
  });

  it("an older message of a chat does not take the place of its newest in the list", () => {
    const state = run(
      inbox(),
      frame({ type: "message.new", jid: BRIAN, message: message("b2", 400) }, 6),
      frame({ type: "message.new", jid: ANA, message: message("m9", 500) }, 7),
      frame({ type: "message.new", jid: BRIAN, message: message("b1", 300) }, 5),
    );
    expect(state.chats.map((c) => c.id)).toEqual([ANA, BRIAN]);
    expect(state.chats[1]?.preview).toBe("text b2");
  });

  it("an older assignment after a newer one is ignored", () => {
    const state = run(
      inbox(),
      frame({ type: "chat.assigned", jid: ANA, agentId: "agent-2" }, 9),
      frame({ type: "chat.assigned", jid: ANA, agentId: "agent-1" }, 8),
    );
    expect(state.chats.find((c) => c.id === ANA)?.owner).toBe("agent-2");
  });

  it("frames without a seq are applied as they come", () => {
    const state = run(
      inbox(),
      frame({ type: "message.status", jid: ANA, id: "m2", status: "READ" }, undefined),
      frame({ type: "message.status", jid: ANA, id: "m2", status: "PLAYED" }, undefined),
    );
    expect(shown(state, "m2")?.ackName).toBe("PLAYED");
  });
});

describe("answers that arrive after a newer frame", () => {
  it("a page read before an ack does not undo it, even when the message was not shown yet", () => {
    const opened = run(
      initialInboxState(ADMIN),
      { type: "chats.loaded", chats: [chat(ANA)], asOf: { "": 0 } },
      { type: "chat.opened", number: "", jid: ANA, fresh: true },
      frame({ type: "message.status", jid: ANA, id: "m2", status: "READ" }, 4),
    );
    /** Ana's newest page with m2 at `ackName`, read when the state had applied `asOf`. */
    const newest = (ackName: string, seq: number): InboxAction => ({
      type: "page.newest",
      number: "",
      jid: ANA,
      page: page(message("m2", 200, { fromMe: true, ackName })),
      limit: 50,
      asOf: { "": seq },
    });
    const state = run(opened, newest("DEVICE", 3));
    expect(shown(state, "m2")?.ackName).toBe("READ");
    // A page read after the frame is the newer word.
    expect(shown(run(state, newest("PLAYED", 4)), "m2")?.ackName).toBe("PLAYED");
  });

  it("a chat list read before a frame keeps the frame's owner, last message and place", () => {
    const state = run(
      inbox(),
      frame({ type: "chat.assigned", jid: BRIAN, agentId: "agent-1" }, 4),
      frame({ type: "message.new", jid: BRIAN, message: message("b1", 300) }, 5),
      {
        type: "chats.loaded",
        chats: [chat(ANA, { name: "Ana Souza" }), chat(BRIAN, { name: "Brian" })],
        asOf: { "": 3 },
      },
    );
    expect(state.chats).toEqual([
      chat(BRIAN, {
        name: "Brian",
        owner: "agent-1",
        preview: "text b1",
        unreadCount: 1,
        lastMessageAt: new Date(300_000).toISOString(),
      }),
      chat(ANA, { name: "Ana Souza" }),
    ]);
  });

  it("a chat taken from an agent does not come back with a list read before", () => {
    const state = run(
      inbox(AMIRA),
      frame({ type: "chat.assigned", jid: ANA, agentId: "agent-2" }, 4),
      {
        type: "chats.loaded",
        chats: [chat(ANA, { owner: "agent-1" }), chat(BRIAN)],
        asOf: { "": 3 },
      },
    );
    expect(state.chats.map((c) => c.id)).toEqual([BRIAN]);
    const later = run(state, {
      type: "chats.loaded",
      chats: [chat(ANA), chat(BRIAN)],
      asOf: { "": 9 },
    });
    expect(later.chats.map((c) => c.id)).toEqual([ANA, BRIAN]);
  });

  it("the open chat closes when the list no longer has it", () => {
    const state = run(inbox(AMIRA), {
      type: "chats.loaded",
      chats: [chat(BRIAN)],
      asOf: { "": 0 },
    });
    expect(state.open).toBeUndefined();
    expect(state.closed).toBe("This chat is no longer yours.");
  });
});

describe("each answer", () => {
  it("the newest page read again keeps older pages and live messages; only the first says where the chat starts", () => {
    const first = inbox();
    expect(first.open).toMatchObject({ loaded: true, atStart: true });
    const older = run(first, pageOfAna("page.older", [message("m0", 50)]));
    expect(older.open?.messages.map((m) => m.id)).toEqual(["m0", "m1", "m2"]);
    expect(older.open?.atStart).toBe(false);
    const again = run(
      older,
      frame({ type: "message.new", jid: ANA, message: message("m3", 300) }, 1),
      pageOfAna("page.newest", [message("m2", 200)]),
    );
    expect(again.open?.messages.map((m) => m.id)).toEqual(["m0", "m1", "m2", "m3"]);
    expect(again.open?.atStart).toBe(false);
  });

  it("a page for a chat the reader has left is dropped", () => {
    const left = run(inbox(), { type: "chat.opened", number: "", jid: BRIAN, fresh: true });
    const state = run(left, {
      type: "page.newest",
      number: "",
      jid: ANA,
      page: page(message("m1", 100)),
      limit: 50,
      asOf: { "": 0 },
    });
    expect(state).toBe(left);
  });

  it("opening a chat reads it; looking at it again keeps its messages", () => {
    const unread = run(
      inbox(),
      frame({ type: "message.new", jid: BRIAN, message: message("b1", 300) }, 1),
      { type: "chat.opened", number: "", jid: BRIAN, fresh: true },
    );
    expect(unread.chats.find((c) => c.id === BRIAN)?.unreadCount).toBe(0);
    expect(unread.open).toMatchObject({ jid: BRIAN, messages: [], loaded: false });
    const same = inbox();
    expect(run(same, { type: "chat.opened", number: "", jid: ANA, fresh: false })).toBe(same);
  });

  it("a send WAHA took shows once and brings its chat to the top", () => {
    const sent = message("s1", 300, { fromMe: true, body: "on my way" });
    const state = run(inbox(), {
      type: "sent",
      number: "",
      jid: BRIAN,
      message: undefined,
      preview: "[media]",
      now: 2_000,
    });
    expect(state.chats[0]).toMatchObject({ id: BRIAN, preview: "[media]" });
    const twice = run(
      inbox(),
      { type: "sent", number: "", jid: ANA, message: sent, preview: "on my way", now: 2_000 },
      { type: "sent", number: "", jid: ANA, message: sent, preview: "on my way", now: 2_000 },
    );
    expect(twice.open?.messages.map((m) => m.id)).toEqual(["m1", "m2", "s1"]);
  });

  it("our own reaction shows at once, and a failed one is set back without others' reactions", () => {
    const state = run(
      inbox(),
      { type: "reaction.mine", number: "", jid: ANA, id: "m1", reaction: "👍" },
      frame({ type: "message.reaction", jid: ANA, id: "m1", reaction: "😂", from: BRIAN }, 1),
      { type: "reaction.mine", number: "", jid: ANA, id: "m1", reaction: "" },
    );
    expect(shown(state, "m1")?.reactions).toEqual([{ from: BRIAN, text: "😂" }]);
  });

  it("agents known: staff who are agents too get Mine", () => {
    const state = run(initialInboxState(ADMIN), {
      type: "agents.loaded",
      agents: [{ id: "admin", name: "Admin", active: true }],
    });
    expect(state.filters).toEqual(["all", "mine", "unassigned", "unread"]);
    expect(run(state, { type: "filter", filter: "mine" }).filter).toBe("mine");
    expect(run(initialInboxState(AMIRA), { type: "filter", filter: "all" }).filter).toBe("mine");
  });

  it("search hits show only for what the reader searches now", () => {
    const hit = { jid: ANA, id: "m1", timestamp: 100, snippet: "[text] m1" };
    const state = run(
      inbox(),
      { type: "search.asked", query: "tex" },
      { type: "search.asked", query: "text" },
      { type: "search.answered", query: "tex", hits: [] },
    );
    expect(state.search.results).toBeUndefined();
    const answered = run(state, { type: "search.answered", query: "text", hits: [hit] });
    expect(answered.search.results).toEqual({ query: "text", hits: [hit] });
    expect(run(answered, { type: "search.asked", query: "" }).search.results).toBeUndefined();
  });
});
