/**
 * WAHA's wire shapes and paths. Schemas are lenient where WAHA's engines differ (chat
 * ids as strings or `{_serialized}`, nullable media fields) and strict where wa-edge
 * depends on a field. Every URL wa-edge fetches is built here, on WAHA_URL's origin.
 */
import { z } from "zod";

export const SESSION_STATUSES = [
  "STOPPED",
  "STARTING",
  "SCAN_QR_CODE",
  "WORKING",
  "FAILED",
] as const;

const serialized = z.union([
  z.string(),
  z.object({ _serialized: z.string() }).transform((id) => id._serialized),
]);

export const sessionSchema = z.looseObject({
  name: z.string(),
  status: z.enum(SESSION_STATUSES),
  me: z.looseObject({ id: z.string(), pushName: z.string().nullish() }).nullish(),
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
  name: z.string().nullish(),
  isGroup: z.boolean().nullish(),
  unreadCount: z.number().nullish(),
  timestamp: z.number().nullish(),
  conversationTimestamp: z.number().nullish(),
  lastMessage: z
    .looseObject({ body: z.string().nullish(), timestamp: z.number().nullish() })
    .nullish(),
});
export type WahaChat = z.infer<typeof chatSchema>;

export const mediaSchema = z.looseObject({
  url: z.string().nullish(),
  mimetype: z.string().nullish(),
  filename: z.string().nullish(),
  error: z.unknown().optional(),
});

export const messageSchema = z.looseObject({
  id: serialized,
  timestamp: z.number(),
  from: z.string(),
  fromMe: z.boolean(),
  to: z.string().nullish(),
  body: z.string().nullish(),
  hasMedia: z.boolean(),
  media: mediaSchema.nullish(),
  ack: z.number().nullish(),
  ackName: z.string().nullish(),
});
export type WahaMessage = z.infer<typeof messageSchema>;

/** WAHA's paths, every variable part encoded. */
export const wahaPaths = {
  session: (session: string) => `/api/sessions/${enc(session)}`,
  version: () => "/api/server/version",
  serverStatus: () => "/api/server/status",
  ping: () => "/ping",
  health: () => "/health",
  chats: (session: string, limit: number, offset = 0) =>
    `/api/${enc(session)}/chats?limit=${limit}&offset=${offset}`,
  /** Newest first; `before`: only messages at or before this time (seconds). */
  messages: (session: string, chatId: string, limit: number, before?: number) =>
    `/api/${enc(session)}/chats/${enc(chatId)}/messages?limit=${limit}&downloadMedia=true${
      before === undefined ? "" : `&filter.timestamp.lte=${before}`
    }`,
  message: (session: string, chatId: string, messageId: string, downloadMedia = true) =>
    `/api/${enc(session)}/chats/${enc(chatId)}/messages/${enc(messageId)}?downloadMedia=${downloadMedia}`,
  sendText: () => "/api/sendText",
  sendSeen: () => "/api/sendSeen",
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
