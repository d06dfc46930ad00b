/**
 * The inbox page's state, whole: the WhatsApp numbers, the chats (of every number the
 * user may see, each keyed by number and jid), the open conversation, the filters, the
 * search, our sends on their way, what the header says; and the reducer of every action
 * that changes it (a realtime frame, an API answer, a click). Pure: nothing here touches
 * the page or the network, so it is tested on Node.
 */
import { type ChatFilter, filtersFor } from "./chat-filter.ts";
import {
  assignChat,
  chatKey,
  chatRef,
  type FrameAction,
  findChat,
  isChat,
  isOpen,
  type MessagePatch,
  newerThan,
  patchOne,
  reduceFrame,
  replayRecent,
  withReaction,
} from "./inbox-frames.ts";
import { insertLive, mergeNewest, prependOlder } from "./message-order.ts";
import type { PendingSend } from "./send-tracker.ts";
import type { Agent, Chat, Me, Message, SearchHit, WaNumber } from "./types.ts";
import type { HealthView } from "./waha-health.ts";

/** A frame of the open chat kept to lay over an answer that was read before it. */
export interface RecentFrame {
  seq: number;
  event: MessagePatch;
  now: number;
}

export interface OpenChat {
  readonly jid: string;
  /** The number the chat is on. */
  readonly number: string;
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
  /** The numbers the user may see; empty while (or where) the gateway names none. */
  readonly numbers: readonly WaNumber[];
  /** The number the list shows; undefined: every number. */
  readonly number: string | undefined;
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
  /** Each number's newest frame's seq: an answer asked now reflects everything up to it. */
  readonly seq: Seqs;
  /** The seq of the frame that last set each part of the state (inbox-frames.ts). */
  readonly applied: ReadonlyMap<string, number>;
}

/** Each number's newest seq (a number without frames yet has none). */
export type Seqs = Readonly<Record<string, number>>;

/** An answer read when the state had applied frames up to `asOf` (its `seq` then). */
interface Answer {
  asOf: Seqs;
}

/** Where a chat is: the number it is on and the customer's jid. */
export interface ChatRef {
  number: string;
  jid: string;
}

export type InboxAction =
  | FrameAction
  | ({ type: "chats.loaded"; chats: readonly Chat[] } & Answer)
  | { type: "agents.loaded"; agents: readonly Agent[] }
  | { type: "numbers.loaded"; numbers: readonly WaNumber[] }
  /** The reader chose the number the list shows (undefined: every number). */
  | { type: "number"; number: string | undefined }
  | { type: "filter"; filter: ChatFilter }
  /** The reader opened a chat (`fresh`: from its newest page) or looked at it again. */
  | ({ type: "chat.opened"; fresh: boolean } & ChatRef)
  | ({ type: "page.newest"; page: readonly Message[]; limit: number } & ChatRef & Answer)
  | ({ type: "page.older"; page: readonly Message[]; limit: number } & ChatRef & Answer)
  /** WAHA took our send: `message` (when it named an id) shows until its own copy comes. */
  | ({ type: "sent"; message: Message | undefined; preview: string; now: number } & ChatRef)
  /** Our own assignment was saved. */
  | ({ type: "assigned"; agentId: string | null } & ChatRef)
  /** Our reaction, shown at once ("" takes it back; a failed one is set back the same way). */
  | ({ type: "reaction.mine"; id: string; reaction: string } & ChatRef)
  | { type: "sends"; sends: ReadonlyMap<string, PendingSend> }
  | { type: "search.asked"; query: string }
  | { type: "search.answered"; query: string; hits: readonly SearchHit[] }
  | { type: "health"; view: HealthView }
  | { type: "live"; on: boolean; reconnectInMs: number | undefined };

