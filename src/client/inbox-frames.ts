/**
 * What each realtime frame does to the inbox's state, and the guard that keeps frames
 * in order: every part of the state a frame changes (a chat's owner, its last message, a
 * message's ack, text or one person's reaction) remembers the seq of the frame that set
 * it, and a frame no newer than that is ignored, as a replayed or overtaken frame is.
 * Each WhatsApp number has its own socket and its own seqs, so every key names the number.
 */
import type { InboxState, OpenChat, RecentFrame } from "./inbox-state.ts";
import { insertLive } from "./message-order.ts";
import { messagePreview } from "./message-preview.ts";
import type { Chat, Message, RealtimeEvent } from "./types.ts";

/** The frames that change one message of a chat. */
export type MessagePatch = Extract<
  RealtimeEvent,
  { type: "message.status" | "message.edited" | "message.revoked" | "message.reaction" }
>;

/** A frame with what the page knew when it came. */
export interface FrameAction {
  type: "frame";
  event: RealtimeEvent;
  /** The number whose socket brought it ("" for a gateway that names no numbers). */
  number: string;
  /** Every frame but `pong` has one; a frame without one is applied unguarded. */
  seq: number | undefined;
  /** ms since the epoch, for `editedAt` and `revokedAt`. */
  now: number;
  /** Whether the reader looks at the page (a new message in the open chat is read at once). */
  visible: boolean;
}

/** How many parts of the state remember their seq; the oldest are forgotten first. */
const GUARD_LIMIT = 2_000;
/** How many frames of the open chat are kept to lay over an answer read before them. */
const RECENT_LIMIT = 100;

/** The guard's key of a chat's part: its owner, its last message, its removal. */
export function chatKey(
  number: string,
  jid: string,
  part: "owner" | "last" | "gone" | "status" | "labels",
): string {
  return `c:${part}:${number}:${jid}`;
}

/** The guard's key of a message, or of one part of it. */
export function messageKey(number: string, jid: string, id: string, part = ""): string {
  return `m:${number}:${jid}:${id}:${part}`;
}

/** One string per chat: its number and jid (one customer may have a chat on two numbers). */
export function chatRef(number: string, jid: string): string {
  return `${number}\n${jid}`;
}

/** Whether the chat is `jid` on `number` (one customer may have a chat on two numbers). */
export function isChat(chat: { id: string; number: string }, number: string, jid: string): boolean {
  return chat.id === jid && chat.number === number;
}

/** The chat `jid` on `number`, if the list has it. */
export function findChat(state: InboxState, number: string, jid: string): Chat | undefined {
  return state.chats.find((c) => isChat(c, number, jid));
}

/** Whether the open chat is `jid` on `number`. */
export function isOpen(state: InboxState, number: string, jid: string): boolean {
  return state.open?.jid === jid && state.open.number === number;
}

/**
 * Whether `key` of `number` was set by a frame newer than `seq` (a frame's, or `number`'s
 * newest seq when an answer was asked).
 */
export function newerThan(state: InboxState, key: string, seq: number): boolean {
  return (state.applied.get(key) ?? Number.NEGATIVE_INFINITY) > seq;
}

/** A frame no newer than what the state already applied for its chat or message. */
export function isStale(
  state: InboxState,
  event: RealtimeEvent,
  seq: number | undefined,
  number: string,
): boolean {
  const key = guardKey(event, number);
  const at = key === undefined ? undefined : state.applied.get(key);
  return seq !== undefined && at !== undefined && at >= seq;
}

/** The part of the state a frame sets; frames about WAHA or the outbox set none here. */
function guardKey(event: RealtimeEvent, number: string): string | undefined {
  switch (event.type) {
    case "message.new":
      return messageKey(number, event.jid, event.message.id);
    case "chat.assigned":
      return chatKey(number, event.jid, "owner");
    case "chat.status":
      return chatKey(number, event.jid, "status");
    case "chat.labels":
      return chatKey(number, event.jid, "labels");
    case "message.status":
      return messageKey(number, event.jid, event.id, "ack");
    // A deletion and an edit both set the text: an edit overtaken by the deletion is stale.
    case "message.edited":
    case "message.revoked":
      return messageKey(number, event.jid, event.id, "text");
    case "message.reaction":
      return messageKey(number, event.jid, event.id, `reaction:${event.from}`);
    default:
      return undefined;
  }
}

/** `keys` set by the frame `seq`; past the limit the oldest are forgotten. */
function record(
  applied: ReadonlyMap<string, number>,
  keys: readonly (string | undefined)[],
  seq: number | undefined,
): ReadonlyMap<string, number> {
  if (seq === undefined) return applied;
  const next = new Map(applied);
  for (const key of keys) {
    if (key === undefined) continue;
    // Set anew so the map's order stays oldest first.
    next.delete(key);
    next.set(key, seq);
  }
  if (next.size <= GUARD_LIMIT) return next;
  return new Map([...next].slice(next.size - GUARD_LIMIT));
}

/** One message after a frame about it. */
export function patchMessage(message: Message, event: MessagePatch, now: number): Message {
  switch (event.type) {
    case "message.status":
      return { ...message, ackName: event.status };
    case "message.edited":
      return { ...message, body: event.body, editedAt: now };
    case "message.revoked":
      return { ...message, body: null, media: null, hasMedia: false, revokedAt: now };
    case "message.reaction":
      return withReaction(message, event.from, event.reaction);
  }
}

/** `from`'s reaction set to `text` ("" takes it back). */
export function withReaction(message: Message, from: string, text: string): Message {
  const others = (message.reactions ?? []).filter((r) => r.from !== from);
  return { ...message, reactions: text ? [...others, { from, text }] : others };
}

