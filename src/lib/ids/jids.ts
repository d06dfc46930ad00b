/**
 * WhatsApp ids the way wa-edge keeps them, whatever WAHA's engine: one canonical id per
 * chat (`…@s.whatsapp.net` and device jids become `…@c.us`), which chats are inbox chats
 * (not channels, not status broadcasts), and the chat a message belongs to, taken from
 * the message id (`{fromMe}_{chat}_{key}[_{participant}]` on every engine) rather than
 * from `from`/`to`, which each engine fills differently.
 * WAHA: src/core/utils/jids.ts (toCusFormat), src/core/utils/ids.ts (SerializeMessageKey);
 * the engines' toWAMessage (session.webjs.core.ts, session.noweb.core.ts, session.gows.core.ts).
 */

/** `…@s.whatsapp.net` or a device jid (`…:12@s.whatsapp.net`) → `…@c.us`; a lid loses its device. */
export function canonicalJid(id: string): string {
  const at = id.lastIndexOf("@");
  if (at <= 0) return id;
  const user = id.slice(0, at);
  const server = id.slice(at + 1);
  if (server === "s.whatsapp.net" || server === "c.us") return `${user.split(":")[0]}@c.us`;
  if (server === "lid") return `${user.split(":")[0]}@lid`;
  return id;
}

export function isGroupJid(jid: string): boolean {
  return jid.endsWith("@g.us");
}

export function isLidJid(jid: string): boolean {
  return jid.endsWith("@lid");
}

/** Chats an agent answers: people and groups. Channels and status broadcasts are not. */
export function isInboxJid(jid: string): boolean {
  return /^[0-9A-Za-z.+-]+@(c\.us|g\.us|lid)$/.test(jid);
}

export interface MessageIdParts {
  fromMe: boolean;
  /** Canonical. */
  chat: string;
  key: string;
  /** The sender in a group, canonical, when the id names one. */
  participant: string | null;
}

/** The parts of a serialised message id, or null for an id of another form. */
export function parseMessageId(id: string): MessageIdParts | null {
  const match = /^(true|false)_([^_]+@[^_]+)_([^_]+)(?:_([^_]+@[^_]+))?$/.exec(id);
  if (!match) return null;
  const [, fromMe, chat = "", key = "", participant] = match;
  return {
    fromMe: fromMe === "true",
    chat: canonicalJid(chat),
    key,
    participant: participant ? canonicalJid(participant) : null,
  };
}

/**
 * One id per message whatever the engine: the chat canonical, and no participant on our
 * own messages (GOWS adds us to our group messages' ids, NOWEB to its group receipts).
 * Ids of another form are kept as they are.
 */
export function canonicalMessageId(id: string): string {
  const parts = parseMessageId(id);
  if (!parts) return id;
  const base = `${parts.fromMe}_${parts.chat}_${parts.key}`;
  return parts.participant && !parts.fromMe ? `${base}_${parts.participant}` : base;
}

/**
 * The chat of a message: from its id when the id is serialised, else the engine's fields
 * (WEBJS puts the chat in `to` for our messages; NOWEB and GOWS in `from` always).
 */
export function chatOfMessage(message: {
  id: string;
  from: string;
  to?: string | null;
  fromMe: boolean;
}): string {
  const parts = parseMessageId(message.id);
  if (parts) return parts.chat;
  const other =
    message.fromMe && message.to && !isGroupJid(message.from) ? message.to : message.from;
  return canonicalJid(other);
}

/** The message key (the part every engine agrees on) of a serialised id. */
export function keyOfMessageId(id: string): string {
  return parseMessageId(id)?.key ?? id;
}
