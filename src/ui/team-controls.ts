/**
 * The open conversation's team controls: its status (Resolve or Reopen in one click or with
 * Alt+R, Pending, Snooze), its labels, and staff's private notes (loaded with the chat,
 * added from a box of their own that Note opens, never the send box). Our own change goes
 * into the state as soon as the gateway answers; everyone else's comes as a frame.
 */
import type { ApiClient } from "../client/api-client.ts";
import type { InboxAction, InboxState } from "../client/inbox-state.ts";
import type { Store } from "../client/store.ts";
import { addChatNote, chatNotes, setChatLabels, setChatStatus } from "../client/team-api.ts";
import { parseLabels, STATUS_NAMES } from "../client/team-filter.ts";
import type { Chat, ChatNote, ChatStatus, RealtimeEvent } from "../client/types.ts";
import { h } from "./dom.ts";
import { describeError, formatTime } from "./format.ts";

export interface TeamDeps {
  api: ApiClient;
  store: Store<InboxState, InboxAction>;
  /** The chat's notes changed (loaded, added, announced). */
  onNotes: (notes: readonly ChatNote[]) => void;
}

/** How long "Snooze" sets a chat aside: until this hour tomorrow, local time. */
const SNOOZE_HOUR = 9;

/** Alt+R: resolve the open chat, or reopen it. */
export const RESOLVE_SHORTCUT = "Alt+R";

