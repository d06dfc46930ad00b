/** The realtime frames the gateway sends (SPEC.md, "Realtime events"), checked as they arrive. */
import type { ChatNote, ChatStatus } from "../lib/contracts/api.ts";
import type { Message, RealtimeEvent } from "./types.ts";

export type { RealtimeEvent } from "./types.ts";

/** A frame and its `seq` (every frame but `pong` carries one). */
export interface RealtimeFrame {
  event: RealtimeEvent;
  seq: number | undefined;
}

/** Parses one text frame; anything malformed or of an unknown type gives undefined. */
export function parseRealtimeFrame(text: string): RealtimeFrame | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof frame !== "object" || frame === null) return undefined;
  const f = frame as Record<string, unknown>;
  const event = eventOf(f);
  if (!event) return undefined;
  return { event, seq: isNumber(f.seq) ? f.seq : undefined };
}

/** The event of one text frame, without its seq. */
export function parseRealtimeEvent(text: string): RealtimeEvent | undefined {
  return parseRealtimeFrame(text)?.event;
}

function eventOf(f: Record<string, unknown>): RealtimeEvent | undefined {
  switch (f.type) {
    case "message.new":
      return isString(f.jid) && isMessage(f.message)
        ? { type: f.type, jid: f.jid, message: f.message }
        : undefined;
    case "message.status":
      return isString(f.jid) && isString(f.id) && isString(f.status)
        ? { type: f.type, jid: f.jid, id: f.id, status: f.status }
        : undefined;
    case "session.status":
      return isString(f.status) ? { type: f.type, status: f.status } : undefined;
    case "session.silent":
      if (typeof f.silent !== "boolean") return undefined;
      return {
        type: f.type,
        silent: f.silent,
        ...(isString(f.since) ? { since: f.since } : {}),
        ...(isString(f.reason) ? { reason: f.reason } : {}),
      };
    case "chat.assigned":
      return isString(f.jid) && (isString(f.agentId) || f.agentId === null)
        ? { type: f.type, jid: f.jid, agentId: f.agentId }
        : undefined;
    case "message.revoked":
      return isString(f.jid) && isString(f.id) ? { type: f.type, jid: f.jid, id: f.id } : undefined;
    case "message.edited":
      return isString(f.jid) && isString(f.id) && isString(f.body)
        ? { type: f.type, jid: f.jid, id: f.id, body: f.body }
        : undefined;
    case "message.reaction":
      return isString(f.jid) && isString(f.id) && isString(f.reaction) && isString(f.from)
        ? { type: f.type, jid: f.jid, id: f.id, reaction: f.reaction, from: f.from }
        : undefined;
    case "upstream.status":
      if (f.state !== "up" && f.state !== "down") return undefined;
      return isString(f.retryAt)
        ? { type: f.type, state: f.state, retryAt: f.retryAt }
        : { type: f.type, state: f.state };
    case "outbox.status": {
      if (!isString(f.clientId) || !isString(f.jid)) return undefined;
      if (f.status !== "queued" && f.status !== "sent" && f.status !== "failed") return undefined;
      return {
        type: f.type,
        clientId: f.clientId,
        jid: f.jid,
        status: f.status,
        ...(isString(f.id) ? { id: f.id } : {}),
        ...(isString(f.error) ? { error: f.error } : {}),
      };
    }
    case "chat.status":
      if (!isString(f.jid) || !isString(f.number) || !isChatStatus(f.status)) return undefined;
      return {
        type: f.type,
        jid: f.jid,
        number: f.number,
        status: f.status,
        ...(isString(f.snoozeUntil) ? { snoozeUntil: f.snoozeUntil } : {}),
      };
    case "chat.labels":
      return isString(f.jid) && isString(f.number) && isStringArray(f.labels)
        ? { type: f.type, jid: f.jid, number: f.number, labels: f.labels }
        : undefined;
    case "note.new":
      return isString(f.jid) && isString(f.number) && isNote(f.note)
        ? { type: f.type, jid: f.jid, number: f.number, note: f.note }
        : undefined;
    case "resync":
      return { type: f.type, seq: isNumber(f.seq) ? f.seq : 0 };
    default:
      return undefined;
  }
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isMessage(value: unknown): value is Message {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Record<string, unknown>;
  return isString(m.id) && isNumber(m.timestamp) && typeof m.fromMe === "boolean";
}

const STATUSES: readonly string[] = ["open", "pending", "resolved", "snoozed"];

function isChatStatus(value: unknown): value is ChatStatus {
  return typeof value === "string" && STATUSES.includes(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

function isNote(value: unknown): value is ChatNote {
  if (typeof value !== "object" || value === null) return false;
  const n = value as Record<string, unknown>;
  return isNumber(n.id) && isString(n.text) && isString(n.author) && isString(n.createdAt);
}
