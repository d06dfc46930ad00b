/**
 * The send box: text (Enter sends, Shift+Enter is a new line; Send is off while there is
 * nothing to send), a draft per chat that outlives switching chats and reloads, `/shortcut`
 * canned replies, an emoji grid, the message being replied to, and a photo or document
 * where WAHA Plus can send one (Core cannot: a note says so instead of an attach button).
 */
import type { DraftStore } from "../client/drafts.ts";
import { messagePreview } from "../client/message-preview.ts";
import type { CannedReply, Message } from "../client/types.ts";
import { CannedMenu } from "./canned-menu.ts";
import { h, replaceChildren } from "./dom.ts";
import { EmojiPicker } from "./emoji-picker.ts";
import { phoneOf } from "./format.ts";

export interface ComposerDeps {
  onSend: (draft: Draft) => void;
  drafts: DraftStore;
  cannedReplies: () => Promise<CannedReply[]>;
}

export interface Draft {
  text: string;
  file: File | undefined;
  replyTo: Message | undefined;
}

/** What the attach button offers: photos and the documents WhatsApp carries. */
const ACCEPT =
  "image/jpeg,image/png,image/webp,application/pdf,.doc,.docx,.xls,.xlsx,.txt,.csv,.zip";

export class Composer {
  readonly element: HTMLFormElement;
  readonly #input = h("textarea", {
    id: "composer-text",
    name: "text",
    rows: 2,
    placeholder: "Write a message",
    disabled: true,
  });
  readonly #send = h("button", { type: "submit", class: "composer__send", disabled: true }, "Send");
  readonly #file = h("input", {
    type: "file",
    id: "composer-file",
    accept: ACCEPT,
    hidden: true,
    tabindex: "-1",
  });
  readonly #attach = h(
    "button",
    { type: "button", class: "composer__attach", hidden: true, disabled: true },
    "Attach",
  );
  readonly #noFiles = h(
    "p",
    { class: "composer__hint", hidden: true },
    "Sending files needs WAHA Plus; this server runs WAHA Core.",
  );
  readonly #chosen = h("div", { class: "composer__chosen", hidden: true });
  readonly #reply = h("div", { class: "composer__reply", hidden: true });
  readonly #error = h("p", { class: "composer__error", role: "alert" });
  readonly #onSend: (draft: Draft) => void;
  readonly #drafts: DraftStore;
  readonly #canned: CannedMenu;
  readonly #emoji: EmojiPicker;
  #replyTo: Message | undefined;
  #replyName = "";
  /** The chat whose draft the text box holds. */
  #jid: string | undefined;

  constructor(deps: ComposerDeps) {
    this.#onSend = deps.onSend;
    this.#drafts = deps.drafts;
    this.#canned = new CannedMenu(this.#input, deps.cannedReplies, () => this.#typed());
    this.#emoji = new EmojiPicker((emoji) => this.#insert(emoji));
    this.#attach.setAttribute("aria-label", "Attach a photo or document");
    this.element = h(
      "form",
      { class: "composer", "aria-label": "Send a message", onsubmit: (e) => this.#submit(e) },
      this.#reply,
      this.#chosen,
      this.#canned.element,
      this.#emoji.panel,
      h("label", { for: "composer-text", class: "visually-hidden" }, "Message"),
      this.#attach,
      this.#emoji.toggle,
      this.#input,
      this.#send,
      this.#file,
      this.#canned.status,
      this.#noFiles,
      this.#error,
    );
    this.#input.addEventListener("input", () => this.#typed());
    this.#input.addEventListener("keydown", (event) => {
      if (this.#canned.handleKey(event)) return;
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.element.requestSubmit();
      }
      if (event.key === "Escape" && this.#replyTo) this.setReply(undefined);
    });
    this.#attach.addEventListener("click", () => this.#file.click());
    this.#file.addEventListener("change", () => this.#showChosen());
  }

  /** On for an open chat, off without one (its draft stays kept for when it comes back). */
  setEnabled(enabled: boolean): void {
    this.#input.disabled = !enabled;
    this.#attach.disabled = !enabled;
    this.#emoji.toggle.disabled = !enabled;
    if (!enabled) {
      this.#jid = undefined;
      this.clear();
    }
    this.#updateSend();
  }

  /** Sets the composer up for a chat: empty but for what was typed there and not sent. */
  open(jid: string): void {
    this.clear();
    this.#jid = jid;
    this.#input.value = this.#drafts.get(jid);
    this.#updateSend();
  }

  /** Files only where WAHA can send them (Plus); on Core a note says why there is no button. */
  setAttachments(allowed: boolean): void {
    this.#attach.hidden = !allowed;
    this.#noFiles.hidden = allowed;
    if (!allowed && this.#file.files?.length) {
      this.#file.value = "";
      this.#showChosen();
    }
  }

  setReply(message: Message | undefined, name = ""): void {
    this.#replyTo = message;
    this.#replyName = name;
    if (!message) {
      replaceChildren(this.#reply);
      this.#reply.hidden = true;
      return;
    }
    const who = message.fromMe
      ? "yourself"
      : message.participant
        ? phoneOf(message.participant)
        : name;
    const text = messagePreview(message) ?? "a message";
    replaceChildren(
      this.#reply,
      h(
        "p",
        { class: "composer__reply-text" },
        h("span", { class: "quote__who" }, `Replying to ${who}`),
        h("span", { class: "quote__text" }, text),
      ),
      h(
        "button",
        {
          type: "button",
          class: "composer__cancel",
          "aria-label": "Cancel the reply",
          onclick: () => {
            this.setReply(undefined);
            this.focus();
          },
        },
        "✕",
      ),
    );
    this.#reply.hidden = false;
    this.focus();
  }

  setError(message: string): void {
    this.#error.textContent = message;
  }

  focus(): void {
    this.#input.focus();
  }

  /** Empties the box (the chat's stored draft is left alone). */
  clear(): void {
    this.#input.value = "";
    this.#file.value = "";
    this.#showChosen();
    this.setReply(undefined);
    this.#canned.close();
    this.#emoji.close(false);
    this.#error.textContent = "";
    this.#updateSend();
  }

  get replyName(): string {
    return this.#replyName;
  }

  /** The text changed (typed, a canned reply, an emoji): kept as the chat's draft. */
  #typed(): void {
    if (this.#jid !== undefined) this.#drafts.set(this.#jid, this.#input.value);
    this.#updateSend();
  }

  #insert(text: string): void {
    const input = this.#input;
    input.focus();
    input.setRangeText(text, input.selectionStart, input.selectionEnd, "end");
    this.#typed();
  }

  /** Send is on only with something to send. */
  #updateSend(): void {
    const empty = this.#input.value.trim() === "" && !this.#file.files?.length;
    this.#send.disabled = this.#input.disabled || empty;
  }

  #showChosen(): void {
    const file = this.#file.files?.[0];
    this.#updateSend();
    if (!file) {
      replaceChildren(this.#chosen);
      this.#chosen.hidden = true;
      return;
    }
    replaceChildren(
      this.#chosen,
      h("span", { class: "composer__file" }, `📎 ${file.name} (${Math.ceil(file.size / 1024)} KB)`),
      h(
        "button",
        {
          type: "button",
          class: "composer__cancel",
          "aria-label": `Remove ${file.name}`,
          onclick: () => {
            this.#file.value = "";
            this.#showChosen();
            this.focus();
          },
        },
        "✕",
      ),
    );
    this.#chosen.hidden = false;
  }

  #submit(event: Event): void {
    event.preventDefault();
    const text = this.#input.value.trim();
    const file = this.#file.files?.[0];
    if (text === "" && !file) return;
    this.#onSend({ text, file, replyTo: this.#replyTo });
    if (this.#jid !== undefined) this.#drafts.set(this.#jid, "");
    this.clear();
    this.focus();
  }
}
