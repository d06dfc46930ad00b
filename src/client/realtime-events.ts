/** The realtime frames the gateway sends (SPEC.md, "Realtime events"), checked as they arrive. */
import type { Message, RealtimeEvent } from "./types.ts";

export type { RealtimeEvent } from "./types.ts";

/** Parses one text frame; anything malformed or of an unknown type gives undefined. */
export function parseRealtimeEvent(text: string): RealtimeEvent | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof frame !== "object" || frame === null) return undefined;
  const f = frame as Record<string, unknown>;
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
    case "chat.assigned":
      return isString(f.jid) && (isString(f.agentId) || f.agentId === null)
        ? { type: f.type, jid: f.jid, agentId: f.agentId }
        : undefined;
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
