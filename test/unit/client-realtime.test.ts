import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/client/api-error.ts";
import { reconnectDelay } from "../../src/client/backoff.ts";
import {
  type OpenSocket,
  RealtimeConnection,
  type RealtimeOptions,
  realtimeUrl,
  resumeSocket,
  type SocketHandlers,
} from "../../src/client/realtime.ts";
import type { RealtimeEvent } from "../../src/client/realtime-events.ts";

/** Sockets the test opens, answers and closes by hand. */
function fakeSockets() {
  const opened: Array<{
    url: string;
    handlers: SocketHandlers;
    protocols: string[];
    sent: string[];
    closed: number | undefined;
  }> = [];
  const openSocket: OpenSocket = (url, handlers, protocols = []) => {
    const socket = {
      url,
      handlers,
      protocols,
      sent: [] as string[],
      closed: undefined as number | undefined,
    };
    opened.push(socket);
    return {
      send: (data) => socket.sent.push(data),
      close: (code) => {
        socket.closed = code ?? 1005;
      },
    };
  };
  const last = () => {
    const socket = opened.at(-1);
    if (!socket) throw new Error("no socket was opened");
    return socket;
  };
  return { opened, openSocket, last };
}

function connection(overrides: Partial<RealtimeOptions> = {}) {
  const sockets = fakeSockets();
  const tickets: number[] = [];
  const delays: number[] = [];
  const live: boolean[] = [];
  const events: RealtimeEvent[] = [];
  const start = Date.now();
  let n = 0;
  const conn = new RealtimeConnection({
    ticket: async () => {
      tickets.push(Date.now() - start);
      n += 1;
      return { ticket: `t${n}`, seq: 40 + n };
    },
    url: (ticket, since) => `ws://gateway.test/api/realtime?ticket=${ticket}&since=${since}`,
    pingIntervalMs: 30_000,
    openSocket: sockets.openSocket,
    random: () => 0,
    onEvent: (event) => events.push(event),
    onLiveChange: (value) => live.push(value),
    onReconnectScheduled: (delay) => delays.push(delay),
    ...overrides,
  });
  return { conn, sockets, tickets, delays, live, events };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 2_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("realtime connection", () => {
  it("opens the socket on the page's host with ws: or wss: and an escaped ticket", () => {
    expect(realtimeUrl({ protocol: "http:", host: "127.0.0.1:8787" }, "a+b/c")).toBe(
      "ws://127.0.0.1:8787/api/realtime?ticket=a%2Bb%2Fc",
    );
    expect(realtimeUrl({ protocol: "https:", host: "inbox.example" }, "t", 17)).toBe(
      "wss://inbox.example/api/realtime?ticket=t&since=17",
    );
  });

  it("replays from the first ticket's seq, then asks again from the last frame it saw", async () => {
    const { conn, sockets, events } = connection();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = sockets.last();
    expect(first.url).toContain("ticket=t1&since=41");
    first.handlers.onOpen();
    first.handlers.onMessage(
      JSON.stringify({ type: "session.status", status: "WORKING", seq: 57 }),
    );
    first.handlers.onMessage(
      JSON.stringify({ type: "upstream.status", state: "down", retryAt: "x", seq: 58 }),
    );
    first.handlers.onClose(1006, "");
    await vi.advanceTimersByTimeAsync(2_000);
    const second = sockets.last();
    // The second ticket names a newer seq, but what this page saw last is 58.
    expect(second.url).toContain("ticket=t2&since=58");
    second.handlers.onOpen();
    second.handlers.onMessage(JSON.stringify({ type: "resync", seq: 90 }));
    expect(events.map((e) => e.type)).toEqual(["session.status", "upstream.status", "resync"]);
    expect(conn.since).toBe(90);
    conn.stop();
  });

  it("pings at once and every pingInterval, and counts as live only after the first pong", async () => {
    const { conn, sockets, live } = connection();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    expect(socket.url).toBe("ws://gateway.test/api/realtime?ticket=t1&since=41");
    socket.handlers.onOpen();
    expect(socket.sent).toEqual(["ping"]);
    expect(conn.live).toBe(false);
    socket.handlers.onMessage("pong");
    expect(live).toEqual([true]);
    await vi.advanceTimersByTimeAsync(30_000);
    socket.handlers.onMessage("pong");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(socket.sent).toEqual(["ping", "ping", "ping"]);
    conn.stop();
    expect(live).toEqual([true, false]);
    expect(socket.closed).toBe(1000);
  });

  it("delivers well-formed frames as events and skips malformed or unknown ones", async () => {
    const { conn, sockets, events } = connection();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.handlers.onOpen();
    const message = { id: "m1", timestamp: 1, from: "a@c.us", fromMe: false, body: "hi" };
    socket.handlers.onMessage(JSON.stringify({ type: "message.new", jid: "a@c.us", message }));
    socket.handlers.onMessage(JSON.stringify({ type: "session.status", status: "WORKING" }));
    socket.handlers.onMessage(
      JSON.stringify({ type: "chat.assigned", jid: "a@c.us", agentId: null }),
    );
    socket.handlers.onMessage(
      JSON.stringify({ type: "message.status", jid: "a@c.us", id: "m1", status: "READ" }),
    );
    socket.handlers.onMessage("{not json");
    socket.handlers.onMessage(JSON.stringify({ type: "message.new", jid: "a@c.us" }));
    socket.handlers.onMessage(JSON.stringify({ type: "typing", jid: "a@c.us" }));
    // The gateway names the ack; a number is not a frame it sends.
    socket.handlers.onMessage(
      JSON.stringify({ type: "message.status", jid: "a@c.us", id: "m1", status: 3 }),
    );
    expect(events.map((e) => e.type)).toEqual([
      "message.new",
      "session.status",
      "chat.assigned",
      "message.status",
    ]);
    expect(conn.live).toBe(true);
    conn.stop();
  });

  it("gives up on a socket whose ping goes unanswered and reconnects with a new ticket", async () => {
    const { conn, sockets, tickets, live } = connection({ pongTimeoutMs: 10_000 });
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = sockets.last();
    first.handlers.onOpen();
    first.handlers.onMessage("pong");
    await vi.advanceTimersByTimeAsync(30_000); // the next ping goes out, and no pong comes back
    await vi.advanceTimersByTimeAsync(10_000);
    expect(first.closed).toBe(4000);
    expect(live).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(tickets).toEqual([0, 42_000]);
    expect(sockets.last().url).toContain("ticket=t2");
    // A late close event from the abandoned socket changes nothing.
    first.handlers.onClose(1006, "");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(tickets).toHaveLength(2);
    conn.stop();
  });

  it("answers the gateway's close when the sign-in expired (4001) and reconnects at once with a fresh ticket", async () => {
    const { conn, sockets, tickets, delays, live } = connection();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = sockets.last();
    first.handlers.onOpen();
    first.handlers.onMessage("pong");
    await vi.advanceTimersByTimeAsync(5_000);
    first.handlers.onClose(4001, "the sign-in has expired");
    // The close handshake is finished from our side, whatever socket carries it.
    expect(first.closed).toBe(4001);
    expect(live).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(0);
    expect(delays).toEqual([]);
    expect(tickets).toEqual([0, 5_000]);
    expect(sockets.last().url).toContain("ticket=t2");
    conn.stop();
  });

  it("waits its backoff when the sign-in expires again right after, so a stale sign-in cannot spin", async () => {
    const { conn, sockets, tickets, delays } = connection();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets.last().handlers.onOpen();
    sockets.last().handlers.onClose(4001, "the sign-in has expired");
    await vi.advanceTimersByTimeAsync(0);
    sockets.last().handlers.onOpen();
    sockets.last().handlers.onClose(4001, "the sign-in has expired");
    expect(delays).toEqual([4_000]);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(tickets).toEqual([0, 0, 4_000]);
    conn.stop();
  });

  it("answers a close that carried a code with that code or 1000, and none that carried none", async () => {
    const { conn, sockets } = connection();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const dropped = sockets.last();
    dropped.handlers.onClose(1006, "");
    expect(dropped.closed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2_000);
    const failed = sockets.last();
    failed.handlers.onClose(1011, "send failed");
    // Pages may only close with 1000 or 3000–4999.
    expect(failed.closed).toBe(1000);
    conn.stop();
  });

  it("tells of every sign of the gateway on the socket: the opening, a pong, a frame", async () => {
    let answers = 0;
    const { conn, sockets } = connection({ onAnswer: () => answers++ });
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    expect(answers).toBe(0);
    socket.handlers.onOpen();
    socket.handlers.onMessage("pong");
    socket.handlers.onMessage(JSON.stringify({ type: "session.status", status: "WORKING" }));
    expect(answers).toBe(3);
    conn.stop();
  });

  it("doubts a live socket when a call found no gateway: not live until it answers a ping sent at once", async () => {
    const { conn, sockets, live, tickets } = connection({ pongTimeoutMs: 10_000 });
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.handlers.onOpen();
    socket.handlers.onMessage("pong");
    await vi.advanceTimersByTimeAsync(5_000);
    conn.probe();
    expect(live).toEqual([true, false]);
    expect(socket.sent).toEqual(["ping", "ping"]);
    socket.handlers.onMessage("pong");
    expect(live).toEqual([true, false, true]);

    // Doubted again, and this time nothing answers: the socket is given up at the deadline.
    conn.probe();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(socket.closed).toBe(4000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(tickets).toHaveLength(2);
    conn.stop();
  });

  it("goes at once when the network is back instead of waiting out its backoff", async () => {
    const { conn, sockets, tickets, delays } = connection();
    conn.start();
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(delays.at(-1) ?? 0);
      sockets.last().handlers.onClose(1006, "");
    }
    expect(delays.at(-1)).toBe(16_000);
    const before = tickets.length;
    conn.reconnectNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(tickets).toHaveLength(before + 1);
    // Nothing was waiting: a connection that is up is left alone.
    sockets.last().handlers.onOpen();
    conn.reconnectNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(tickets).toHaveLength(before + 1);
    conn.stop();
  });

  it("waits 2 s, 4 s, 8 s … up to 60 s between failed attempts, each with a fresh ticket", async () => {
    const { conn, sockets, tickets, delays } = connection();
    conn.start();
    for (let i = 0; i < 7; i++) {
      await vi.advanceTimersByTimeAsync(delays.at(-1) ?? 0);
      sockets.last().handlers.onClose(1006, ""); // refused before it ever opened
    }
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(tickets).toEqual([0, 2_000, 6_000, 14_000, 30_000, 62_000, 122_000]);
    expect(new Set(sockets.opened.map((s) => s.url)).size).toBe(7);
    conn.stop();
  });

  it("starts the backoff over at 2 s after a connection stayed up 30 s", async () => {
    const { conn, sockets, delays } = connection();
    conn.start();
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(delays.at(-1) ?? 0);
      sockets.last().handlers.onClose(1006, "");
    }
    expect(delays).toEqual([2_000, 4_000, 8_000]);

    // Up for 29 s, then dropped: not stable, the backoff keeps growing.
    await vi.advanceTimersByTimeAsync(8_000);
    sockets.last().handlers.onOpen();
    sockets.last().handlers.onMessage("pong");
    await vi.advanceTimersByTimeAsync(29_000);
    sockets.last().handlers.onMessage("pong");
    sockets.last().handlers.onClose(1001, "going away");
    expect(delays.at(-1)).toBe(16_000);

    // Up for 30 s: stable, so the next drop is retried after 2 s again.
    await vi.advanceTimersByTimeAsync(16_000);
    sockets.last().handlers.onOpen();
    sockets.last().handlers.onMessage("pong");
    await vi.advanceTimersByTimeAsync(30_000);
    sockets.last().handlers.onMessage("pong");
    sockets.last().handlers.onClose(1001, "going away");
    expect(delays.at(-1)).toBe(2_000);
    conn.stop();
  });

  it("spreads reconnects with jitter that only ever shortens a delay, by at most a quarter", () => {
    expect(reconnectDelay(0, {}, () => 0)).toBe(2_000);
    expect(reconnectDelay(0, {}, () => 1)).toBe(1_500);
    expect(reconnectDelay(10, {}, () => 0.5)).toBe(52_500);
    expect(reconnectDelay(50, {}, () => 0)).toBe(60_000);
  });

  it("waits the Retry-After of a refused ticket when it is longer than the backoff", async () => {
    let calls = 0;
    const { conn, delays } = connection({
      ticket: async () => {
        calls += 1;
        throw new ApiError(429, "rate-limited", "slow down", 45_000);
      },
    });
    conn.start();
    await vi.advanceTimersByTimeAsync(44_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect(delays).toEqual([45_000, 45_000]);
    conn.stop();
  });

  it("stops trying when the ticket is refused with 401, since the token will not get better", async () => {
    let calls = 0;
    const { conn, delays } = connection({
      ticket: async () => {
        calls += 1;
        throw new ApiError(401, "unauthorized", "token expired");
      },
    });
    conn.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls).toBe(1);
    expect(delays).toEqual([]);
  });

  it("says a refused ticket's status once it stops: 403 is a number taken away", async () => {
    const refused: number[] = [];
    const { conn, sockets } = connection({
      ticket: async () => {
        throw new ApiError(403, "forbidden", "number: support is not one of your numbers");
      },
      onRefused: (status) => refused.push(status),
    });
    conn.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(refused).toEqual([403]);
    expect(sockets.opened).toHaveLength(0);
  });

  it("opens nothing after stop, even when a ticket was on its way", async () => {
    let release: (ticket: { ticket: string }) => void = () => {};
    const sockets = fakeSockets();
    const conn = new RealtimeConnection({
      ticket: () => new Promise((resolve) => (release = resolve)),
      url: (t) => `ws://x/${t}`,
      pingIntervalMs: 30_000,
      openSocket: sockets.openSocket,
      onEvent: () => {},
    });
    conn.start();
    conn.stop();
    release({ ticket: "late" });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sockets.opened).toHaveLength(0);
  });
});