export function initialInboxState(me: Me): InboxState {
  const filters = filtersFor(me, new Set());
  return {
    me,
    numbers: [],
    number: undefined,
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
    seq: {},
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
    case "numbers.loaded": {
      if (sameNumbers(state.numbers, action.numbers)) return state;
      // A number the user may no longer see is no longer the one shown.
      const number = action.numbers.some((n) => n.id === state.number) ? state.number : undefined;
      return { ...state, numbers: action.numbers, number };
    }
    case "number":
      return action.number === undefined || state.numbers.some((n) => n.id === action.number)
        ? { ...state, number: action.number }
        : state;
    case "filter":
      return state.filters.includes(action.filter) ? { ...state, filter: action.filter } : state;
    case "chat.opened":
      return chatOpened(state, action, action.fresh);
    case "page.newest":
    case "page.older":
      return pageAnswered(state, action);
    case "sent":
      return sent(state, action);
    case "assigned":
      return assignChat(state, action.number, action.jid, action.agentId);
    case "reaction.mine": {
      const open = state.open;
      if (!open || !isOpen(state, action.number, action.jid)) return state;
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
function chatsLoaded(state: InboxState, chats: readonly Chat[], asOf: Seqs): InboxState {
  const key = (c: Chat) => chatRef(c.number, c.id);
  const current = new Map(state.chats.map((c) => [key(c), c]));
  const moved = new Set<string>();
  const listed: Chat[] = [];
  for (const answered of chats) {
    const seq = asOf[answered.number] ?? 0;
    const newer = (part: "owner" | "last" | "gone") =>
      newerThan(state, chatKey(answered.number, answered.id, part), seq);
    if (newer("gone")) continue;
    const mine = current.get(key(answered));
    let chat = answered;
    if (mine && newer("owner")) chat = { ...chat, owner: mine.owner };
    if (mine && newer("last")) {
      const { preview, lastMessageAt, unreadCount } = mine;
      chat = { ...chat, preview, lastMessageAt, unreadCount };
      moved.add(key(chat));
    }
    listed.push(chat);
  }
  // Chats with a message newer than the answer stay on top, in the order they have.
  const byKey = new Map(listed.map((c) => [key(c), c]));
  const top = state.chats.flatMap((c) => (moved.has(key(c)) ? (byKey.get(key(c)) ?? []) : []));
  const next = [...top, ...listed.filter((c) => !moved.has(key(c)))];
  const open = state.open;
  const gone = open !== undefined && !next.some((c) => isChat(c, open.number, open.jid));
  return {
    ...state,
    chats: next,
    chatsKnown: true,
    ...(gone ? { open: undefined, closed: "This chat is no longer yours." } : {}),
  };
}

/** Whether two lists of numbers say the same (a poll that found nothing new changes nothing). */
function sameNumbers(a: readonly WaNumber[], b: readonly WaNumber[]): boolean {
  return (
    a.length === b.length &&
    a.every((n, i) => n.id === b[i]?.id && n.name === b[i]?.name && n.status === b[i]?.status)
  );
}

function chatOpened(state: InboxState, { number, jid }: ChatRef, fresh: boolean): InboxState {
  const chat = findChat(state, number, jid);
  if (!chat) return state;
  const chats =
    chat.unreadCount > 0
      ? state.chats.map((c) => (c === chat ? { ...c, unreadCount: 0 } : c))
      : state.chats;
  if (!fresh) return chats === state.chats ? state : { ...state, chats };
  const open: OpenChat = { jid, number, messages: [], loaded: false, atStart: false, recent: [] };
  return { ...state, chats, open, closed: undefined };
}

function pageAnswered(
  state: InboxState,
  action: Extract<InboxAction, { type: "page.newest" | "page.older" }>,
): InboxState {
  const open = state.open;
  // An answer for a chat the reader has left is dropped.
  if (!open || !isOpen(state, action.number, action.jid)) return state;
  const end = action.page.length < action.limit;
  const older = action.type === "page.older";
  const merged = older
    ? prependOlder(open.messages, action.page)
    : mergeNewest(open.messages, action.page);
  const next: OpenChat = {
    ...open,
    messages: replayRecent(merged, open.recent, action.asOf[open.number] ?? 0),
    loaded: true,
    // A newest page read again says nothing about the start when older pages are shown.
    atStart: older || !open.loaded ? end : open.atStart,
  };
  return { ...state, open: next };
}

function sent(state: InboxState, action: Extract<InboxAction, { type: "sent" }>): InboxState {
  const { number, jid, message } = action;
  let open = state.open;
  if (
    open &&
    isOpen(state, number, jid) &&
    message &&
    !open.messages.some((m) => m.id === message.id)
  )
    open = { ...open, messages: insertLive(open.messages, message) };
  const chat = findChat(state, number, jid);
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
