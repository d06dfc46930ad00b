/**
 * Own messages on their way: sending (the request is out), queued (the gateway's outbox
 * holds it until WAHA takes it, or, not `inOutbox`, the page holds it until the gateway
 * answers), failed (with the reason; retried through the outbox, or sent again under the
 * same clientId, which the gateway never sends twice). A send leaves the tracker once WAHA
 * took it: from then on it is a message with acks like any other. Texts the page still has
 * to send are kept in the browser's storage, so a reload sends them. The sends themselves
 * may live elsewhere (the inbox's store): each change is a new map of new objects.
 */
import type { OutboxEntry, RealtimeEvent, SendAnswer } from "./types.ts";
import type { UnsentStore } from "./unsent-store.ts";

export type PendingState = "sending" | "queued" | "failed";

export interface PendingSend {
  clientId: string;
  jid: string;
  /** The number the chat is on, and the send goes through ("": the gateway's only one). */
  number: string;
  kind: "text" | "media";
  /** The text, or a file's caption. */
  body: string | null;
  replyTo: { id: string; body: string | null; fromMe: boolean } | null;
  file: { name: string; type: string; blob: Blob | undefined } | null;
  state: PendingState;
  error: string | undefined;
  /** ms since the epoch. */
  createdAt: number;
  /** The gateway's outbox has it, so a retry goes through the outbox. */
  inOutbox: boolean;
}

/** Still the page's to send: on its way, or waiting for the gateway to answer. */
function pageStillSends(p: PendingSend): boolean {
  return !p.inOutbox && (p.state === "sending" || p.state === "queued");
}

/** Where the sends are held; the tracker never changes a map or a send it handed out. */
export interface SendsCell {
  get(): ReadonlyMap<string, PendingSend>;
  set(sends: ReadonlyMap<string, PendingSend>): void;
}

/** A cell of the tracker's own, for a page without a store (and tests). */
function ownCell(): SendsCell {
  let sends: ReadonlyMap<string, PendingSend> = new Map();
  return {
    get: () => sends,
    set: (next) => {
      sends = next;
    },
  };
}

export interface SendTrackerOptions {
  /** Something about this chat's pending sends changed (a page with a store hears it there). */
  onChange?: (jid: string) => void;
  /** WAHA took it: the message `id` (null when WAHA named none) replaces the pending one. */
  onSent: (pending: PendingSend, id: string | null) => void;
  /** Where the texts the page still has to send outlive it. */
  store?: UnsentStore;
  /** Where the sends are held (default: in the tracker). */
  cell?: SendsCell;
}

/** A clientId the gateway accepts (8–64 of A–Z a–z 0–9 _ -). */
export function newClientId(random: () => string = () => crypto.randomUUID()): string {
  return random().replace(/[^A-Za-z0-9_-]/g, "");
}

export class SendTracker {
  readonly #options: SendTrackerOptions;
  readonly #cell: SendsCell;

  constructor(options: SendTrackerOptions) {
    this.#options = options;
    this.#cell = options.cell ?? ownCell();
  }

  forChat(jid: string, number = ""): PendingSend[] {
    return sendsOf(this.#cell.get(), jid, number);
  }

  get(clientId: string): PendingSend | undefined {
    return this.#cell.get().get(clientId);
  }

  get size(): number {
    return this.#cell.get().size;
  }

  /** A send the page just made. */
  add(
    send: Omit<PendingSend, "state" | "error" | "inOutbox" | "number"> & { number?: string },
  ): PendingSend {
    const pending: PendingSend = {
      ...send,
      number: send.number ?? "",
      state: "sending",
      error: undefined,
      inOutbox: false,
    };
    this.#put(pending);
    this.#keep(pending);
    this.#options.onChange?.(send.jid);
    return pending;
  }

  /** The texts a page before this one could not send, queued again, oldest first. */
  restore(): PendingSend[] {
    const restored: PendingSend[] = [];
    for (const text of this.#options.store?.list() ?? []) {
      if (this.get(text.clientId)) continue;
      const { clientId, jid, body, replyTo, createdAt } = text;
      const pending: PendingSend = {
        clientId,
        jid,
        number: text.number ?? "",
        body,
        replyTo,
        createdAt,
        kind: "text",
        file: null,
        state: "queued",
        error: undefined,
        inOutbox: false,
      };
      this.#put(pending);
      restored.push(pending);
      this.#options.onChange?.(text.jid);
    }
    return restored.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The gateway did not answer it (or one before it in its chat): the page sends it later. */
  waiting(clientId: string): void {
    const pending = this.get(clientId);
    if (pending && !pending.inOutbox) this.#update(pending, { state: "queued", error: undefined });
  }

  /** The gateway's answer to a send or a retry. */
  answered(clientId: string, answer: SendAnswer): void {
    const pending = this.get(clientId);
    if (!pending) return;
    if (answer.status === "sent") {
      this.#sent(pending, answer.id);
      return;
    }
    this.#update(pending, { state: "queued", error: undefined, inOutbox: true });
  }

  /** The send (or retry) was refused or never answered. */
  failed(clientId: string, reason: string, inOutbox: boolean): void {
    const pending = this.get(clientId);
    if (!pending) return;
    this.#update(pending, {
      state: "failed",
      error: reason,
      inOutbox: pending.inOutbox || inOutbox,
    });
  }

