// What differs between WAHA's engines, as one interface: how each serialises messages, chats,
// acks, revokes, edits and reactions, and what its sending endpoints answer.
import type { SessionStatus } from "../config.ts";
import { mediaContent } from "../media.ts";
import type { Engine, SimChat, SimMessage, SimReaction, SimReceipt } from "../model.ts";
import { ackName, extensionOf } from "../model.ts";
import type { Store } from "../store.ts";
import { specialProto } from "./special-content.ts";

export type Json = Record<string, unknown>;

/** What a shape needs from the simulator besides the message itself. */
export interface View {
  session: string;
  publicUrl: string;
  store: Store;
}

export interface WahaMedia {
  url: string | null;
  filename: string | null;
  mimetype: string;
  error?: { details: string };
}

export interface ChatQuery {
  limit?: number;
  offset?: number;
  sortBy?: "conversationTimestamp" | "id" | "name";
  sortOrder?: string;
  /** No query parameter at all: WEBJS then skips its paginator. */
  empty: boolean;
}

/** A sending endpoint's answer body: JSON, or nothing (Nest's empty answer). */
export type Answer = Json | undefined;

export interface EngineShapes {
  name: Engine;
  /** `environment.browser` and `/api/server/version`'s browser. */
  browser: string | null;
  messageId(m: SimMessage): string;
  /** The file name WAHA saves media under, before the extension. */
  fileBase(m: SimMessage): string;
  /** Whether the engine still lists the message (NOWEB deletes revoked ones). */
  listed(m: SimMessage): boolean;
  /** WAMessage, as lists, single reads and message events carry it. */
  message(m: SimMessage, media: WahaMedia | null, view: View): Json;
  chats(chats: SimChat[], query: ChatQuery, view: View): Json[];
  /** A chat id from a path or body, as the engine accepts it. */
  chat(chatId: string, store: Store): SimChat | undefined;
  /** GET …/messages/{id}: the engine's own lookup. */
  findMessage(chatId: string, messageId: string, store: Store): SimMessage | undefined;
  sent(m: SimMessage, view: View): Answer;
  reacted(target: SimMessage, reaction: SimReaction, view: View): Answer;
  /**
   * sendSeen's answer: `read` is null when the request named message ids, else the ids WAHA's
   * chat reader picked (readChatMessages).
   */
  seen(read: string[] | null): Answer;
  /** `message.ack` for a direct chat, or nothing where the engine sends none. */
  ack(m: SimMessage, view: View): Json | undefined;
  /**
   * `message.ack` for our group message's own status (SERVER, ERROR), where the engine sends
   * one besides members' receipts; absent where it sends none.
   */
  groupStatus?(m: SimMessage): Json;
  /** `message.ack.group` for one member's receipt. */
  groupAck(m: SimMessage, receipt: SimReceipt, view: View): Json | undefined;
  revoked(m: SimMessage, before: SimMessage, revokeKey: string, view: View): Json;
  edited(m: SimMessage, previous: string, editKey: string, view: View): Json;
  reaction(target: SimMessage, reaction: SimReaction, view: View): Json;
  /** The `engine` block of GET /api/sessions/{name}. */
  sessionEngine(status: SessionStatus): Json;
  me(): Json;
  /** sendSeen without ids marks the whole chat read (WEBJS) rather than the messages WAHA picks. */
  readsAll: boolean;
}

// WAHA: src/core/utils/ids.ts (SerializeMessageKey)
export function serializeId(
  fromMe: boolean,
  chatId: string,
  key: string,
  participant?: string,
): string {
  return `${fromMe}_${chatId}_${key}${participant ? `_${participant}` : ""}`;
}

// WAHA: src/core/media/local/MediaLocalStorage.ts (getKey: `{session}/{messageId}.{extension}`)
export function fileUrl(view: View, base: string, m: SimMessage): string | null {
  return m.media
    ? `${view.publicUrl}/api/files/${view.session}/${base}.${extensionOf(m.media.kind)}`
    : null;
}

/**
 * The media object WAHA attaches after trying to download. On failure `error` is the thrown
 * Error serialised by JSON.stringify: only the `details` WAHA adds survive (message and stack
 * are not enumerable).
 */