export class TeamControls {
  readonly element: HTMLElement;
  /** The private-note box, placed above the send box. */
  readonly noteForm: HTMLFormElement;
  readonly #deps: TeamDeps;
  readonly #badge = h("span", { class: "status", role: "status" });
  readonly #resolve = h("button", {
    type: "button",
    class: "team__resolve",
    "aria-keyshortcuts": RESOLVE_SHORTCUT,
    title: `Resolve or reopen (${RESOLVE_SHORTCUT})`,
  });
  readonly #more = h(
    "select",
    { id: "status-select", name: "status", "aria-label": "Set status" },
    h("option", { value: "" }, "Set status…"),
    h("option", { value: "open" }, "Open"),
    h("option", { value: "pending" }, "Pending"),
    h("option", { value: "snoozed" }, `Snooze until tomorrow ${SNOOZE_HOUR}:00`),
  );
  readonly #labels = h("input", {
    id: "labels-input",
    name: "labels",
    autocomplete: "off",
    placeholder: "vip, billing",
  });
  readonly #message = h("span", { class: "team__message", role: "status" });
  /** Opens the note box, which stays out of the way (and off the messages' room) until asked. */
  readonly #noteToggle = h("button", {
    type: "button",
    class: "team__note",
    "aria-expanded": "false",
    "aria-controls": "note-form",
  });
  readonly #noteInput = h("input", {
    id: "note-input",
    name: "note",
    autocomplete: "off",
    placeholder: "Only your team sees this",
    maxlength: "4000",
  });
  #chat: Chat | undefined;
  #notes: ChatNote[] = [];
  #generation = 0;

  constructor(deps: TeamDeps) {
    this.#deps = deps;
    this.#resolve.addEventListener("click", () => void this.toggleResolved());
    this.#more.addEventListener("change", () => {
      const value = this.#more.value as ChatStatus | "";
      this.#more.value = "";
      if (value) void this.#setStatus(value);
    });
    const labelsForm = h(
      "form",
      {
        class: "team__labels",
        onsubmit: (e) => {
          e.preventDefault();
          void this.#saveLabels();
        },
      },
      h("label", { for: "labels-input" }, "Labels"),
      this.#labels,
      h("button", { type: "submit" }, "Save labels"),
    );
    this.element = h(
      "div",
      { class: "team" },
      this.#badge,
      this.#resolve,
      this.#more,
      labelsForm,
      this.#noteToggle,
      this.#message,
    );
    this.#noteToggle.textContent = "Note";
    this.#noteToggle.addEventListener("click", () =>
      this.#showNoteForm(this.#noteToggle.getAttribute("aria-expanded") !== "true"),
    );
    this.noteForm = h(
      "form",
      {
        id: "note-form",
        class: "note-form",
        onkeydown: (e) => {
          if (e instanceof KeyboardEvent && e.key === "Escape") {
            this.#showNoteForm(false);
            this.#noteToggle.focus();
          }
        },
        onsubmit: (e) => {
          e.preventDefault();
          void this.#addNote();
        },
      },
      h("label", { for: "note-input" }, "Private note"),
      this.#noteInput,
      h("button", { type: "submit" }, "Add note"),
    );
    document.addEventListener("keydown", (event) => {
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyR") {
        if (!this.#chat) return;
        event.preventDefault();
        void this.toggleResolved();
      }
    });
    this.open(undefined);
  }

  /** A chat was opened (or none): its notes are read. */
  open(chat: Chat | undefined): void {
    this.#chat = chat;
    this.#generation += 1;
    this.#notes = [];
    this.#message.textContent = "";
    this.#noteInput.value = "";
    this.element.hidden = chat === undefined;
    this.#showNoteForm(false);
    if (chat) {
      this.#labels.value = chat.labels.join(", ");
      this.update(chat);
      this.reloadNotes();
    }
  }

  /** The chat changed in the state (a frame, our own change). */
  update(chat: Chat): void {
    if (chat.id !== this.#chat?.id) return;
    const labelsBefore = this.#chat.labels.join(", ");
    this.#chat = chat;
    const snoozed = chat.status === "snoozed" && chat.snoozeUntil;
    this.#badge.className = `status status--${chat.status}`;
    this.#badge.dataset.status = chat.status;
    this.#badge.textContent = snoozed
      ? `Snoozed until ${formatTime(Date.parse(chat.snoozeUntil ?? ""))}`
      : STATUS_NAMES[chat.status];
    this.#resolve.textContent = chat.status === "resolved" ? "Reopen" : "Resolve";
    // Someone else's labels replace the field unless the reader is typing in it.
    if (document.activeElement !== this.#labels || this.#labels.value === labelsBefore) {
      this.#labels.value = chat.labels.join(", ");
    }
  }

  /** Reads the open chat's notes again (opened, live updates resumed). */
  reloadNotes(): void {
    const chat = this.#chat;
    if (!chat) return;
    const generation = this.#generation;
    chatNotes(this.#deps.api, chat).then(
      (notes) => {
        if (generation !== this.#generation) return;
        this.#notes = notes;
        this.#deps.onNotes(this.#notes);
      },
      (error: unknown) => {
        if (generation === this.#generation)
          this.#message.textContent = `Could not load notes: ${describeError(error)}`;
      },
    );
  }

  #showNoteForm(show: boolean): void {
    this.noteForm.hidden = !show;
    this.#noteToggle.setAttribute("aria-expanded", String(show));
    if (show) this.#noteInput.focus();
  }

  /** A note came (a frame, or our own answer): added once. */
  noteArrived(number: string, jid: string, note: ChatNote): void {
    const chat = this.#chat;
    if (jid !== chat?.id || (chat.number !== "" && number !== chat.number)) return;
    if (this.#notes.some((n) => n.id === note.id)) return;
    this.#notes = [...this.#notes, note];
    this.#deps.onNotes(this.#notes);
  }

  /** Resolve an unresolved chat, reopen a resolved one. */
  async toggleResolved(): Promise<void> {
    const chat = this.#chat;
    if (!chat) return;
    await this.#setStatus(chat.status === "resolved" ? "open" : "resolved");
  }

  async #setStatus(status: ChatStatus): Promise<void> {
    const chat = this.#chat;
    if (!chat) return;
    let snoozeUntil: string | undefined;
    if (status === "snoozed") {
      const until = new Date();
      until.setDate(until.getDate() + 1);
      until.setHours(SNOOZE_HOUR, 0, 0, 0);
      snoozeUntil = until.toISOString();
    }
    this.#message.textContent = "Saving…";
    try {
      const answer = await setChatStatus(this.#deps.api, chat, status, snoozeUntil);
      this.#apply({
        type: "chat.status",
        jid: answer.jid,
        number: answer.number,
        status: answer.status,
        ...(answer.snoozeUntil ? { snoozeUntil: answer.snoozeUntil } : {}),
      });
      this.#message.textContent = `Marked ${STATUS_NAMES[answer.status].toLowerCase()}`;
    } catch (error) {
      this.#message.textContent = `Status not changed: ${describeError(error)}`;
    }
  }

  async #saveLabels(): Promise<void> {
    const chat = this.#chat;
    if (!chat) return;
    this.#message.textContent = "Saving…";
    try {
      const answer = await setChatLabels(this.#deps.api, chat, parseLabels(this.#labels.value));
      const { labels } = answer;
      this.#apply({ type: "chat.labels", jid: answer.jid, number: answer.number, labels });
      this.#labels.value = labels.join(", ");
      this.#message.textContent = "Labels saved";
    } catch (error) {
      this.#message.textContent = `Labels not saved: ${describeError(error)}`;
    }
  }

  async #addNote(): Promise<void> {
    const chat = this.#chat;
    const text = this.#noteInput.value.trim();
    if (!chat || !text) return;
    try {
      const note = await addChatNote(this.#deps.api, chat, text);
      if (this.#noteInput.value.trim() === text) this.#noteInput.value = "";
      this.noteArrived(chat.number, chat.id, note);
    } catch (error) {
      this.#message.textContent = `Note not added: ${describeError(error)}`;
    }
  }

  /** Our own change, into the state at once (no seq: a later frame is applied over it). */
  #apply(event: RealtimeEvent): void {
    const number = this.#chat?.number ?? "";
    this.#deps.store.dispatch({
      type: "frame",
      event,
      number,
      seq: undefined,
      now: Date.now(),
      visible: true,
    });
  }
}
