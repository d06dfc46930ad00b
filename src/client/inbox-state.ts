/**
 * The inbox page's state, whole: the chats, the open conversation, the filters, the
 * search, our sends on their way, what the header says; and the reducer of every action
 * that changes it (a realtime frame, an API answer, a click). Pure: nothing here touches
 * the page or the network, so it is tested on Node.
 */
import { type ChatFilter, filtersFor } from "./chat-filter.ts";
import {
  assignChat,
  chatKey,
  type FrameAction,
  type MessagePatch,
  newerThan,
  patchOne,
  reduceFrame,
  replayRecent,
  withReaction,
} from "./inbox-frames.ts";
import { insertLive, mergeNewest, prependOlder } from "./message-order.ts";
import type { PendingSend } from "./send-tracker.ts";
import type { Agent, Chat, Me, Message, SearchHit } from "./types.ts";
import type { HealthView } from "./waha-health.ts";

/** A frame of the open chat kept to lay over an answer that was read before it. */
export interface RecentFrame {
  seq: number;
  event: MessagePatch;
  now: number;
}

export interface OpenChat {
  readonly jid: string;
  /** Oldest first, in true order (message-order.ts). */
  readonly messages: readonly Message[];
  /** The first page came: an empty list is an empty chat, not one still loading. */
  readonly loaded: boolean;
  /** The oldest message is the chat's first: there is nothing older to ask for. */
  readonly atStart: boolean;
  readonly recent: readonly RecentFrame[];
}

export interface InboxState {
  readonly me: Me;
  /** Newest activity first. */
  readonly chats: readonly Chat[];
  /** Until the list first loads, an empty list means "not known yet", not "no chats". */
  readonly chatsKnown: boolean;
  /** For staff: whom a chat can go to; undefined for agents. */
  readonly agents: readonly Agent[] | undefined;
  readonly filters: readonly ChatFilter[];
  readonly filter: ChatFilter;
  readonly open: OpenChat | undefined;
  /** Why no chat is open after one was closed under the reader. */
  readonly closed: string | undefined;
  /** Our sends on their way, by clientId (send-tracker.ts changes them). */
  readonly sends: ReadonlyMap<string, PendingSend>;
  /** What the reader last searched for, and the hits of the newest search answered. */
  readonly search: {
    readonly asked: string;
    readonly results: { readonly query: string; readonly hits: readonly SearchHit[] } | undefined;
  };
  /** What the page believes about WAHA (waha-health.ts), once it believes anything. */
  readonly health: HealthView | undefined;
  /** Whether live updates flow, once the socket has said. */
  readonly live: { readonly on: boolean; readonly reconnectInMs: number | undefined } | undefined;
  /** The newest frame's seq: an answer asked now reflects everything up to it. */
  readonly seq: number;
  /** The seq of the frame that last set each part of the state (inbox-frames.ts). */
  readonly applied: ReadonlyMap<string, number>;
}

/** An answer read when the state had applied frames up to `asOf` (its `seq` then). */
interface Answer {
  asOf: number;
}

export type InboxAction =
  | FrameAction
  | ({ type: "chats.loaded"; chats: readonly Chat[] } & Answer)
  | { type: "agents.loaded"; agents: readonly Agent[] }
  | { type: "filter"; filter: ChatFilter }
  /** The reader opened a chat (`fresh`: from its newest page) or looked at it again. */
  | { type: "chat.opened"; jid: string; fresh: boolean }
  | ({ type: "page.newest"; jid: string; page: readonly Message[]; limit: number } & Answer)
  | ({ type: "page.older"; jid: string; page: readonly Message[]; limit: number } & Answer)
  /** WAHA took our send: `message` (when it named an id) shows until its own copy comes. */
  | { type: "sent"; jid: string; message: Message | undefined; preview: string; now: number }
  /** Our own assignment was saved. */
  | { type: "assigned"; jid: string; agentId: string | null }
  /** Our reaction, shown at once ("" takes it back; a failed one is set back the same way). */
  | { type: "reaction.mine"; jid: string; id: string; reaction: string }
  | { type: "sends"; sends: ReadonlyMap<string, PendingSend> }
  | { type: "search.asked"; query: string }
  | { type: "search.answered"; query: string; hits: readonly SearchHit[] }
  | { type: "health"; view: HealthView }
  | { type: "live"; on: boolean; reconnectInMs: number | undefined };

export function initialInboxState(me: Me): InboxState {
  const filters = filtersFor(me, new Set());
  return {
    me,
    chats: [],
    chatsKnown: false,
    agents: undefined,
    filters,
    filter: filters[0] ?? "all",
    open: undefined,
    closed: undefined,
    sends: new Map(),
    search: { asked: "", results: undefined },
    health: undefined,
    live: undefined,
    seq: 0,
    applied: new Map(),
  };
}

