/**
 * What the inbox gets instead of WAHA's raw shapes: chat summaries that look the same
 * whatever WAHA's engine, and messages whose media points at the gateway, never at WAHA.
 */
import type { BrowserMessage, ChatSummary, QuotedMessage } from "../contracts/api.ts";
import { ACK_NAMES } from "../waha/acks.ts";
import type { WahaChat, WahaMessage } from "../waha/wire.ts";
import type { MessageExtra, MessageKind } from "./message-kinds.ts";
import { quoted, type StoredRow } from "./messages.ts";
import { lastPreview } from "./preview.ts";
import type { StoredMessage } from "./stored-message.ts";

export type { BrowserMessage, ChatSummary } from "../contracts/api.ts";

/** A chat summary as cached: ownership and the team's marks change more often than WAHA's list. */
export type CachedChat = Omit<
  ChatSummary,
  "owner" | "number" | "status" | "snoozeUntil" | "labels"
>;

export function toCachedChat(chat: WahaChat): CachedChat {
  const last = chat.lastMessage;
  const seconds = last?.timestamp ?? chat.timestamp ?? chat.conversationTimestamp ?? 0;
  return {
    id: chat.id,
    name: chat.name?.trim() || (chat.id.split("@")[0] ?? chat.id),
    unreadCount: Math.max(0, chat.unreadCount ?? 0),
    lastMessageAt: seconds > 0 ? new Date(seconds * 1000).toISOString() : null,
    preview: lastPreview(last),
    isGroup: chat.isGroup ?? chat.id.endsWith("@g.us"),
  };
}

/** Newest first; chats without messages last. */
export function byLastMessage(a: CachedChat, b: CachedChat): number {
  return (b.lastMessageAt ?? "").localeCompare(a.lastMessageAt ?? "") || a.id.localeCompare(b.id);
}

/** Where the browser fetches a number's message's media: the gateway's own media route. */
export function mediaPath(number: string, jid: string, messageId: string): string {
  return `/api/wa/media?number=${encodeURIComponent(number)}&jid=${encodeURIComponent(jid)}&id=${encodeURIComponent(messageId)}`;
}

/**
 * The message as the browser sees it: the fields SPEC names, picked one by one, so engine
 * internals (`_data`, quoted messages' raw records, media keys) never pass. WAHA's
 * `media.url` (its host, and a file behind its API key) becomes the gateway's media route.
 */
export function toBrowserMessage(
  message: WahaMessage,
  number: string,
  jid: string,
): BrowserMessage {
  const { media } = message;
  const participant = typeof message.participant === "string" ? message.participant : undefined;
  return {
    id: message.id,
    timestamp: message.timestamp,
    from: message.from,
    fromMe: message.fromMe,
    to: message.to ?? null,
    ...(participant ? { participant } : {}),
    body: message.body ?? null,
    hasMedia: message.hasMedia,
    media: media
      ? {
          url: media.url ? mediaPath(number, jid, message.id) : null,
          mimetype: media.mimetype ?? null,
          filename: media.filename ?? null,
          ...(media.error !== undefined && media.error !== null ? { error: media.error } : {}),
        }
      : null,
    ack: message.ack ?? null,
    ackName: message.ackName ?? null,
  };
}

/** A number's stored message (or one just stored) as the browser sees it. */
export function storedToBrowser(
  m: StoredMessage & {
    quoted?: QuotedMessage | null;
    reactions?: Array<{ from: string; text: string }>;
    editedAt?: number | null;
    revokedAt?: number | null;
  },
  number: string,
): BrowserMessage {
  return {
    id: m.id,
    timestamp: m.ts,
    from: m.sender ?? m.jid,
    fromMe: m.fromMe,
    to: null,
    ...(m.sender ? { participant: m.sender } : {}),
    ...(m.senderName ? { senderName: m.senderName } : {}),
    ...(m.kind ? { kind: m.kind, extra: m.extra ?? null } : {}),
    body: m.body,
    hasMedia: m.hasMedia,
    media: m.hasMedia
      ? { url: mediaPath(number, m.jid, m.id), mimetype: m.mediaMimetype, filename: m.mediaName }
      : null,
    ack: m.ack,
    ackName: m.ack === null ? null : (ACK_NAMES[m.ack] ?? null),
    replyTo: m.replyTo ? (m.quoted ?? { id: null, body: null, fromMe: null }) : null,
    reactions: m.reactions ?? [],
    editedAt: m.editedAt ?? null,
    revokedAt: m.revokedAt ?? null,
  };
}

const KINDS: readonly string[] = ["call", "location", "vcard", "sticker"];

function isKind(kind: string | null): kind is MessageKind {
  return kind !== null && KINDS.includes(kind);
}

function parseExtra(json: string | null): MessageExtra | null {
  if (!json) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === "object" && parsed !== null ? (parsed as MessageExtra) : null;
  } catch {
    return null;
  }
}

function reactionList(json: string | null): Array<{ from: string; text: string }> {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null) return [];
    return Object.entries(parsed as Record<string, unknown>)
      .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
      .map(([from, text]) => ({ from, text }));
  } catch {
    return [];
  }
}

/** A row of a number's store as the browser sees it. */
export function rowToBrowser(row: StoredRow, number: string): BrowserMessage {
  return storedToBrowser(
    {
      jid: row.jid,
      id: row.id,
      wahaId: row.waha_id,
      key: row.key,
      ts: row.ts,
      fromMe: row.from_me === 1,
      sender: row.sender,
      body: row.body,
      hasMedia: row.has_media === 1,
      mediaMimetype: row.media_mimetype,
      mediaName: row.media_name,
      ack: row.ack,
      replyTo: row.reply_to,
      senderName: row.sender_name,
      kind: isKind(row.kind) ? row.kind : null,
      extra: parseExtra(row.extra),
      quoted:
        row.reply_to && row.quoted_id
          ? quoted(
              row.quoted_id,
              row.quoted_body,
              row.quoted_from_me,
              row.quoted_sender,
              row.quoted_has_media,
              row.quoted_mimetype,
              row.quoted_name,
              row.quoted_sender_name,
            )
          : null,
      reactions: reactionList(row.reactions),
      editedAt: row.edited_at,
      revokedAt: row.revoked_at,
    },
    number,
  );
}
