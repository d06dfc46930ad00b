/**
 * One message of the conversation: who wrote it (in groups), the message it answers as a
 * quote, its media, text, reactions, edited and deleted marks, time and, for our own, how
 * far it got (sent, delivered, read). Updated in place, so a playing voice note survives.
 */
import type { Chat, Message } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { ackLabel, formatPhone, formatTime } from "./format.ts";
import type { MediaView } from "./media-view.ts";
import { kindContent } from "./message-kinds-view.ts";
import { ownTools } from "./own-message-tools.ts";
import { richText } from "./rich-text.ts";

export const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

export interface RowActions {
  reply(message: Message): void;
  /** Our own text, changed; resolves when WAHA took it. */
  edit?(message: Message, text: string): Promise<void>;
  /** Our own message, deleted for everyone. */
  remove?(message: Message): Promise<void>;
  /** "" takes our reaction back. */
  react(message: Message, reaction: string): void;
  /** Scrolls to a quoted message. */
  reveal(id: string): void;
}

export class MessageRow {
  readonly item: HTMLLIElement;
  #message: Message;
  readonly #chat: Chat;
  readonly #actions: RowActions;
  readonly #head = h("div", { class: "message__head" });
  readonly #mediaSlot = h("div", { class: "message__media" });
  readonly #text = h("div", { class: "message__text" });
  readonly #reactions = h("ul", { class: "message__reactions", "aria-label": "Reactions" });
  readonly #meta = h("span", { class: "message__meta" });
  readonly #tools = h("div", { class: "message__tools" });
  #toolsKey = "";

  constructor(chat: Chat, message: Message, media: MediaView, actions: RowActions) {
    this.#chat = chat;
    this.#message = message;
    this.#actions = actions;
    this.item = h("li", {
      class: `message ${message.fromMe ? "message--out" : "message--in"}`,
      "data-id": message.id,
    });
    const shown = message.revokedAt ? undefined : media.render(chat.id, message);
    if (shown) this.#mediaSlot.append(shown);
    else this.#mediaSlot.hidden = true;
    // A tap on the bubble (not on a control in it) shows its tools where there is no hover.
    this.item.addEventListener("click", (event) => {
      const target = event.target;
      if (target instanceof Element && target.closest("button, a, audio, video")) return;
      this.item.classList.toggle("message--active");
    });
    this.item.append(
      this.#head,
      this.#mediaSlot,
      this.#text,
      this.#reactions,
      this.#meta,
      this.#tools,
    );
    this.#render();
  }

  get message(): Message {
    return this.#message;
  }

  update(message: Message): void {
    this.#message = message;
    if (message.revokedAt) {
      replaceChildren(this.#mediaSlot);
      this.#mediaSlot.hidden = true;
    }
    this.#render();
  }

  #render(): void {
    const m = this.#message;
    const sender =
      this.#chat.isGroup && !m.fromMe && m.participant
        ? (m.senderName ?? formatPhone(m.participant))
        : undefined;
    const quote = m.replyTo && !m.revokedAt ? this.#quote(m.replyTo) : null;
    const body = m.revokedAt
      ? h(
          "p",
          { class: "message__body message__body--deleted" },
          m.fromMe ? "You deleted this message." : "This message was deleted.",
        )
      : m.body
        ? h("p", { class: "message__body" }, ...richText(m.body))
        : null;
    const special = kindContent(m);
    // The media slot is never rebuilt, so a playing file or a loaded photo stays.
    replaceChildren(
      this.#head,
      sender ? h("span", { class: "message__sender" }, sender) : null,
      quote,
    );
    this.#head.hidden = !sender && !quote;
    replaceChildren(this.#text, special, body);
    this.item.classList.toggle("message--sticker", m.kind === "sticker");
    this.item.classList.toggle("message--deleted", Boolean(m.revokedAt));
    this.#renderReactions();
    this.#renderMeta();
    this.#renderTools();
  }

  #quote(replyTo: NonNullable<Message["replyTo"]>): HTMLElement {
    // In a group the quote names who wrote the quoted message, not the group.
    const who =
      replyTo.fromMe === null
        ? ""
        : replyTo.fromMe
          ? "You"
          : this.#chat.isGroup
            ? (replyTo.senderName ?? (replyTo.sender ? formatPhone(replyTo.sender) : ""))
            : this.#chat.name;
    const text = replyTo.body?.trim() || "a message";
    const content = [
      h("span", { class: "visually-hidden" }, "Replying to: "),
      who ? h("span", { class: "quote__who" }, who) : null,
      h("span", { class: "quote__text" }, text),
    ];
    const id = replyTo.id;
    return id
      ? h(
          "button",
          {
            type: "button",
            class: "quote",
            title: "Show the quoted message",
            onclick: () => this.#actions.reveal(id),
          },
          ...content,
        )
      : h("blockquote", { class: "quote" }, ...content);
  }

