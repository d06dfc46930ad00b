/**
 * Texts the gateway has not answered yet, kept in the browser's storage per user: a reload,
 * a crash or a closed tab does not lose them, and the next page of that user sends them
 * under their own clientIds (the gateway never sends one twice). Files stay in memory
 * only: storage holds a few MB of text, not uploads.
 */
export interface UnsentText {
  clientId: string;
  jid: string;
  /** The number the chat is on (absent in what older pages wrote: the only number). */
  number?: string;
  body: string | null;
  replyTo: { id: string; body: string | null; fromMe: boolean } | null;
  /** ms since the epoch. */
  createdAt: number;
}

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

/** The browser's localStorage, or nothing where the browser refuses it (some private modes). */
export function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export class UnsentStore {
  readonly #storage: Storage | undefined;
  readonly #key: string;

  /** `storage` undefined (storage turned off in the browser): nothing outlives the page. */
  constructor(storage: Storage | undefined, user: string) {
    this.#storage = storage;
    this.#key = `wa-edge.unsent.${user}`;
  }

  list(): UnsentText[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.#storage?.getItem(this.#key) ?? "[]");
    } catch {
      return [];
    }
    return Array.isArray(parsed) ? parsed.filter(isUnsentText) : [];
  }

  put(text: UnsentText): void {
    // Read again each time: another tab of the same user may have written since.
    const all = this.list();
    const at = all.findIndex((t) => t.clientId === text.clientId);
    if (at === -1) all.push(text);
    else all[at] = text;
    this.#write(all);
  }

  delete(clientId: string): void {
    const all = this.list();
    const rest = all.filter((t) => t.clientId !== clientId);
    if (rest.length !== all.length) this.#write(rest);
  }

  #write(texts: UnsentText[]): void {
    try {
      if (texts.length === 0) this.#storage?.removeItem(this.#key);
      else this.#storage?.setItem(this.#key, JSON.stringify(texts));
    } catch {
      // Storage full or refused: the sends still go while this page is open.
    }
  }
}

/** What this page wrote; anything else (an older page's shape, a hand edit) is skipped. */
function isUnsentText(value: unknown): value is UnsentText {
  const t = (value ?? {}) as Record<string, unknown>;
  return (
    typeof t.clientId === "string" &&
    typeof t.jid === "string" &&
    typeof t.createdAt === "number" &&
    typeof t.replyTo === "object" &&
    (typeof t.body === "string" || t.body === null)
  );
}
