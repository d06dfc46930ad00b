/**
 * The number switcher, shown where the user may see several WhatsApp numbers: "All
 * numbers" and one button per number, each with its count of unread chats.
 */
import { unreadByNumber } from "../client/chat-filter.ts";
import type { InboxState } from "../client/inbox-state.ts";
import { h, replaceChildren } from "./dom.ts";

export function renderNumberSwitch(
  element: HTMLElement,
  state: Pick<InboxState, "numbers" | "number" | "chats">,
  onNumber: (number: string | undefined) => void,
): void {
  const unread = unreadByNumber(state.chats);
  const all = [...unread.values()].reduce((a, b) => a + b, 0);
  const button = (id: string | undefined, name: string, count: number) =>
    h(
      "button",
      {
        type: "button",
        class: "number-switch",
        "data-number": id ?? "",
        "aria-pressed": String(state.number === id),
        onclick: () => onNumber(id),
      },
      name,
      count > 0
        ? h(
            "span",
            { class: "number-switch__unread" },
            String(count),
            h("span", { class: "visually-hidden" }, " unread"),
          )
        : null,
    );
  replaceChildren(
    element,
    button(undefined, "All numbers", all),
    ...state.numbers.map((n) => button(n.id, n.name, unread.get(n.id) ?? 0)),
  );
}
