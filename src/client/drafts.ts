/**
 * What was typed in a chat and not sent, per user and chat, in the browser's storage:
 * it comes back after switching chats, a reload, or the chat going away and coming back.
 */
type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

export class DraftStore {
  readonly #storage: Storage | undefined;
  readonly #prefix: string;
  /** Without storage (refused by the browser) drafts still survive switching chats. */
  readonly #memory = new Map<string, string>();

  constructor(storage: Storage | undefined, user: string) {
    this.#storage = storage;
    this.#prefix = `wa-edge.draft.${user}.`;
  }

  get(jid: string): string {
    try {
      return this.#storage?.getItem(this.#prefix + jid) ?? this.#memory.get(jid) ?? "";
    } catch {
      return this.#memory.get(jid) ?? "";
    }
  }

  /** Blank text removes the draft. */
  set(jid: string, text: string): void {
    const blank = text.trim() === "";
    if (blank) this.#memory.delete(jid);
    else this.#memory.set(jid, text);
    try {
      if (blank) this.#storage?.removeItem(this.#prefix + jid);
      else this.#storage?.setItem(this.#prefix + jid, text);
    } catch {
      // Storage full or refused: the draft lives in memory for this page.
    }
  }
}
