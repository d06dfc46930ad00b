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
export type MediaLook = "swatch" | "noise" | "mosaic" | "document" | "voice" | "clip" | "blob";

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
}

export type MessageType = "chat" | "image" | "document" | "ptt" | "video";

export interface SimMessage {
  id: string;
  chatId: string;
  /** Seconds. */
  timestamp: number;
  fromMe: boolean;
  /** Group sender. */
  participant?: string;
  senderName?: string;
  body: string;
  type: MessageType;
  ack: number;
  media?: SimMedia;
}

export interface SimChat {
  id: string;
  name: string;
  isGroup: boolean;
  /** WEBJS answers `{server, user, _serialized}`; other engines a plain string. */
  idShape: "string" | "object";
  unreadCount: number;
  pinned: boolean;
  archived: boolean;
  participants?: string[];
  /** Oldest first. */
  messages: SimMessage[];
}

export const ME_ID = "15550000000@c.us";
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

/** WAHA accepts a bare number where a chat id is expected and adds the personal suffix. */
export function ensureSuffix(chatId: string): string {
  return chatId.includes("@") ? chatId : `${chatId}@c.us`;
}

/** The 20 upper-case hex digits WhatsApp Web gives a message, derived from any unique text. */
export function messageKey(unique: string): string {
  return `3EB0${createHash("sha1").update(unique).digest("hex").slice(0, 16).toUpperCase()}`;
}

/** WEBJS serialised ids: `{fromMe}_{chat}_{key}`, plus `_{participant}` for group messages from others. */
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
