import { describe, expect, it } from "vitest";
import {
  filterChats,
  filtersFor,
  isOwnChat,
  titleWithUnread,
  unreadChats,
} from "../../src/client/chat-filter.ts";
import { StatsHistory } from "../../src/client/stats-history.ts";
import type { Chat, Me, MonitoringStats } from "../../src/client/types.ts";

const admin: Me = { sub: "admin", role: "admin", via: "bearer" };
const amira: Me = { sub: "agent-1", role: "agent", via: "bearer" };

function chat(id: string, owner: string | null, unreadCount = 0, number = ""): Chat {
  const empty = { lastMessageAt: null, preview: null, isGroup: false };
  const team = { status: "open" as const, snoozeUntil: null, labels: [] };
  return { id, name: id, unreadCount, ...empty, owner, number, ...team };
}

const chats = [chat("a", "agent-1", 2), chat("b", null), chat("c", "agent-2", 1)];

describe("chat filters and the title", () => {
  it("offers staff All, Unassigned, Unread (Mine too when they are an agent), agents Mine and Unread", () => {
    expect(filtersFor(admin, new Set(["agent-1"]))).toEqual(["all", "unassigned", "unread"]);
    expect(filtersFor({ ...admin, sub: "agent-1" }, new Set(["agent-1"]))).toEqual([
      "all",
      "mine",
      "unassigned",
      "unread",
    ]);
    expect(filtersFor(amira, new Set())).toEqual(["mine", "unassigned", "unread"]);
  });

  it("filters by owner and by unread messages", () => {
    const ids = (list: Chat[]) => list.map((c) => c.id);
    expect(ids(filterChats(chats, "all", admin))).toEqual(["a", "b", "c"]);
    expect(ids(filterChats(chats, "unassigned", admin))).toEqual(["b"]);
    expect(ids(filterChats(chats, "unread", admin))).toEqual(["a", "c"]);
    expect(ids(filterChats(chats, "mine", { ...admin, sub: "agent-2" }))).toEqual(["c"]);
    // An agent's list holds only its chats already.
    expect(ids(filterChats([chats[0] as Chat], "mine", amira))).toEqual(["a"]);
  });

  it("counts unread chats into the title, and knows whose chats notify", () => {
    expect(unreadChats(chats)).toBe(2);
    expect(titleWithUnread("wa-edge inbox", 2)).toBe("(2) wa-edge inbox");
    expect(titleWithUnread("wa-edge inbox", 0)).toBe("wa-edge inbox");
    expect(isOwnChat(chat("x", null), amira)).toBe(true);
    expect(isOwnChat(chat("x", null), admin)).toBe(false);
    expect(isOwnChat(chat("x", "admin"), admin)).toBe(true);
  });
});

function stats(
  at: { calls: number; requests: number; hits: number; misses: number; busy: number },
  since = "s1",
): MonitoringStats {
  return {
    since,
    requests: { total: at.requests, byRoute: {} },
    cache: { hits: at.hits, misses: at.misses, coalesced: 0, stale: 0, hitRate: 0, byResource: {} },
    upstream: {
      calls: at.calls,
      callsPerMinute: 0,
      errors: 0,
      errorRate: 0,
      timeouts: 0,
      byEndpoint: {},
    },
    media: {
      served: 0,
      bytesServed: 0,
      cachedItems: 0,
      cachedBytes: 0,
      evictions: 0,
      busyRejections: at.busy,
      cooldownRejections: 0,
      inFlight: 0,
      activeDownloads: 0,
      maxConcurrency: 3,
      archive: { hits: 0, writes: 0, bytesWritten: 0, deletes: 0 },
    },
    circuit: { state: "closed", failures: 0, openedAt: null },
    realtime: { connections: 0 },
    session: {
      silent: false,
      silentSince: null,
      reason: null,
      lastWebhookAt: null,
      silentSpells: 0,
      autoRestarts: 0,
      autoRestart: { on: false, lastHour: 0, max: 3 },
    },
  };
}

describe("monitoring counters as rates", () => {
  it("turns two samples into per-minute rates, the stretch's hit rate and its rejections", () => {
    const history = new StatsHistory(10);
    history.add(stats({ calls: 10, requests: 100, hits: 50, misses: 10, busy: 1 }), 0);
    expect(history.points).toEqual([]);
    history.add(stats({ calls: 12, requests: 160, hits: 68, misses: 12, busy: 4 }), 30_000);
    expect(history.points).toEqual([
      { at: 30_000, wahaPerMinute: 4, requestsPerMinute: 120, hitRate: 0.9, mediaRejections: 3 },
    ]);
  });

  it("starts over when the counters did, and keeps only the newest points", () => {
    const history = new StatsHistory(2);
    history.add(stats({ calls: 10, requests: 100, hits: 0, misses: 0, busy: 0 }), 0);
    history.add(stats({ calls: 1, requests: 5, hits: 0, misses: 0, busy: 0 }, "s2"), 10_000);
    expect(history.points).toEqual([]);
    for (let i = 1; i <= 3; i++)
      history.add(
        stats({ calls: i, requests: 5 * i, hits: 0, misses: 0, busy: 0 }, "s2"),
        10_000 * (i + 1),
      );
    expect(history.points.map((p) => p.at)).toEqual([30_000, 40_000]);
    expect(history.points[0]?.hitRate).toBeNull();
  });
});
