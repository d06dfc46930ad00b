/**
 * Getting an agent's attention: the number of unread chats in the page title, and a
 * desktop notification for a new message in one of their own chats while they look
 * elsewhere (another tab, another chat). Clicking it opens the chat.
 */
import { titleWithUnread } from "../client/chat-filter.ts";

export class Notifier {
  readonly #title: string;
  readonly #onOpen: (jid: string) => void;

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
}
