/**
 * Getting an agent's attention: the number of unread chats in the page title, and a
 * desktop notification for a new message in one of their own chats while they look
 * elsewhere (another tab, another chat), and word of a chat newly assigned to them: on the
 * page (always) and on the desktop (when allowed). Clicking either opens the chat.
 */
import { titleWithUnread } from "../client/chat-filter.ts";
import { h, replaceChildren } from "./dom.ts";

/** How long the page's word of an assignment stays. */
const TOAST_MS = 12_000;

export class Notifier {
  readonly #title: string;
  readonly #onOpen: (jid: string) => void;
  /** The page's own notice, read out by screen readers. */
  readonly toast = h("div", { class: "toast", role: "status", "aria-live": "polite" });
  #toastTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(title: string, onOpen: (jid: string) => void) {
    this.#title = title;
    this.#onOpen = onOpen;
  }

  /** Whether asking for permission still makes sense (the browser has not been asked). */
  get canAsk(): boolean {
    return typeof Notification !== "undefined" && Notification.permission === "default";
  }

  async ask(): Promise<void> {
    if (typeof Notification === "undefined") return;
    await Notification.requestPermission();
  }

  setUnread(count: number): void {
    document.title = titleWithUnread(this.#title, count);
  }

  notify(jid: string, chatName: string, text: string): void {
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const notification = new Notification(chatName, { body: text, tag: jid });
    notification.addEventListener("click", () => {
      window.focus();
      this.#onOpen(jid);
      notification.close();
    });
  }

  /** A chat (`ref`, as the page names it) was just assigned to this agent by someone else. */
  assigned(ref: string, chatName: string): void {
    const text = `${chatName} was assigned to you`;
    clearTimeout(this.#toastTimer);
    replaceChildren(
      this.toast,
      h(
        "button",
        {
          type: "button",
          class: "toast__open",
          onclick: () => {
            replaceChildren(this.toast);
            this.#onOpen(ref);
          },
        },
        text,
      ),
    );
    this.#toastTimer = setTimeout(() => replaceChildren(this.toast), TOAST_MS);
    this.notify(ref, "New chat assigned to you", chatName);
  }
}