describe("reconnecting without a ticket", () => {
  /** A connection whose reconnects sign in on the upgrade with whatever token is current. */
  function resuming(overrides: Partial<RealtimeOptions> = {}) {
    const token = { current: "tok-1" as string | undefined };
    const made = connection({
      resume: (since) =>
        resumeSocket({ protocol: "https:", host: "inbox.example" }, since, "sales", token.current),
      ...overrides,
    });
    return { ...made, token };
  }

  /** Starts it, opens its first (ticket) socket, drops it and waits out the first backoff. */
  async function droppedOnce(made: ReturnType<typeof resuming>) {
    made.conn.start();
    await vi.advanceTimersByTimeAsync(0);
    made.sockets.last().handlers.onOpen();
    made.sockets.last().handlers.onClose(1006, "");
    await vi.advanceTimersByTimeAsync(2_000);
  }

  it("puts the token in the subprotocols next to wa-edge, and offers none for a cookie sign-in", () => {
    expect(
      resumeSocket({ protocol: "https:", host: "inbox.example" }, 17, "sales", "a.b.c"),
    ).toEqual({
      url: "wss://inbox.example/api/realtime?since=17&number=sales",
      protocols: ["wa-edge", "bearer.a.b.c"],
    });
    expect(resumeSocket({ protocol: "http:", host: "127.0.0.1:8787" }, 0, "", undefined)).toEqual({
      url: "ws://127.0.0.1:8787/api/realtime?since=0",
      protocols: [],
    });
  });

  it("connects first with a ticket, then reconnects from the last seq in one upgrade, taking no ticket", async () => {
    const { conn, sockets, tickets } = resuming();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = sockets.last();
    expect(first.url).toContain("ticket=t1&since=41");
    first.handlers.onOpen();
    first.handlers.onMessage(
      JSON.stringify({ type: "session.status", status: "WORKING", seq: 57 }),
    );
    first.handlers.onClose(1006, "");
    await vi.advanceTimersByTimeAsync(2_000);
    const second = sockets.last();
    expect(second).not.toBe(first);
    expect(second.url).toBe("wss://inbox.example/api/realtime?since=57&number=sales");
    expect(second.protocols).toEqual(["wa-edge", "bearer.tok-1"]);
    expect(tickets).toEqual([0]);
    conn.stop();
  });

  it("takes a ticket at once when such an upgrade fails before it opens, and resumes again once a socket opened", async () => {
    const made = resuming();
    const { conn, sockets, tickets, delays } = made;
    await droppedOnce(made);
    const resumed = sockets.last();
    expect(resumed.protocols).toContain("wa-edge");
    // Refused before it opened (the browser says only 1006): the ticket's answer will say why.
    resumed.handlers.onClose(1006, "");
    await vi.advanceTimersByTimeAsync(0);
    expect(tickets).toEqual([0, 2_000]);
    const ticketed = sockets.last();
    expect(ticketed.url).toContain("ticket=t2&since=41");
    expect(delays).toEqual([2_000]);
    ticketed.handlers.onOpen();
    ticketed.handlers.onClose(1006, "");
    await vi.advanceTimersByTimeAsync(4_000);
    expect(sockets.last().protocols).toEqual(["wa-edge", "bearer.tok-1"]);
    expect(tickets).toHaveLength(2);
    conn.stop();
  });

  it("stops when the fallback ticket is refused with 401: the token is no good", async () => {
    let calls = 0;
    const made = resuming({
      ticket: async () => {
        calls += 1;
        if (calls > 1) throw new ApiError(401, "unauthorized", "token expired");
        return { ticket: "t1", seq: 41 };
      },
    });
    const { sockets, delays } = made;
    await droppedOnce(made);
    sockets.last().handlers.onClose(1006, "");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls).toBe(2);
    expect(sockets.opened).toHaveLength(2);
    expect(delays).toEqual([2_000]);
  });

  it("reconnects at once after the sign-in expired (4001) with the token the page holds by then", async () => {
    const { conn, sockets, token, delays } = resuming();
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = sockets.last();
    first.handlers.onOpen();
    first.handlers.onMessage(
      JSON.stringify({ type: "session.status", status: "WORKING", seq: 60 }),
    );
    token.current = "tok-2";
    first.handlers.onClose(4001, "the sign-in has expired");
    await vi.advanceTimersByTimeAsync(0);
    expect(delays).toEqual([]);
    expect(sockets.last().url).toContain("since=60");
    expect(sockets.last().protocols).toEqual(["wa-edge", "bearer.tok-2"]);
    conn.stop();
  });
});