  #renderReactions(): void {
    const counts = new Map<string, { n: number; mine: boolean }>();
    for (const r of this.#message.revokedAt ? [] : (this.#message.reactions ?? [])) {
      if (!r.text) continue;
      const entry = counts.get(r.text) ?? { n: 0, mine: false };
      entry.n += 1;
      entry.mine ||= r.from === "me";
      counts.set(r.text, entry);
    }
    replaceChildren(
      this.#reactions,
      ...[...counts].map(([text, { n, mine }]) =>
        h(
          "li",
          {
            class: `reaction${mine ? " reaction--mine" : ""}`,
            "aria-label": `${text} ${n === 1 ? (mine ? "from you" : "from them") : `from ${n} people`}`,
          },
          n > 1 ? `${text} ${n}` : text,
        ),
      ),
    );
    this.#reactions.hidden = counts.size === 0;
  }

  #renderMeta(): void {
    const m = this.#message;
    const at = m.timestamp * 1000;
    const ack = m.fromMe && !m.revokedAt ? ackLabel(m.ackName) : "";
    replaceChildren(
      this.#meta,
      m.editedAt && !m.revokedAt ? h("span", { class: "message__edited" }, "edited · ") : null,
      h("time", { datetime: new Date(at).toISOString() }, formatTime(at, true)),
      ack
        ? h(
            "span",
            { class: "message__ack", "data-ack": m.ackName ?? "" },
            " · ",
            h("span", { class: "message__state" }, ack),
          )
        : null,
    );
  }

  #renderTools(): void {
    const m = this.#message;
    // Rebuilt only when what they offer changes, so an open picker survives an update.
    const key = `${m.id}|${Boolean(m.revokedAt)}|${(m.reactions ?? []).find((r) => r.from === "me")?.text ?? ""}`;
    if (key === this.#toolsKey) return;
    this.#toolsKey = key;
    if (m.revokedAt) {
      replaceChildren(this.#tools);
      return;
    }
    const mine = (m.reactions ?? []).find((r) => r.from === "me")?.text ?? "";
    const picker = h("div", { class: "reaction-picker", role: "group", hidden: true });
    picker.setAttribute("aria-label", "Pick a reaction");
    const toggle = h(
      "button",
      {
        type: "button",
        class: "message__tool",
        "aria-expanded": "false",
        "aria-label": "React to this message",
      },
      "☺",
    );
    for (const emoji of REACTIONS) {
      picker.append(
        h(
          "button",
          {
            type: "button",
            class: "reaction-picker__choice",
            "aria-pressed": String(mine === emoji),
            "aria-label": mine === emoji ? `Take back ${emoji}` : `React with ${emoji}`,
            onclick: () => {
              picker.hidden = true;
              toggle.setAttribute("aria-expanded", "false");
              this.#actions.react(this.#message, mine === emoji ? "" : emoji);
            },
          },
          emoji,
        ),
      );
    }
    toggle.addEventListener("click", () => {
      picker.hidden = !picker.hidden;
      toggle.setAttribute("aria-expanded", String(!picker.hidden));
      if (picker.hidden) return;
      placePicker(picker, this.#tools, this.item);
      picker.querySelector("button")?.focus();
    });
    picker.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        picker.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
    replaceChildren(
      this.#tools,
      h(
        "button",
        {
          type: "button",
          class: "message__tool",
          "aria-label": "Reply to this message",
          onclick: () => this.#actions.reply(m),
        },
        "↩",
      ),
      toggle,
      picker,
      ...ownTools(m, this.#actions),
    );
  }
}

/** Space kept between the picker and the message or the edge of the list, in px. */
const PICKER_GAP = 4;

/**
 * Puts the open picker above the message it reacts to, or below it where the list has no
 * room above, never over it; and sideways inside the visible part of the list.
 */
function placePicker(picker: HTMLElement, tools: HTMLElement, item: HTMLElement): void {
  picker.style.top = "0px";
  picker.style.left = "0px";
  const box = (
    item.closest(".messages-scroll") ?? document.documentElement
  ).getBoundingClientRect();
  const origin = tools.getBoundingClientRect();
  const message = item.getBoundingClientRect();
  const own = picker.getBoundingClientRect();
  const above = message.top - own.height - PICKER_GAP;
  const fitsAbove = above >= Math.max(box.top, 0);
  const top = fitsAbove ? above : message.bottom + PICKER_GAP;
  const right = Math.min(box.right, window.innerWidth) - PICKER_GAP;
  const leftEdge = Math.max(box.left, 0) + PICKER_GAP;
  // Where the message starts (ours: where it ends), kept inside the list.
  const wanted = item.classList.contains("message--out") ? message.right - own.width : message.left;
  const left = Math.max(leftEdge, Math.min(wanted, right - own.width));
  picker.style.top = `${Math.round(top - origin.top)}px`;
  picker.style.left = `${Math.round(left - origin.left)}px`;
  picker.dataset.place = fitsAbove ? "above" : "below";
  if (!fitsAbove) picker.scrollIntoView({ block: "nearest" });
}
