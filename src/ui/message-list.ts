/**
 * The conversation's scrolling list: messages in true order with a separator per day,
 * staff's private notes among them by time, our sends still on their way after them, older pages on scrolling up (the view stays
 * where it was), and the newest message kept in sight while photos load, unless the
 * reader scrolled away from it.
 */
import { withNotes } from "../client/note-order.ts";
import type { PendingSend } from "../client/send-tracker.ts";
import type { Chat, ChatNote, Message } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { dayKey, dayLabel } from "./format.ts";
import type { MediaView } from "./media-view.ts";
import { MessageRow, type RowActions } from "./message-row.ts";
import { noteRow } from "./note-row.ts";
import { pendingRow } from "./pending-row.ts";

export type OlderState = "more" | "loading" | "start" | "error";

export interface MessageListDeps {
  media: MediaView;
  actions: RowActions;
  /** The reader wants older messages (scrolled to the top, or pressed the button). */
  onOlder: () => void;
  onRetrySend: (clientId: string) => void;
}

/** Within this many px of the bottom counts as reading the newest message. */
const STICK_PX = 48;
/** Older messages are asked for this many px before the top is reached. */
const OLDER_PX = 400;

export class MessageList {
  readonly element: HTMLElement;
  readonly #deps: MessageListDeps;
  readonly #list = h("ol", { class: "messages" });
  readonly #olderButton = h(
    "button",
    { type: "button", class: "older__button" },
    "Show older messages",
  );
  readonly #olderNote = h("span", { class: "older__note", role: "status" });
  readonly #rows = new Map<string, MessageRow>();
  readonly #noteRows = new Map<number, HTMLLIElement>();
  #notes: readonly ChatNote[] = [];
  readonly #days = new Map<string, HTMLLIElement>();
  readonly #pending = new Map<string, { item: HTMLLIElement; revoke: () => void }>();
  #chat: Chat | undefined;
  #messages: Message[] = [];
  #older: OlderState = "start";
  #stick = true;
  #lastTop = 0;

  constructor(deps: MessageListDeps) {
    this.#deps = deps;
    this.#olderButton.addEventListener("click", () => deps.onOlder());
    this.element = h(
      "div",
      {
        class: "messages-scroll",
        tabindex: "0",
        role: "log",
        "aria-labelledby": "conversation-title",
      },
      h("div", { class: "older" }, this.#olderButton, this.#olderNote),
      this.#list,
    );
    this.element.addEventListener("scroll", () => this.#scrolled(), { passive: true });
    // Photos and players that load after the list was drawn must not push the newest away.
    new ResizeObserver(() => {
      if (this.#stick) this.scrollToEnd();
    }).observe(this.#list);
    this.setOlder("start");
  }

  /** A different chat: everything goes. */
  reset(chat: Chat | undefined): void {
    this.#chat = chat;
    this.#messages = [];
    this.#rows.clear();
    this.#noteRows.clear();
    this.#notes = [];
    this.#days.clear();
    for (const p of this.#pending.values()) p.revoke();
    this.#pending.clear();
    replaceChildren(this.#list);
    this.#stick = true;
    this.setOlder("start");
  }

  /** The whole conversation, oldest first; rows that exist are updated, never rebuilt. */
  set(messages: readonly Message[]): void {
    const chat = this.#chat;
    if (!chat) return;
    const before = this.element.scrollHeight;
    const firstBefore = this.#messages[0]?.id;
    const grewAtTop = firstBefore !== undefined && messages[0]?.id !== firstBefore;

    const keep = new Set(messages.map((m) => m.id));
    for (const [id, row] of this.#rows) {
      if (!keep.has(id)) {
        row.item.remove();
        this.#rows.delete(id);
      }
    }
    const nodes: HTMLLIElement[] = [];
    const days = new Set<string>();
    let day = "";
    const items = withNotes(messages, this.#notes, this.#older === "start");
    const notesShown = new Set<number>();
    for (const item of items) {
      const key = dayKey(item.at);
      if (key !== day) {
        day = key;
        days.add(key);
        nodes.push(this.#day(key, item.at));
      }
      if (item.kind === "note") {
        notesShown.add(item.note.id);
        let node = this.#noteRows.get(item.note.id);
        if (!node) {
          node = noteRow(item.note);
          this.#noteRows.set(item.note.id, node);
        }
        nodes.push(node);
        continue;
      }
      const { message } = item;
      let row = this.#rows.get(message.id);
      if (!row) {
        row = new MessageRow(chat, message, this.#deps.media, this.#deps.actions);
        this.#rows.set(message.id, row);
      } else if (row.message !== message) {
        row.update(message);
      }
      nodes.push(row.item);
    }
    for (const [id, node] of this.#noteRows) {
      if (!notesShown.has(id)) {
        node.remove();
        this.#noteRows.delete(id);
      }
    }
    for (const [key, node] of this.#days) {
      if (!days.has(key)) {
        node.remove();
        this.#days.delete(key);
      }
    }
    for (const p of this.#pending.values()) nodes.push(p.item);
    this.#place(nodes);
    this.#messages = [...messages];
    if (this.#stick) this.scrollToEnd();
    else if (grewAtTop) {
      this.element.scrollTop += this.element.scrollHeight - before;
      this.#lastTop = this.element.scrollTop;
    }
  }

  /** Staff's notes on this chat (all of them; those older than what is loaded wait). */
  setNotes(notes: readonly ChatNote[]): void {
    this.#notes = notes;
    this.set(this.#messages);
  }

  /** Our sends on their way, after the messages. */
  setPending(sends: readonly PendingSend[]): void {
    const wanted = new Set(sends.map((s) => s.clientId));
    for (const [id, p] of this.#pending) {
      if (!wanted.has(id)) {
        p.item.remove();
        p.revoke();
        this.#pending.delete(id);
      }
    }
    for (const send of sends) {
      const old = this.#pending.get(send.clientId);
      old?.revoke();
      const made = pendingRow(send, this.#chat, () => this.#deps.onRetrySend(send.clientId));
      if (old) old.item.replaceWith(made.item);
      this.#pending.set(send.clientId, made);
    }
    const nodes = [...this.#list.children].filter(
      (n): n is HTMLLIElement =>
        n instanceof HTMLLIElement && !n.classList.contains("message--pending"),
    );
    for (const p of this.#pending.values()) nodes.push(p.item);
    this.#place(nodes);
    if (this.#stick) this.scrollToEnd();
  }

  setOlder(state: OlderState, note = ""): void {
    const was = this.#older;
    this.#older = state;
    // Notes older than the loaded messages show once the start is loaded.
    if ((was === "start") !== (state === "start") && this.#notes.length > 0) {
      this.set(this.#messages);
    }
    this.#olderButton.hidden = state === "start" || state === "loading";
    this.#olderButton.textContent = state === "error" ? "Try again" : "Show older messages";
    this.#olderNote.textContent =
      note ||
      (state === "loading"
        ? "Loading older messages…"
        : state === "start" && this.#messages.length > 0
          ? "Start of the conversation"
          : "");
  }

  scrollToEnd(): void {
    this.element.scrollTop = this.element.scrollHeight;
    this.#lastTop = this.element.scrollTop;
    this.#stick = true;
  }

  /** Scrolls a message into view and marks it for a moment; false if it is not loaded. */
  reveal(id: string): boolean {
    const row = this.#rows.get(id);
    if (!row) return false;
    this.#stick = false;
    row.item.scrollIntoView({ block: "center" });
    this.#lastTop = this.element.scrollTop;
    row.item.classList.add("message--found");
    row.item.setAttribute("tabindex", "-1");
    row.item.focus({ preventScroll: true });
    setTimeout(() => row.item.classList.remove("message--found"), 2_500);
    return true;
  }

  #day(key: string, at: number): HTMLLIElement {
    let node = this.#days.get(key);
    if (!node) {
      node = h(
        "li",
        { class: "day" },
        h("time", { class: "day__label", datetime: key }, dayLabel(at)),
      );
      this.#days.set(key, node);
    }
    return node;
  }

  /** Puts `nodes` in this order with as few moves as possible (a moved player would stop). */
  #place(nodes: HTMLLIElement[]): void {
    const wanted = new Set<Node>(nodes);
    for (const child of [...this.#list.children]) if (!wanted.has(child)) child.remove();
    nodes.forEach((node, index) => {
      const at = this.#list.children[index];
      if (at !== node) this.#list.insertBefore(node, at ?? null);
    });
  }

  #scrolled(): void {
    const { scrollHeight, scrollTop, clientHeight } = this.element;
    const atEnd = scrollHeight - scrollTop - clientHeight < STICK_PX;
    // Only the reader scrolling up lets go of the end; content growing below does not.
    if (atEnd) this.#stick = true;
    else if (scrollTop < this.#lastTop - 1) this.#stick = false;
    this.#lastTop = scrollTop;
    if (scrollTop < OLDER_PX && this.#older === "more") this.#deps.onOlder();
  }
}