  /** A retry is on its way. */
  retrying(clientId: string): void {
    const pending = this.get(clientId);
    if (pending) this.#update(pending, { state: "sending", error: undefined });
  }

  /** What the gateway's outbox lists (on load, after a reconnect). */
  fromOutbox(entries: readonly OutboxEntry[], now: number): void {
    const listed = new Set<string>();
    for (const entry of entries) {
      if (entry.kind === "reaction" || entry.status === "sent") continue;
      listed.add(entry.clientId);
      const state: PendingState = entry.status === "failed" ? "failed" : "queued";
      const error = entry.status === "failed" ? (entry.error ?? "WAHA refused it") : undefined;
      const known = this.get(entry.clientId);
      if (known) {
        if (known.state !== "sending") this.#update(known, { state, error, inOutbox: true });
        continue;
      }
      const createdAt = Date.parse(entry.createdAt);
      const pending: PendingSend = {
        clientId: entry.clientId,
        jid: entry.jid,
        number: entry.number ?? "",
        kind: entry.kind,
        body: entry.body,
        replyTo: null,
        file: entry.kind === "media" ? { name: "file", type: "", blob: undefined } : null,
        state,
        error,
        createdAt: Number.isNaN(createdAt) ? now : createdAt,
        inOutbox: true,
      };
      this.#put(pending);
      this.#options.onChange?.(entry.jid);
    }
    // Outbox entries it no longer lists were sent meanwhile; the chat's list shows them.
    for (const pending of this.#cell.get().values()) {
      if (pending.inOutbox && pending.state !== "sending" && !listed.has(pending.clientId)) {
        this.#drop(pending.clientId);
        this.#options.onChange?.(pending.jid);
      }
    }
  }

  /** An `outbox.status` frame; answers whether it was about a tracked send. */
  fromEvent(event: Extract<RealtimeEvent, { type: "outbox.status" }>): boolean {
    const pending = this.get(event.clientId);
    if (!pending) return false;
    switch (event.status) {
      case "sent":
        this.#sent(pending, event.id ?? null);
        break;
      case "queued":
        this.#update(pending, { state: "queued", error: undefined, inOutbox: true });
        break;
      case "failed":
        this.#update(pending, {
          state: "failed",
          error: event.error ?? "WAHA refused it",
          inOutbox: true,
        });
        break;
    }
    return true;
  }

  /**
   * Our message arrived live before the answer that it was sent (the gateway announces a
   * send at once): the oldest send of that chat with the same text is that message. One
   * waiting for the gateway is left to its resend, whose answer says for sure: taking
   * someone else's same words for it would lose it.
   */
  claim(jid: string, body: string | null, id: string, number = ""): PendingSend | undefined {
    const pending = this.forChat(jid, number).find(
      (p) =>
        p.state !== "failed" &&
        !(p.state === "queued" && !p.inOutbox) &&
        (p.body ?? null) === (body ?? null),
    );
    if (pending) this.#sent(pending, id);
    return pending;
  }

  /** Forgets a send (signed out, or the chat went away). */
  remove(clientId: string): void {
    const pending = this.get(clientId);
    if (!pending) return;
    this.#drop(clientId);
    this.#options.store?.delete(clientId);
    this.#options.onChange?.(pending.jid);
  }

  #sent(pending: PendingSend, id: string | null): void {
    this.#drop(pending.clientId);
    this.#options.store?.delete(pending.clientId);
    this.#options.onSent(pending, id);
    this.#options.onChange?.(pending.jid);
  }

  #update(pending: PendingSend, change: Partial<PendingSend>): void {
    const next = { ...pending, ...change };
    this.#put(next);
    this.#keep(next);
    this.#options.onChange?.(next.jid);
  }

  #put(pending: PendingSend): void {
    this.#cell.set(new Map(this.#cell.get()).set(pending.clientId, pending));
  }

  #drop(clientId: string): void {
    const next = new Map(this.#cell.get());
    next.delete(clientId);
    this.#cell.set(next);
  }

  /** Texts stay in storage while they are the page's to send, and not a moment longer. */
  #keep(p: PendingSend): void {
    const store = this.#options.store;
    if (!store || p.kind !== "text") return;
    if (!pageStillSends(p)) {
      store.delete(p.clientId);
      return;
    }
    const { clientId, jid, number, body, replyTo, createdAt } = p;
    store.put({ clientId, jid, ...(number ? { number } : {}), body, replyTo, createdAt });
  }
}

/** A chat's sends on their way, oldest first. */
export function sendsOf(
  sends: ReadonlyMap<string, PendingSend>,
  jid: string,
  number = "",
): PendingSend[] {
  return [...sends.values()]
    .filter((p) => p.jid === jid && p.number === number)
    .sort((a, b) => a.createdAt - b.createdAt);
}
