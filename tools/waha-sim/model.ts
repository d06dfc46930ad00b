// The simulator's own records for chats, messages and media, and the WAHA id conventions they follow.
import { createHash } from "node:crypto";

export type MediaKind =
  | "image/jpeg"
  | "image/png"
  | "application/pdf"
  | "audio/ogg"
  | "video/mp4"
  | "application/octet-stream";

export const MEDIA_KINDS: readonly MediaKind[] = [
  "image/jpeg",
  "image/png",
  "application/pdf",
  "audio/ogg",
  "video/mp4",
  "application/octet-stream",
];

/** What the demo picture or document looks like; `size` means a generated stream instead. */
export type MediaLook =
  | "swatch"
  | "noise"
  | "mosaic"
  | "document"
  | "voice"
  | "clip"
  | "blob"
  /** A file of the declared type that no player can decode. */
  | "broken";

export interface SimMedia {
  kind: MediaKind;
  /** As WhatsApp reports it, e.g. voice notes carry "audio/ogg; codecs=opus". */
  mimetype: string;
  filename: string | null;
  look: MediaLook;
  /** Exact byte size of a streamed file; absent for the small generated files. */
  size?: number;
  /** WAHA cannot download it (expired on the phone, deleted): it never becomes a file. */
  missing: boolean;
  /** Text shown inside documents. */
  caption?: string;
  /** What a client uploaded (sendImage, sendFile, sendVoice with `data`), served as it came. */
  bytes?: Buffer;
}

export type MessageType =
  | "chat"
  | "image"
  | "document"
  | "ptt"
  | "video"
  | "location"
  | "vcard"
  | "sticker";

/** A shared location: WhatsApp's coordinates and the place's name and address. */
export interface SimLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

/** A shared contact card. */
export interface SimCard {
  name: string;
  /** Digits with country code. */
  number: string;
}

export type Engine = "WEBJS" | "NOWEB" | "GOWS";

export const ENGINES: readonly Engine[] = ["WEBJS", "NOWEB", "GOWS"];

export function isEngine(value: unknown): value is Engine {
  return typeof value === "string" && (ENGINES as readonly string[]).includes(value);
}

export interface SimReaction {
  /** Who reacted (`@c.us`, ME_ID for us). */
  by: string;
  fromMe: boolean;
  text: string;
  /** The reaction message's own key. */
  key: string;
  /** Seconds. */
  timestamp: number;
}

export interface SimReceipt {
  /** The group member who received, read or played our message. */
  participant: string;
  ack: number;
  /** Seconds. */
  timestamp: number;
}

export interface SimMessage {
  /** The simulator's own id: WEBJS's serialisation, which engines re-serialise as they do. */
  id: string;
  /** The 20 hex digits WhatsApp gave the message: the part every engine's id shares. */
  key: string;
  chatId: string;
  /** Seconds. */
  timestamp: number;
  fromMe: boolean;
  /** Group (or status) sender. */
  participant?: string;
  senderName?: string;
  body: string;
  type: MessageType;
  ack: number;
  media?: SimMedia;
  /** Sent through the API (WAHA reports source "api"), not from the phone. */
  viaApi?: boolean;
  /** Key of the message this one quotes. */
  replyTo?: string;
  revoked?: { by: string; timestamp: number };
  edited?: { previous: string; timestamp: number };
  reactions?: SimReaction[];
  receipts?: SimReceipt[];
  location?: SimLocation;
  card?: SimCard;
}

export interface SimChat {
  id: string;
  name: string;
  isGroup: boolean;
  /** WEBJS answers `{server, user, _serialized}`; the simulator mixes in plain strings too. */
  idShape: "string" | "object";
  unreadCount: number;
  pinned: boolean;
  archived: boolean;
  participants?: string[];
  /** Oldest first. */
  messages: SimMessage[];
  /**
   * WEBJS: how many of the newest messages WhatsApp Web holds in memory; unset until the chat
   * is first read (then one batch). Earlier ones come one batch per call.
   */
  loaded?: number;
}

export const ME_ID = "15550000000@c.us";
export const ME_LID = "209876543210987@lid";
/** The device jid GOWS reports for our own session. */
export const ME_DEVICE_JID = "15550000000:12@s.whatsapp.net";
export const ME_NAME = "wa-edge demo";

// WAHA's file extension per mimetype (what mime-types' extension() gives).
const EXTENSIONS: Record<MediaKind, string> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "application/pdf": "pdf",
  "audio/ogg": "oga",
  "video/mp4": "mp4",
  "application/octet-stream": "bin",
};

export function extensionOf(kind: MediaKind): string {
  return EXTENSIONS[kind];
}

export function isMediaKind(value: unknown): value is MediaKind {
  return typeof value === "string" && (MEDIA_KINDS as readonly string[]).includes(value);
}

export function messageTypeOf(kind: MediaKind, mimetype: string): MessageType {
  if (kind.startsWith("image/")) return "image";
  if (kind === "video/mp4") return "video";
  if (kind === "audio/ogg" && mimetype.includes("opus")) return "ptt";
  return "document";
}

/** The 20 upper-case hex digits WhatsApp Web gives a message, derived from any unique text. */
export function messageKey(unique: string): string {
  return `3EB0${createHash("sha1").update(unique).digest("hex").slice(0, 16).toUpperCase()}`;
}

/** WEBJS serialised ids: `{fromMe}_{chat}_{key}`, plus `_{participant}` for group messages from others. */
// WAHA: src/core/utils/ids.ts (SerializeMessageKey, parseMessageIdSerialized)
export function messageIdOf(
  chatId: string,
  fromMe: boolean,
  key: string,
  participant?: string,
): string {
  const base = `${fromMe}_${chatId}_${key}`;
  return participant && !fromMe ? `${base}_${participant}` : base;
}

export const ACK_NAMES: Record<number, string> = {
  [-1]: "ERROR",
  0: "PENDING",
  1: "SERVER",
  2: "DEVICE",
  3: "READ",
  4: "PLAYED",
};

export function ackName(ack: number): string {
  return ACK_NAMES[ack] ?? "UNKNOWN";
}

/** The key part of any engine's serialised id (`{fromMe}_{chat}_{key}[_{participant}]`), or the id itself. */
export function keyOfId(messageId: string): string {
  const parts = messageId.split("_");
  return parts.length >= 3 ? (parts[2] ?? messageId) : messageId;
}
