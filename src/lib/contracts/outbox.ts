/** What crosses into and out of a chat's Outbox object. */
import type { BrowserMessage } from "./api.ts";
import type { Failure } from "./result.ts";

export type OutboxKind = "text" | "media" | "reaction";

export interface OutboxRequest {
  clientId: string;
  jid: string;
  /** The user or agent who asked. */
  sender: string;
  kind: OutboxKind;
  /** Text, caption or reaction. */
  body: string | null;
  /** The message replied to (text, media) or reacted to (reaction): its stored id. */
  target: string | null;
  media?: { mimetype: string; filename: string; data: ArrayBuffer };
}

export type OutboxAnswer =
  /** `message`: as stored; null when the store does not hold it. */
  | { status: "sent"; clientId: string; id: string | null; message?: BrowserMessage | null }
  | { status: "queued"; clientId: string }
  | { status: "failed"; clientId: string; failure: Failure };

/** An entry as `GET /api/wa/outbox` lists it. */
export interface OutboxEntry {
  clientId: string;
  jid: string;
  sender: string;
  kind: OutboxKind;
  body: string | null;
  status: "queued" | "sending" | "sent" | "failed";
  attempts: number;
  error: string | null;
  messageId: string | null;
  createdAt: string;
  updatedAt: string;
}
