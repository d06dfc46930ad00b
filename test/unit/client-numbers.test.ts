import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../../src/client/api-client.ts";
import { chatsOfNumber, unreadByNumber } from "../../src/client/chat-filter.ts";
import {
  type InboxAction,
  type InboxState,
  initialInboxState,
  reduceInbox,
} from "../../src/client/inbox-state.ts";
import { firstNumbers, searchOf, watchedName, watchedNumber } from "../../src/client/numbers.ts";
import type { Chat, Me, Message, RealtimeEvent, WaNumber } from "../../src/client/types.ts";

/** One customer who writes to both numbers. */
const ANA = "15550100001@c.us";
const BRIAN = "15550100002@c.us";
const ADMIN: Me = { sub: "admin", role: "admin", via: "bearer" };
const NUMBERS: WaNumber[] = [
  { id: "sales", name: "Sales", status: "WORKING" },
  { id: "support", name: "Support", status: "WORKING" },
];

function chat(number: string, id: string, unreadCount = 0): Chat {
  const empty = { lastMessageAt: null, preview: null, isGroup: false, owner: null };
  const team = { status: "open" as const, snoozeUntil: null, labels: [] };
  return { id, number, name: `${id.slice(0, 11)} on ${number}`, unreadCount, ...empty, ...team };
}

function message(id: string, timestamp: number): Message {
  const rest = { to: null, hasMedia: false, media: null, ack: null, ackName: null };
  return { id, timestamp, from: ANA, fromMe: false, body: `text ${id}`, ...rest };
}

function frame(number: string, event: RealtimeEvent, seq: number): InboxAction {
  return { type: "frame", event, number, seq, now: 1_000, visible: true };
}

function run(state: InboxState, ...actions: InboxAction[]): InboxState {
  return actions.reduce(reduceInbox, state);
}

/** Ana on both numbers, Brian on support; nothing applied yet. */
function inbox(): InboxState {
  return run(
    initialInboxState(ADMIN),
    { type: "numbers.loaded", numbers: NUMBERS },
    {
      type: "chats.loaded",
      chats: [chat("sales", ANA), chat("support", ANA), chat("support", BRIAN)],
      asOf: {},
    },
  );
}

const unreadOf = (state: InboxState, number: string, jid: string) =>
  state.chats.find((c) => c.number === number && c.id === jid)?.unreadCount;

describe("several numbers in the inbox's state", () => {
  it("keeps the same customer's chats on two numbers apart: a message on one counts only there", () => {
    const state = run(
      inbox(),
      frame("support", { type: "message.new", jid: ANA, message: message("s1", 100) }, 1),
    );
    expect(unreadOf(state, "support", ANA)).toBe(1);
    expect(unreadOf(state, "sales", ANA)).toBe(0);
    expect(state.chats[0]).toMatchObject({ number: "support", id: ANA, preview: "text s1" });
    expect(Object.fromEntries(unreadByNumber(state.chats))).toEqual({ support: 1 });
  });

  it("guards frames per number: one number's high seq does not make another's lower one stale", () => {
    const state = run(
      inbox(),
      frame("sales", { type: "message.new", jid: ANA, message: message("a9", 100) }, 9),
      frame("support", { type: "message.new", jid: BRIAN, message: message("b3", 100) }, 3),
      // Replayed on support: already applied there, so not counted twice.
      frame("support", { type: "message.new", jid: BRIAN, message: message("b3", 100) }, 3),
    );
    expect(state.seq).toEqual({ sales: 9, support: 3 });
    expect(unreadOf(state, "sales", ANA)).toBe(1);
    expect(unreadOf(state, "support", BRIAN)).toBe(1);
  });

  it("lays a list answer under each number's newer frames only", () => {
    const live = run(
      inbox(),
      frame("support", { type: "message.new", jid: ANA, message: message("s1", 100) }, 4),
    );
    // Asked when support had applied seq 2: its frame 4 stands; sales had none, so the answer does.
    const answered = run(live, {
      type: "chats.loaded",
      chats: [
        { ...chat("sales", ANA, 5), preview: "from the answer" },
        chat("support", ANA),
        chat("support", BRIAN),
      ],
      asOf: { support: 2 },
    });
    expect(unreadOf(answered, "support", ANA)).toBe(1);
    expect(answered.chats.find((c) => c.number === "sales")?.preview).toBe("from the answer");
  });

  it("opens a chat by number and jid, and drops a page answered for the same jid on the other number", () => {
    const opened = run(inbox(), { type: "chat.opened", number: "support", jid: ANA, fresh: true });
    expect(opened.open).toMatchObject({ number: "support", jid: ANA });
    const other = run(opened, {
      type: "page.newest",
      number: "sales",
      jid: ANA,
      page: [message("x", 1)],
      limit: 50,
      asOf: {},
    });
    expect(other).toBe(opened);
  });

  it("filters the list by the number shown, and forgets a number the user may no longer see", () => {
    const state = run(inbox(), { type: "number", number: "support" });
    expect(chatsOfNumber(state.chats, state.number).map((c) => `${c.number}/${c.id}`)).toEqual([
      `support/${ANA}`,
      `support/${BRIAN}`,
    ]);
    expect(chatsOfNumber(state.chats, undefined)).toHaveLength(3);
    expect(run(state, { type: "number", number: "nope" })).toBe(state);
    const fewer = run(state, { type: "numbers.loaded", numbers: NUMBERS.slice(0, 1) });
    expect(fewer.number).toBeUndefined();
  });

  it("takes a poll of the numbers that found nothing new as no change (nothing is redrawn)", () => {
    const state = inbox();
    const same = NUMBERS.map((n) => ({ ...n }));
    expect(run(state, { type: "numbers.loaded", numbers: same })).toBe(state);
    const changed = same.map((n, i) => (i === 1 ? { ...n, status: "SCAN_QR_CODE" } : n));
    expect(run(state, { type: "numbers.loaded", numbers: changed }).numbers[1]?.status).toBe(
      "SCAN_QR_CODE",
    );
  });

  it("shows a number's session status from its own socket's frame", () => {
    const state = run(inbox(), frame("support", { type: "session.status", status: "FAILED" }, 1));
    expect(state.numbers.map((n) => n.status)).toEqual(["WORKING", "FAILED"]);
  });
});

