/**
 * Own messages on their way: sending (the request is out), queued (the gateway's outbox
 * holds it until WAHA takes it), failed (with the reason; retried through the outbox, or
 * sent again under the same clientId, which the gateway never sends twice). A send leaves
 * the tracker once WAHA took it: from then on it is a message with acks like any other.
 */
import type { OutboxEntry, RealtimeEvent, SendAnswer } from "./types.ts";

export type PendingState = "sending" | "queued" | "failed";

export interface PendingSend {
  clientId: string;
  jid: string;
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

export interface SendTrackerOptions {
  /** Something about this chat's pending sends changed. */
  onChange: (jid: string) => void;
  /** WAHA took it: the message `id` (null when WAHA named none) replaces the pending one. */
  onSent: (pending: PendingSend, id: string | null) => void;
}

/** A clientId the gateway accepts (8–64 of A–Z a–z 0–9 _ -). */
export function newClientId(random: () => string = () => crypto.randomUUID()): string {
  return random().replace(/[^A-Za-z0-9_-]/g, "");
}

export class SendTracker {
  readonly #options: SendTrackerOptions;
  readonly #pending = new Map<string, PendingSend>();

  constructor(options: SendTrackerOptions) {
    this.#options = options;
  }

  forChat(jid: string): PendingSend[] {
    return [...this.#pending.values()]
      .filter((p) => p.jid === jid)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  get(clientId: string): PendingSend | undefined {
    return this.#pending.get(clientId);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** A send the page just made. */
  add(send: Omit<PendingSend, "state" | "error" | "inOutbox">): PendingSend {
    const pending: PendingSend = { ...send, state: "sending", error: undefined, inOutbox: false };
    this.#pending.set(send.clientId, pending);
    this.#options.onChange(send.jid);
    return pending;
  }

  /** The gateway's answer to a send or a retry. */
  answered(clientId: string, answer: SendAnswer): void {
    const pending = this.#pending.get(clientId);
    if (!pending) return;
    if (answer.status === "sent") {
      this.#sent(pending, answer.id);
      return;
    }
    this.#update(pending, { state: "queued", error: undefined, inOutbox: true });
  }

  /** The send (or retry) was refused or never answered. */
  failed(clientId: string, reason: string, inOutbox: boolean): void {
    const pending = this.#pending.get(clientId);
    if (!pending) return;
    this.#update(pending, {
      state: "failed",
      error: reason,
      inOutbox: pending.inOutbox || inOutbox,
    });
  }

  /** A retry is on its way. */
  retrying(clientId: string): void {
    const pending = this.#pending.get(clientId);
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
      const known = this.#pending.get(entry.clientId);
      if (known) {
        if (known.state !== "sending") this.#update(known, { state, error, inOutbox: true });
        continue;
      }
      const createdAt = Date.parse(entry.createdAt);
      const pending: PendingSend = {
        clientId: entry.clientId,
        jid: entry.jid,
        kind: entry.kind,
        body: entry.body,
        replyTo: null,
        file: entry.kind === "media" ? { name: "file", type: "", blob: undefined } : null,
        state,
        error,
        createdAt: Number.isNaN(createdAt) ? now : createdAt,
        inOutbox: true,
      };
      this.#pending.set(entry.clientId, pending);
      this.#options.onChange(entry.jid);
    }
    // Outbox entries it no longer lists were sent meanwhile; the chat's list shows them.
    for (const pending of [...this.#pending.values()]) {
      if (pending.inOutbox && pending.state !== "sending" && !listed.has(pending.clientId)) {
        this.#pending.delete(pending.clientId);
        this.#options.onChange(pending.jid);
      }
    }
  }

  /** An `outbox.status` frame; answers whether it was about a tracked send. */
  fromEvent(event: Extract<RealtimeEvent, { type: "outbox.status" }>): boolean {
    const pending = this.#pending.get(event.clientId);
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
   * send at once): the oldest send of that chat with the same text is that message.
   */
  claim(jid: string, body: string | null, id: string): PendingSend | undefined {
    const pending = this.forChat(jid).find(
      (p) => p.state !== "failed" && (p.body ?? null) === (body ?? null),
    );
    if (pending) this.#sent(pending, id);
    return pending;
  }

  /** Forgets a send (signed out, or the chat went away). */
  remove(clientId: string): void {
    const pending = this.#pending.get(clientId);
    if (!pending) return;
    this.#pending.delete(clientId);
    this.#options.onChange(pending.jid);
  }

  #sent(pending: PendingSend, id: string | null): void {
    this.#pending.delete(pending.clientId);
    this.#options.onSent(pending, id);
    this.#options.onChange(pending.jid);
  }

  #update(pending: PendingSend, change: Partial<PendingSend>): void {
    Object.assign(pending, change);
    this.#options.onChange(pending.jid);
  }
}
