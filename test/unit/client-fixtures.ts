/** Chats and messages as the gateway gives them to the page, for the browser library's tests. */
import type { Chat, Message } from "../../src/client/types.ts";

const ANA = "15550100001@c.us";

export function chat(id: string, over: Partial<Chat> = {}): Chat {
  return {
    id,
    name: id.slice(0, 11),
    unreadCount: 0,
    lastMessageAt: null,
    preview: null,
    isGroup: false,
    owner: null,
    number: "",
    status: "open",
    snoozeUntil: null,
    labels: [],
    ...over,
  };
}

export function message(id: string, timestamp: number, over: Partial<Message> = {}): Message {
  return {
    id,
    timestamp,
    from: ANA,
    fromMe: false,
    to: null,
    body: `text ${id}`,
    hasMedia: false,
    media: null,
    ack: null,
    ackName: null,
    reactions: [],
    ...over,
  };
}