/** The message `id` changed by `change`; the same array when it is not there. */
export function patchOne(
  messages: readonly Message[],
  id: string,
  change: (message: Message) => Message,
): readonly Message[] {
  const at = messages.findIndex((m) => m.id === id);
  const message = messages[at];
  if (!message) return messages;
  const next = [...messages];
  next[at] = change(message);
  return next;
}

/** The open chat's frames newer than `asOf`, laid over messages an answer read before them. */
export function replayRecent(
  messages: readonly Message[],
  recent: readonly RecentFrame[],
  asOf: number,
): readonly Message[] {
  let result = messages;
  for (const frame of recent) {
    if (frame.seq > asOf)
      result = patchOne(result, frame.event.id, (m) => patchMessage(m, frame.event, frame.now));
  }
  return result;
}

export function reduceFrame(state: InboxState, action: FrameAction): InboxState {
  const { event, seq, number } = action;
  if (isStale(state, event, seq, number)) return state;
  const newest = state.seq[number];
  const next =
    seq === undefined || (newest !== undefined && seq <= newest)
      ? state
      : { ...state, seq: { ...state.seq, [number]: seq } };
  switch (event.type) {
    case "message.new":
      return newMessage(next, action, event.jid, event.message);
    case "message.status":
    case "message.edited":
    case "message.revoked":
    case "message.reaction":
      return patched(next, action, event);
    case "chat.assigned":
      return assignChat(next, number, event.jid, event.agentId, seq);
    case "session.status":
      return numberStatus(next, number, event.status);
    case "chat.status":
      return patchChat(next, number, event.jid, seq, {
        status: event.status,
        snoozeUntil: event.snoozeUntil ?? null,
      });
    case "chat.labels":
      return patchChat(next, number, event.jid, seq, { labels: event.labels });
    default:
      return next;
  }
}

/** A number's session changed: its pill in the header says so. */
export function numberStatus(state: InboxState, number: string, status: string): InboxState {
  const known = state.numbers.find((n) => n.id === number);
  if (!known || known.status === status) return state;
  const numbers = state.numbers.map((n) => (n === known ? { ...n, status } : n));
  return { ...state, numbers };
}

function newMessage(
  state: InboxState,
  action: FrameAction,
  jid: string,
  message: Message,
): InboxState {
  const { number } = action;
  const key = messageKey(number, jid, message.id);
  // Seen before under an older seq: a newer copy of it, not news for the list.
  const known = state.applied.has(key);
  const open = isOpen(state, number, jid) ? state.open : undefined;
  let { chats } = state;
  const chat = findChat(state, number, jid);
  const keys = [key];
  const last = chatKey(number, jid, "last");
  // A newer message already set the chat's preview and place (frames overtaken on the way).
  const overtaken = action.seq !== undefined && newerThan(state, last, action.seq);
  if (chat && !known && !overtaken) {
    keys.push(last);
    const read = message.fromMe || (open !== undefined && action.visible);
    const moved: Chat = {
      ...chat,
      preview: messagePreview(message),
      lastMessageAt: new Date(message.timestamp * 1000).toISOString(),
      unreadCount: read ? chat.unreadCount : chat.unreadCount + 1,
    };
    chats = [moved, ...chats.filter((c) => c !== chat)];
  }
  return {
    ...state,
    chats,
    open: open ? { ...open, messages: insertLive(open.messages, message) } : state.open,
    applied: record(state.applied, keys, action.seq),
  };
}

function patched(state: InboxState, action: FrameAction, event: MessagePatch): InboxState {
  const applied = record(state.applied, [guardKey(event, action.number)], action.seq);
  const open = state.open;
  if (!open || !isOpen(state, action.number, event.jid)) return { ...state, applied };
  const recent =
    action.seq === undefined
      ? open.recent
      : [...open.recent, { seq: action.seq, event, now: action.now }].slice(-RECENT_LIMIT);
  const messages = patchOne(open.messages, event.id, (m) => patchMessage(m, event, action.now));
  const next: OpenChat = { ...open, messages, recent };
  return { ...state, open: next, applied };
}

/**
 * A chat changed owner (a frame, or our own change answered). An agent no longer sees a
 * chat taken from them: it leaves the list, and closes if it was open.
 */
export function assignChat(
  state: InboxState,
  number: string,
  jid: string,
  agentId: string | null,
  seq?: number,
): InboxState {
  const chat = findChat(state, number, jid);
  const applied = record(state.applied, [chatKey(number, jid, "owner")], seq);
  if (!chat) return applied === state.applied ? state : { ...state, applied };
  if (state.me.role === "agent" && agentId !== state.me.sub) {
    const taken = isOpen(state, number, jid);
    return {
      ...state,
      chats: state.chats.filter((c) => c !== chat),
      ...(taken
        ? {
            open: undefined,
            closed:
              agentId === null
                ? "This chat was unassigned from you."
                : "This chat was assigned to someone else.",
          }
        : {}),
      applied: record(applied, [chatKey(number, jid, "gone")], seq),
    };
  }
  return {
    ...state,
    chats: state.chats.map((c) => (c === chat ? { ...c, owner: agentId } : c)),
    applied,
  };
}

/** A chat's status or labels changed (a frame, or our own change answered without a seq). */
function patchChat(
  state: InboxState,
  number: string,
  jid: string,
  seq: number | undefined,
  change: Partial<Pick<Chat, "status" | "snoozeUntil" | "labels">>,
): InboxState {
  const part = change.labels === undefined ? "status" : "labels";
  const applied = record(state.applied, [chatKey(number, jid, part)], seq);
  if (!findChat(state, number, jid)) return { ...state, applied };
  return {
    ...state,
    chats: state.chats.map((c) => (isChat(c, number, jid) ? { ...c, ...change } : c)),
    applied,
  };
}
