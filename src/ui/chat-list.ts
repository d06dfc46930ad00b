/**
 * The chat list: one button per chat with its name, last message, time, unread count,
 * owner, the WhatsApp number it is on while the list shows several, its status (when not
 * open) and labels.
 */
import { chatRef } from "../client/inbox-frames.ts";
import { STATUS_NAMES } from "../client/team-filter.ts";
import type { Chat } from "../client/types.ts";
import { avatarFor, chatTitle } from "./avatar.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatTime, toMillis } from "./format.ts";

export interface ChatListProps {
  chats: Chat[];
  selected: string | undefined;
  /** Agent id → name, for the owner line; undefined for agents, who only see their own chats. */
  agentNames: Map<string, string> | undefined;
  /** Number id → name, while the list shows several numbers; undefined otherwise. */
  numberNames?: Map<string, string> | undefined;
  /** What an empty list says. */
  empty: string;
  onSelect: (number: string, jid: string) => void;
  /** The Unassigned queue of an agent: each chat can be taken. */
  onTake?: (jid: string) => void;
}

export function renderChatList(list: HTMLElement, props: ChatListProps): void {
  if (props.chats.length === 0) {
    replaceChildren(list, props.empty ? h("li", { class: "chat-list__empty" }, props.empty) : null);
    return;
  }
  replaceChildren(
    list,
    ...props.chats.map((chat) => {
      const take = props.onTake;
      return h(
        "li",
        { class: take ? "chat-row chat-row--queue" : "chat-row" },
        chatButton(chat, props),
        take
          ? h(
              "button",
              {
                type: "button",
                class: "chat__take",
                "aria-label": `Take the chat with ${chatTitle(chat)}`,
                onclick: () => take(chat.id),
              },
              "Take",
            )
          : null,
      );
    }),
  );
}

function chatButton(chat: Chat, props: ChatListProps): HTMLButtonElement {
  const unread = chat.unreadCount > 0;
  const owner = props.agentNames
    ? chat.owner
      ? `Assigned to ${props.agentNames.get(chat.owner) ?? chat.owner}`
      : "Unassigned"
    : undefined;
  const number = props.numberNames
    ? h("span", { class: "chat__number" }, props.numberNames.get(chat.number) ?? chat.number)
    : null;
  return h(
    "button",
    {
      type: "button",
      class: `chat${unread ? " chat--unread" : ""}`,
      "aria-current": chatRef(chat.number, chat.id) === props.selected ? "true" : false,
      "data-jid": chat.id,
      "data-number": chat.number || undefined,
      onclick: () => props.onSelect(chat.number, chat.id),
    },
    avatarFor(chat),
    h(
      "span",
      { class: "chat__name" },
      chatTitle(chat),
      chat.isGroup ? h("span", { class: "chat__tag" }, " group") : null,
    ),
    h("time", { class: "chat__time" }, formatTime(toMillis(chat.lastMessageAt))),
    h("span", { class: "chat__preview" }, chat.preview ?? ""),
    unread
      ? h(
          "span",
          { class: "chat__unread" },
          String(chat.unreadCount),
          h("span", { class: "visually-hidden" }, " unread"),
        )
      : null,
    owner || number
      ? h("span", { class: "chat__owner" }, owner, owner && number ? " · " : null, number)
      : null,
    teamMarks(chat),
  );
}

/** A status other than open, and the labels, under the chat's other lines. */
function teamMarks(chat: Chat): HTMLElement | null {
  if (chat.status === "open" && chat.labels.length === 0) return null;
  return h(
    "span",
    { class: "chat__marks" },
    chat.status === "open"
      ? null
      : h(
          "span",
          { class: `status status--${chat.status}`, "data-status": chat.status },
          STATUS_NAMES[chat.status],
        ),
    ...chat.labels.map((l) => h("span", { class: "label" }, l)),
  );
}