describe("the API client and numbers", () => {
  function client(answer: () => Response) {
    const requests: Array<{ url: string; body: unknown }> = [];
    const api = new ApiClient({
      token: () => "tok",
      fetch: async (url, init) => {
        requests.push({ url, body: init?.body ?? null });
        return answer();
      },
    });
    return { api, requests };
  }

  it("names the chat's number in every chat-scoped call", async () => {
    const { api, requests } = client(() => Response.json({}));
    await api.sendText(ANA, "hi", { clientId: "c-12345678", number: "support" });
    await api.messages(ANA, { limit: 5, number: "support" });
    await api.markRead(ANA, "support");
    await api.react(ANA, "m1", "👍", "support");
    await api.assign(ANA, "agent-1", "support");
    await api.realtimeTicket("support");
    await api.media(ANA, "m1", undefined, "support");
    await api.qr("support");
    expect(requests.map((r) => r.url)).toEqual([
      "/api/wa/send-text",
      `/api/wa/messages?jid=${encodeURIComponent(ANA)}&limit=5&number=support`,
      "/api/wa/mark-read",
      "/api/wa/react",
      `/api/wa/assignments/${encodeURIComponent(ANA)}?number=support`,
      "/api/realtime/ticket",
      `/api/wa/media?number=support&jid=${encodeURIComponent(ANA)}&id=m1`,
      "/api/waha/qr?number=support",
    ]);
    for (const at of [0, 2, 3, 5])
      expect(JSON.parse(String(requests[at]?.body))).toMatchObject({ number: "support" });
  });

  it("sends no number where the page knows none, as it did with one number", async () => {
    const { api, requests } = client(() => Response.json([]));
    await api.markRead(ANA);
    await api.chats();
    await api.realtimeTicket("");
    expect(requests.map((r) => r.url)).toEqual([
      "/api/wa/mark-read",
      "/api/wa/chats",
      "/api/realtime/ticket",
    ]);
    expect(JSON.parse(String(requests[0]?.body))).toEqual({ jid: ANA });
    expect(requests[2]?.body).toBeNull();
  });

  it("reads a gateway without numbers as one unnamed number, and keeps the number chats carry", async () => {
    const missing = client(() => Response.json({ error: "not-found" }, { status: 404 }));
    expect(await missing.api.numbers()).toBeUndefined();
    const old = client(() => Response.json([{ ...chat("x", ANA), number: undefined }]));
    expect((await old.api.chats()).map((c) => c.number)).toEqual([""]);
    const merged = client(() => Response.json([chat("sales", ANA), chat("support", ANA)]));
    expect((await merged.api.chats()).map((c) => c.number)).toEqual(["sales", "support"]);
  });
});

describe("which number the page speaks of", () => {
  it("watches the open chat's number, else the one shown, else the first; names it only among several", () => {
    const state = inbox();
    expect(watchedNumber(state)).toBe("sales");
    const shown = run(state, { type: "number", number: "support" });
    expect(watchedNumber(shown)).toBe("support");
    const open = run(state, { type: "chat.opened", number: "support", jid: BRIAN, fresh: true });
    expect(watchedNumber(open)).toBe("support");
    expect(watchedName(state, "support")).toBe("Support");
    expect(watchedName({ numbers: NUMBERS.slice(0, 1) }, "sales")).toBeUndefined();
  });

  it("searches each number and merges the hits newest first, each naming its number", async () => {
    const asked: string[] = [];
    const api = new ApiClient({
      token: () => "tok",
      fetch: async (url) => {
        asked.push(url);
        const number = new URL(url, "http://x").searchParams.get("number");
        const at = number === "sales" ? [100, 300] : [200];
        return Response.json(
          at.map((timestamp) => ({
            jid: ANA,
            id: `${number}${timestamp}`,
            timestamp,
            snippet: "",
          })),
        );
      },
    });
    const hits = await searchOf(api, "jar", ["sales", "support"], 30);
    expect(hits.map((h) => [h.number, h.timestamp])).toEqual([
      ["sales", 300],
      ["support", 200],
      ["sales", 100],
    ]);
    expect(asked.every((url) => url.includes("q=jar"))).toBe(true);
  });

  it("asks for the numbers again while the gateway does not answer, and takes a 404 as one unnamed number", async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const api = new ApiClient({
        token: () => "tok",
        fetch: async () => {
          calls += 1;
          if (calls === 1) throw new TypeError("Failed to fetch");
          return Response.json({ error: "not-found" }, { status: 404 });
        },
      });
      const waits: number[] = [];
      const first = firstNumbers(api, (_error, retryAt) => waits.push(retryAt));
      await vi.advanceTimersByTimeAsync(0);
      expect(waits).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await first.numbers).toBeUndefined();
      expect(calls).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
