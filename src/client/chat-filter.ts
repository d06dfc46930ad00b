/** The chat list's filters (Mine, Unassigned, All, Unread) and the page title's unread count. */
import { scopedAgent } from "../lib/auth/access.ts";
import type { Chat, Me } from "./types.ts";

export type ChatFilter = "all" | "mine" | "unassigned" | "unread";

export const FILTER_LABELS: Record<ChatFilter, string> = {
  all: "All",
  mine: "Mine",
  unassigned: "Unassigned",
  unread: "Unread",
};

/**
 * The filters that mean something to this user: an agent sees its own chats (Mine is its
 * All) and the Unassigned queue it takes from; staff see Mine only if chats can be theirs.
 */
export function filtersFor(me: Me, agentIds: ReadonlySet<string>): ChatFilter[] {
  if (scopedAgent(me) !== null) return ["mine", "unassigned", "unread"];
  return agentIds.has(me.sub)
    ? ["all", "mine", "unassigned", "unread"]
    : ["all", "unassigned", "unread"];
}

export function filterChats(chats: readonly Chat[], filter: ChatFilter, me: Me): Chat[] {
  switch (filter) {
    case "all":
      return [...chats];
    case "mine":
      return scopedAgent(me) !== null ? [...chats] : chats.filter((c) => c.owner === me.sub);
    case "unassigned":
      return chats.filter((c) => c.owner === null);
    case "unread":
      return chats.filter((c) => c.unreadCount > 0);
  }
}

/** Whether a new message in this chat is this user's to answer (a desktop notification). */
export function isOwnChat(chat: Chat, me: Me): boolean {
  return scopedAgent(me) !== null || chat.owner === me.sub;
}

/** The chats of the number the list shows; every chat when it shows every number. */
export function chatsOfNumber(chats: readonly Chat[], number: string | undefined): readonly Chat[] {
  return number === undefined ? chats : chats.filter((c) => c.number === number);
}

/** Chats with unread messages, per number. */
export function unreadByNumber(chats: readonly Chat[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of chats)
    if (c.unreadCount > 0) counts.set(c.number, (counts.get(c.number) ?? 0) + 1);
  return counts;
}

/** Chats with unread messages. */
export function unreadChats(chats: readonly Chat[]): number {
  return chats.reduce((n, c) => n + (c.unreadCount > 0 ? 1 : 0), 0);
}

/** `(3) wa-edge inbox`, as messaging apps put the unread count first. */
export function titleWithUnread(title: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${title}` : title;
}