export function reduceInbox(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case "frame":
      return reduceFrame(state, action);
    case "chats.loaded":
      return chatsLoaded(state, action.chats, action.asOf);
    case "agents.loaded": {
      // Staff who are agents too get a Mine filter.
      const filters = filtersFor(state.me, new Set(action.agents.map((a) => a.id)));
      const filter = filters.includes(state.filter) ? state.filter : (filters[0] ?? "all");
      return { ...state, agents: action.agents, filters, filter };
    }
    case "filter":
      return state.filters.includes(action.filter) ? { ...state, filter: action.filter } : state;
    case "chat.opened":
      return chatOpened(state, action.jid, action.fresh);
    case "page.newest":
    case "page.older":
      return pageAnswered(state, action);
    case "sent":
      return sent(state, action);
    case "assigned":
      return assignChat(state, action.jid, action.agentId);
    case "reaction.mine": {
      const open = state.open;
      if (open?.jid !== action.jid) return state;
      const messages = patchOne(open.messages, action.id, (m) =>
        withReaction(m, "me", action.reaction),
      );
      return { ...state, open: { ...open, messages } };
    }
    case "sends":
      return { ...state, sends: action.sends };
    case "search.asked":
      return {
        ...state,
        search: {
          asked: action.query,
          results: action.query === "" ? undefined : state.search.results,
        },
      };
    case "search.answered":
      // An answer to a search the reader has since changed is not shown.
      if (action.query !== state.search.asked) return state;
      return {
        ...state,
        search: { asked: action.query, results: { query: action.query, hits: action.hits } },
      };
    case "health":
      return { ...state, health: action.view };
    case "live":
      return { ...state, live: { on: action.on, reconnectInMs: action.reconnectInMs } };
  }
}

/**
 * The chat list as the gateway answered it, except where a frame newer than the answer
 * changed a chat (its owner, its last message) or took it away: that frame stands.
 */
function chatsLoaded(state: InboxState, chats: readonly Chat[], asOf: number): InboxState {
  const current = new Map(state.chats.map((c) => [c.id, c]));
  const moved = new Set<string>();
  const listed: Chat[] = [];
  for (const answered of chats) {
    if (newerThan(state, chatKey(answered.id, "gone"), asOf)) continue;
    const mine = current.get(answered.id);
    let chat = answered;
    if (mine && newerThan(state, chatKey(chat.id, "owner"), asOf))
      chat = { ...chat, owner: mine.owner };
    if (mine && newerThan(state, chatKey(chat.id, "last"), asOf)) {
      const { preview, lastMessageAt, unreadCount } = mine;
      chat = { ...chat, preview, lastMessageAt, unreadCount };
      moved.add(chat.id);
    }
    listed.push(chat);
  }
  // Chats with a message newer than the answer stay on top, in the order they have.
  const byId = new Map(listed.map((c) => [c.id, c]));
  const top = state.chats.flatMap((c) => (moved.has(c.id) ? (byId.get(c.id) ?? []) : []));
  const next = [...top, ...listed.filter((c) => !moved.has(c.id))];
  const gone = state.open !== undefined && !next.some((c) => c.id === state.open?.jid);
  return {
    ...state,
    chats: next,
    chatsKnown: true,
    ...(gone ? { open: undefined, closed: "This chat is no longer yours." } : {}),
  };
}

function chatOpened(state: InboxState, jid: string, fresh: boolean): InboxState {
  const chat = state.chats.find((c) => c.id === jid);
  if (!chat) return state;
  const chats =
    chat.unreadCount > 0
      ? state.chats.map((c) => (c === chat ? { ...c, unreadCount: 0 } : c))
      : state.chats;
  if (!fresh) return chats === state.chats ? state : { ...state, chats };
  const open: OpenChat = { jid, messages: [], loaded: false, atStart: false, recent: [] };
  return { ...state, chats, open, closed: undefined };
}

function pageAnswered(
  state: InboxState,
  action: Extract<InboxAction, { type: "page.newest" | "page.older" }>,
): InboxState {
  const open = state.open;
  // An answer for a chat the reader has left is dropped.
  if (open?.jid !== action.jid) return state;
  const end = action.page.length < action.limit;
  const older = action.type === "page.older";
  const merged = older
    ? prependOlder(open.messages, action.page)
    : mergeNewest(open.messages, action.page);
  const next: OpenChat = {
    ...open,
    messages: replayRecent(merged, open.recent, action.asOf),
    loaded: true,
    // A newest page read again says nothing about the start when older pages are shown.
    atStart: older || !open.loaded ? end : open.atStart,
  };
  return { ...state, open: next };
}

function sent(state: InboxState, action: Extract<InboxAction, { type: "sent" }>): InboxState {
  const { jid, message } = action;
  let open = state.open;
  if (open?.jid === jid && message && !open.messages.some((m) => m.id === message.id))
    open = { ...open, messages: insertLive(open.messages, message) };
  const chat = state.chats.find((c) => c.id === jid);
  const chats = chat
    ? [
        {
          ...chat,
          preview: action.preview,
          lastMessageAt: new Date(action.now).toISOString(),
        },
        ...state.chats.filter((c) => c !== chat),
      ]
    : state.chats;
  return { ...state, open, chats };
}