// WAHA: src/core/media/MediaManager.ts (processMedia, fetchMedia); WEBJS's getMediaBuffer gives
// null for media WhatsApp no longer has (src/core/engines/webjs/session.webjs.core.ts), and
// fetchMedia throws this text for it.
export function wahaMedia(m: SimMessage, url: string | null, fetcherId: string): WahaMedia | null {
  const media = m.media;
  if (!media) return null;
  if (media.missing || url === null) {
    const text = `Message '${fetcherId}' has no media, but it has media flag in the engine`;
    return {
      url: null,
      filename: media.filename,
      mimetype: media.mimetype,
      error: { details: `Error: ${text}\n    at MediaManager.fetchMedia` },
    };
  }
  return { url, filename: media.filename, mimetype: media.mimetype };
}

// WAHA: src/structures/enums.dto.ts (WAMessageAck, ACK_UNKNOWN)
export function ackNameOf(ack: number | null): string {
  return ack === null ? "UNKNOWN" : ackName(ack);
}

// WAHA: src/core/abc/session.abc.ts (getMessageSource: "api" for ids sent through the API)
export function sourceOf(m: { fromMe: boolean; viaApi?: boolean }): "api" | "app" {
  return m.fromMe && m.viaApi ? "api" : "app";
}

/** The quoted message, when the simulator still has it. */
export function quotedOf(m: SimMessage, store: Store): SimMessage | undefined {
  return m.replyTo ? store.message(m.replyTo) : undefined;
}

/** Stable sort on a key; ties keep the input order, as SQL engines and lodash do in practice. */
export function sortedBy<T>(
  items: T[],
  key: (item: T) => string | number | null,
  descending: boolean,
  nullsFirstAscending = true,
): T[] {
  const direction = descending ? -1 : 1;
  return items
    .map((item, index) => ({ item, index, value: key(item) }))
    .sort((a, b) => {
      if (a.value === b.value) return a.index - b.index;
      if (a.value === null) return nullsFirstAscending ? -direction : direction;
      if (b.value === null) return nullsFirstAscending ? direction : -direction;
      const order = a.value < b.value ? -1 : 1;
      return direction * order || a.index - b.index;
    })
    .map((entry) => entry.item);
}

export function page<T>(items: T[], offset: number | undefined, limit: number | undefined): T[] {
  const start = offset ?? 0;
  return limit === undefined || limit === 0
    ? items.slice(start)
    : items.slice(start, start + limit);
}

export function lastTime(chat: SimChat): number {
  return chat.messages.at(-1)?.timestamp ?? 0;
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * Where Baileys (NOWEB) and whatsmeow (GOWS) spell WhatsApp's message protobuf apart: Baileys keeps
 * the proto's camelCase, whatsmeow Go's initialisms (stanzaID, PTT).
 */
export interface ProtoSpelling {
  stanzaId: "stanzaId" | "stanzaID";
  ptt: "ptt" | "PTT";
  /** The sender's JID as a quote's contextInfo names it. */
  participant: (quoted: SimMessage) => string;
}

/** WhatsApp's message content for what the simulator holds: text, extended text, media, quotes. */
export function protoContent(m: SimMessage, store: Store, spell: ProtoSpelling, depth = 0): Json {
  const special = specialProto(m);
  if (special) return special;
  const caption = m.body ? { caption: m.body } : {};
  const quoted = depth === 0 ? quotedOf(m, store) : undefined;
  const contextInfo = quoted
    ? {
        contextInfo: {
          [spell.stanzaId]: quoted.key,
          participant: spell.participant(quoted),
          quotedMessage: protoContent(quoted, store, spell, depth + 1),
        },
      }
    : {};
  const media = m.media;
  if (media) {
    const file = {
      mimetype: media.mimetype,
      ...(media.missing ? {} : { fileLength: mediaContent(m.id, media).length }),
    };
    switch (m.type) {
      case "image":
        return { imageMessage: { ...file, ...caption, ...contextInfo } };
      case "video":
        return { videoMessage: { ...file, seconds: 3, ...caption, ...contextInfo } };
      case "ptt":
        return { audioMessage: { ...file, seconds: 4, [spell.ptt]: true, ...contextInfo } };
      default:
        return {
          documentMessage: {
            ...file,
            fileName: media.filename ?? "file",
            ...caption,
            ...contextInfo,
          },
        };
    }
  }
  if (quoted || m.viaApi) return { extendedTextMessage: { text: m.body, ...contextInfo } };
  return { conversation: m.body };
}
