/**
 * The send box: text (Enter sends, Shift+Enter is a new line), the message being replied
 * to, and a photo or document where WAHA Plus can send one (Core cannot: no attach button).
 */
import type { Message } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";

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
  readonly #chosen = h("div", { class: "composer__chosen", hidden: true });
  readonly #reply = h("div", { class: "composer__reply", hidden: true });
  readonly #error = h("p", { class: "composer__error", role: "alert" });
  readonly #onSend: (draft: Draft) => void;
  #replyTo: Message | undefined;
  #replyName = "";

  constructor(onSend: (draft: Draft) => void) {
    this.#onSend = onSend;
    this.#attach.setAttribute("aria-label", "Attach a photo or document");
    this.element = h(
      "form",
      { class: "composer", "aria-label": "Send a message", onsubmit: (e) => this.#submit(e) },
      this.#reply,
      this.#chosen,
      h("label", { for: "composer-text", class: "visually-hidden" }, "Message"),
      this.#attach,
      this.#input,
      this.#send,
      this.#file,
      this.#error,
    );
    this.#input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.element.requestSubmit();
      }
      if (event.key === "Escape" && this.#replyTo) this.setReply(undefined);
    });
    this.#attach.addEventListener("click", () => this.#file.click());
    this.#file.addEventListener("change", () => this.#showChosen());
  }

  /** On for an open chat, off without one. */
  setEnabled(enabled: boolean): void {
    this.#input.disabled = !enabled;
    this.#send.disabled = !enabled;
    this.#attach.disabled = !enabled;
    if (!enabled) this.clear();
  }

  /** Files only where WAHA can send them (Plus). */
  setAttachments(allowed: boolean): void {
    this.#attach.hidden = !allowed;
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
    const who = message.fromMe ? "yourself" : name;
    const text = message.body?.trim() || (message.hasMedia ? "a file" : "a message");
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

  clear(): void {
    this.#input.value = "";
    this.#file.value = "";
    this.#showChosen();
    this.setReply(undefined);
    this.#error.textContent = "";
  }

  get replyName(): string {
    return this.#replyName;
  }

  #showChosen(): void {
    const file = this.#file.files?.[0];
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
    this.clear();
    this.focus();
  }
}
