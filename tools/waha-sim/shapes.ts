// WAHA's JSON shapes for what the simulator holds: messages, chats, session and server info.
import type { SessionStatus, Tier } from "./config.ts";
import { mediaContent } from "./media.ts";
import type { SimChat, SimMessage } from "./model.ts";
import { ackName, extensionOf, ME_ID, ME_NAME } from "./model.ts";

export const WAHA_VERSION = "2025.11.2";
export const ENGINE = "WEBJS";
const BROWSER = "/usr/bin/google-chrome-stable";

export interface WahaMedia {
  url: string | null;
  mimetype: string;
  filename: string | null;
  error?: { message: string; details: string };
}

export function environment(tier: Tier) {
  return { version: WAHA_VERSION, engine: ENGINE, tier, browser: BROWSER };
}

export function meInfo() {
  return { id: ME_ID, pushName: ME_NAME };
}

export function fileNameOf(message: SimMessage): string | null {
  return message.media ? `${message.id}.${extensionOf(message.media.kind)}` : null;
}

export function fileUrl(publicUrl: string, session: string, message: SimMessage): string | null {
  const name = fileNameOf(message);
  return name ? `${publicUrl}/api/files/${session}/${name}` : null;
}

/** The media object WAHA attaches after trying to download: a URL, or null and the error. */
export function mediaOf(message: SimMessage, url: string | null): WahaMedia | undefined {
  const media = message.media;
  if (!media) return undefined;
  if (media.missing || url === null) {
    const text = `Message '${message.id}' has no media, but it has media flag in the engine`;
    return {
      url: null,
      mimetype: media.mimetype,
      filename: media.filename,
      error: { message: text, details: `Error: ${text}\n    at MediaManager.fetchMedia` },
    };
  }
  return { url, mimetype: media.mimetype, filename: media.filename };
}

function keyOf(message: SimMessage): string {
  return message.id.split("_")[2] ?? message.id;
}

function ends(message: SimMessage): { from: string; to: string } {
  return message.fromMe ? { from: ME_ID, to: message.chatId } : { from: message.chatId, to: ME_ID };
}

/** The engine's raw message record, which WAHA passes through as `_data`. */
function rawData(message: SimMessage) {
  const { from, to } = ends(message);
  const data: Record<string, unknown> = {
    id: {
      fromMe: message.fromMe,
      remote: message.chatId,
      id: keyOf(message),
      _serialized: message.id,
      ...(message.participant ? { participant: message.participant } : {}),
    },
    viewed: false,
    body: message.body,
    type: message.type,
    t: message.timestamp,
    notifyName: message.fromMe ? ME_NAME : "",
    from,
    to,
    ack: message.ack,
    isNewMsg: false,
    star: false,
  };
  if (message.participant) data.author = message.participant;
  const media = message.media;
  if (media) {
    data.mimetype = media.mimetype;
    if (media.filename) data.filename = media.filename;
    if (!media.missing) data.size = mediaContent(message.id, media).length;
    if (media.caption) data.caption = media.caption;
  }
  return data;
}

/** WAMessage, as GET .../messages answers it. */
export function toWahaMessage(message: SimMessage, media: WahaMedia | undefined) {
  const { from, to } = ends(message);
  return {
    id: message.id,
    timestamp: message.timestamp,
    from,
    fromMe: message.fromMe,
    to,
    participant: message.participant ?? null,
    body: message.body,
    hasMedia: message.media !== undefined,
    ...(media ? { media } : {}),
    ack: message.ack,
    ackName: ackName(message.ack),
    replyTo: null,
    _data: rawData(message),
  };
}

/** whatsapp-web.js's own Message object: what WEBJS returns from sendText and puts in lastMessage. */
export function toEngineMessage(message: SimMessage) {
  const { from, to } = ends(message);
  return {
    _data: rawData(message),
    id: {
      fromMe: message.fromMe,
      remote: message.chatId,
      id: keyOf(message),
      _serialized: message.id,
    },
    ack: message.ack,
    hasMedia: message.media !== undefined,
    body: message.body,
    type: message.type,
    timestamp: message.timestamp,
    from,
    to,
    ...(message.participant ? { author: message.participant } : {}),
    deviceType: message.fromMe ? "web" : "android",
    isForwarded: false,
    forwardingScore: 0,
    isStatus: false,
    isStarred: false,
    fromMe: message.fromMe,
    hasQuotedMsg: false,
    hasReaction: false,
    vCards: [],
    mentionedIds: [],
    links: [],
  };
}

function wid(serialized: string) {
  const [user = "", server = ""] = serialized.split("@");
  return { server, user, _serialized: serialized };
}

/** WEBJS chats carry object ids and raw engine messages; other engines plain strings. */
export function toWahaChat(chat: SimChat) {
  const last = chat.messages.at(-1);
  const timestamp = last?.timestamp ?? 0;
  const common = {
    name: chat.name,
    isGroup: chat.isGroup,
    unreadCount: chat.unreadCount,
    timestamp,
    archived: chat.archived,
    pinned: chat.pinned,
  };
  if (chat.idShape === "string") {
    return {
      id: chat.id,
      ...common,
      conversationTimestamp: timestamp,
      lastMessage: last ? toWahaMessage(last, undefined) : null,
    };
  }
  const chatObject: Record<string, unknown> = {
    id: wid(chat.id),
    ...common,
    isReadOnly: false,
    isMuted: false,
    muteExpiration: 0,
    lastMessage: last ? toEngineMessage(last) : null,
  };
  if (chat.isGroup) {
    chatObject.groupMetadata = {
      id: wid(chat.id),
      creation: (chat.messages[0]?.timestamp ?? timestamp) - 86_400 * 90,
      owner: wid(ME_ID),
      subject: chat.name,
      participants: (chat.participants ?? []).map((p) => ({
        id: wid(p),
        isAdmin: p === ME_ID,
        isSuperAdmin: p === ME_ID,
      })),
    };
  }
  return chatObject;
}

export function sessionInfo(name: string, status: SessionStatus, webhookUrl: string | undefined) {
  const working = status === "WORKING";
  return {
    name,
    status,
    config: {
      debug: false,
      metadata: {},
      webhooks: webhookUrl
        ? [{ url: webhookUrl, events: ["message", "message.any", "message.ack", "session.status"] }]
        : [],
    },
    ...(working ? { me: meInfo() } : {}),
    engine: working
      ? { engine: ENGINE, WWebVersion: "2.3000.1029354720", state: "CONNECTED" }
      : { engine: ENGINE },
  };
}

export function serverStatus(startedAt: number, now: number) {
  return { startTimestamp: startedAt, uptime: now - startedAt, worker: { id: "waha" } };
}

/** @nestjs/terminus health-check result, as WAHA Plus answers /health. */
export function healthReport() {
  const disk = (path: string) => ({
    status: "up",
    path,
    diskPath: "/",
    free: 41_234_567_168,
    threshold: 104_857_600,
  });
  const info = {
    "mediaFiles.space": disk("/tmp/whatsapp-files"),
    "sessionsFolder.space": disk("/app/.sessions"),
  };
  return { status: "ok", info, error: {}, details: info };
}
