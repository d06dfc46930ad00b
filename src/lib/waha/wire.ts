/**
 * WAHA's wire shapes and paths. Schemas are lenient where WAHA's engines differ (chat
 * ids as strings or `{_serialized}`, nullable media fields) and strict where wa-edge
 * depends on a field. Every URL wa-edge fetches is built here, on WAHA_URL's origin.
 */
import * as z from "zod/mini";

export const SESSION_STATUSES = [
  "STOPPED",
  "STARTING",
  "SCAN_QR_CODE",
  "WORKING",
  "FAILED",
] as const;

const serialized = z.union([
  z.string(),
  z.pipe(
    z.object({ _serialized: z.string() }),
    z.transform((id: { _serialized: string }) => id._serialized),
  ),
]);

export const sessionSchema = z.looseObject({
  name: z.string(),
  status: z.enum(SESSION_STATUSES),
  me: z.nullish(z.looseObject({ id: z.string(), pushName: z.nullish(z.string()) })),
});
export type WahaSession = z.infer<typeof sessionSchema>;

export const versionSchema = z.looseObject({
  version: z.string(),
  engine: z.string(),
  tier: z.string(),
});

export const pingSchema = z.looseObject({ message: z.literal("pong") });

export const chatSchema = z.looseObject({
  id: serialized,
  name: z.nullish(z.string()),
  isGroup: z.nullish(z.boolean()),
  unreadCount: z.nullish(z.number()),
  timestamp: z.nullish(z.number()),
  conversationTimestamp: z.nullish(z.number()),
  lastMessage: z.nullish(
    z.looseObject({ body: z.nullish(z.string()), timestamp: z.nullish(z.number()) }),
  ),
});
export type WahaChat = z.infer<typeof chatSchema>;

export const mediaSchema = z.looseObject({
  url: z.nullish(z.string()),
  mimetype: z.nullish(z.string()),
  filename: z.nullish(z.string()),
  error: z.optional(z.unknown()),
});

export const messageSchema = z.looseObject({
  id: serialized,
  timestamp: z.number(),
  from: z.string(),
  fromMe: z.boolean(),
  to: z.nullish(z.string()),
  body: z.nullish(z.string()),
  hasMedia: z.boolean(),
  media: z.nullish(mediaSchema),
  ack: z.nullish(z.number()),
  ackName: z.nullish(z.string()),
});
export type WahaMessage = z.infer<typeof messageSchema>;

/** WAHA's paths, every variable part encoded. */
export const wahaPaths = {
  /** GET the session with its config; PUT `{config}` replaces the config (and restarts it). */
  session: (session: string) => `/api/sessions/${enc(session)}`,
  restart: (session: string) => `/api/sessions/${enc(session)}/restart`,
  /** WAHA's WAHA_* and WHATSAPP_* variables (WHATSAPP_FILES_LIFETIME, WHATSAPP_HOOK_URL…). */
  environment: () => "/api/server/environment",
  version: () => "/api/server/version",
  serverStatus: () => "/api/server/status",
  ping: () => "/ping",
  health: () => "/health",
  /** Most recent conversation first: without sortBy engines order chats their own way. */
  chats: (session: string, limit: number, offset = 0) =>
    `/api/${enc(session)}/chats?limit=${limit}&offset=${offset}&sortBy=conversationTimestamp&sortOrder=desc`,
  /**
   * Newest first, without downloading any media (the media route fetches the one message
   * a browser asks for); `before`: only messages at or before this time (seconds).
   */
  messages: (session: string, chatId: string, limit: number, before?: number) =>
    `/api/${enc(session)}/chats/${enc(chatId)}/messages?limit=${limit}&downloadMedia=false${
      before === undefined ? "" : `&filter.timestamp.lte=${before}`
    }`,
  message: (session: string, chatId: string, messageId: string, downloadMedia = true) =>
    `/api/${enc(session)}/chats/${enc(chatId)}/messages/${enc(messageId)}?downloadMedia=${downloadMedia}`,
  lid: (session: string, lid: string) => `/api/${enc(session)}/lids/${enc(lid)}`,
  /** The pairing QR; with Accept: application/json WAHA answers `{mimetype, data}` (base64). */
  qr: (session: string) => `/api/${enc(session)}/auth/qr?format=image`,
  sendText: () => "/api/sendText",
  sendMedia: (kind: "sendImage" | "sendFile" | "sendVoice") => `/api/${kind}`,
  reaction: () => "/api/reaction",
  /** Our own messages in a chat since `sinceSeconds`: did a send that timed out arrive? */
  recentOwn: (session: string, chatId: string, sinceSeconds: number) =>
    `/api/${enc(session)}/chats/${enc(chatId)}/messages?limit=20&downloadMedia=false&filter.fromMe=true&filter.timestamp.gte=${sinceSeconds}`,
  sendSeen: () => "/api/sendSeen",
  /** `{profilePictureURL}` (null: none, or hidden by privacy); WAHA keeps it 24 h itself. */
  // WAHA: src/api/contacts.controller.ts (getProfilePicture), src/structures/contacts.dto.ts
  profilePicture: (session: string, contactId: string) =>
    `/api/contacts/profile-picture?session=${enc(session)}&contactId=${enc(contactId)}`,
  /** The contact's record: `name` (saved on the phone) and `pushname`, where the engine has them. */
  // WAHA: src/api/contacts.controller.ts (get); engines' getContact / toWAContact
  contact: (session: string, contactId: string) =>
    `/api/contacts?session=${enc(session)}&contactId=${enc(contactId)}`,
  /** PUT `{text}` edits, DELETE deletes for everyone, one message of the chat. */
  // WAHA: src/api/chats.controller.ts (editMessage, deleteMessage), EditMessageRequest
  chatMessage: (session: string, chatId: string, messageId: string) =>
    `/api/${enc(session)}/chats/${enc(chatId)}/messages/${enc(messageId)}`,
};

function enc(part: string): string {
  return encodeURIComponent(part);
}

/**
 * Where to fetch a `media.url` from: its path and query on WAHA_URL's origin, so a URL
 * naming another host (WAHA behind a proxy, or a forged payload) is never fetched as
 * given. Only WAHA's files path is accepted; anything else is null (refused).
 */
export function mediaFetchUrl(mediaUrl: string, wahaUrl: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(mediaUrl, wahaUrl);
  } catch {
    return null;
  }
  const base = new URL(wahaUrl);
  const prefix = base.pathname.replace(/\/+$/, "");
  const path = parsed.pathname.startsWith(`${prefix}/api/files/`)
    ? parsed.pathname
    : parsed.pathname.startsWith("/api/files/")
      ? `${prefix}${parsed.pathname}`
      : null;
  if (path === null || path.split("/").some((seg) => seg === ".." || seg === ".")) return null;
  return `${base.origin}${path}${parsed.search}`;
}
