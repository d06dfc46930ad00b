/**
 * A WAHA message as the store keeps it, whatever the engine: canonical ids, the chat from
 * the id, media kind and name from WAHA's `media` or, with `downloadMedia=false`, from the
 * engine record in `_data` (WEBJS `mimetype`, Baileys `imageMessage.mimetype`, whatsmeow
 * `ImageMessage.mimetype`…), the quoted message's key. Text and metadata only.
 */
import {
  canonicalJid,
  canonicalMessageId,
  chatOfMessage,
  keyOfMessageId,
  parseMessageId,
} from "../ids/jids.ts";
import type { WahaMessage } from "../waha/wire.ts";
import { kindOf, type MessageExtra, type MessageKind } from "./message-kinds.ts";

export interface StoredMessage {
  jid: string;
  id: string;
  wahaId: string;
  key: string;
  /** Seconds. */
  ts: number;
  fromMe: boolean;
  sender: string | null;
  body: string | null;
  hasMedia: boolean;
  mediaMimetype: string | null;
  mediaName: string | null;
  ack: number | null;
  /** Key of the quoted message. */
  replyTo: string | null;
  /** The sender's push name as the engine's record carried it (others' messages only). */
  senderName: string | null;
  /** A location, contact card, sticker or call; null for text and other media. */
  kind?: MessageKind | null;
  extra?: MessageExtra | null;
}

const BODY_MAX = 8_192;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first object below `value` (depth ≤ 4) holding a string `mimetype`. */
function mediaRecord(value: unknown, depth = 0): Json | null {
  if (!isObject(value) || depth > 4) return null;
  if (typeof value.mimetype === "string") return value;
  for (const inner of Object.values(value)) {
    const found = mediaRecord(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function replyKey(replyTo: unknown): string | null {
  if (!isObject(replyTo)) return null;
  const id = text(replyTo.id) ?? (isObject(replyTo.id) ? text(replyTo.id._serialized) : null);
  return id ? keyOfMessageId(id) : null;
}

/** The engines' own record names the sender's push name in different places. */
// WAHA: WEBJS notifyName (whatsapp-web.js Message._data), NOWEB pushName (Baileys
// WebMessageInfo), GOWS Info.PushName (whatsmeow MessageInfo)
export function pushNameOf(data: unknown): string | null {
  if (!isObject(data)) return null;
  const info = isObject(data.Info) ? data.Info : undefined;
  const name = data.notifyName ?? data.pushName ?? info?.PushName;
  return typeof name === "string" && name.trim() !== "" ? name.trim().slice(0, 200) : null;
}

/** `now` (ms) stands in for a missing or future timestamp. */
export function toStoredMessage(message: WahaMessage, now = Date.now()): StoredMessage {
  const seconds =
    message.timestamp > 0 && message.timestamp * 1000 <= now + 60_000
      ? Math.floor(message.timestamp)
      : Math.floor(now / 1000);
  const parts = parseMessageId(message.id);
  const record = message.media?.mimetype ? null : mediaRecord(message._data);
  const participant =
    typeof message.participant === "string" && message.participant
      ? canonicalJid(message.participant)
      : (parts?.participant ?? null);
  const mediaMimetype = message.media?.mimetype ?? text(record?.mimetype);
  const special = kindOf(message as Record<string, unknown>, mediaMimetype);
  const body = special.body !== undefined ? special.body : (message.body ?? null);
  return {
    jid: chatOfMessage(message),
    id: canonicalMessageId(message.id),
    wahaId: message.id,
    key: parts?.key ?? message.id,
    ts: seconds,
    fromMe: message.fromMe,
    sender: message.fromMe ? null : participant,
    body: body ? body.slice(0, BODY_MAX) : null,
    hasMedia: message.hasMedia,
    mediaMimetype,
    mediaName: message.media?.filename ?? text(record?.filename) ?? text(record?.fileName) ?? null,
    ack: typeof message.ack === "number" ? message.ack : null,
    replyTo: replyKey(message.replyTo),
    senderName: message.fromMe ? null : pushNameOf(message._data),
    kind: special.kind,
    extra: special.extra,
  };
}
