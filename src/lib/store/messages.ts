/**
 * The message store's messages in D1 (migrations/0006), and the chat rows they move; the chat
 * list itself is in store/chats.ts, changes to stored messages in store/changes.ts, search
 * and pruning in store/search.ts, the @lid map in store/lids.ts. Plain SQL with `?` parameters. Writes that an event makes are returned as
 * statements, so the webhook path runs them in one batch (one transaction)
 * with its assignment effects; a message already stored changes nothing.
 */

import type { QuotedMessage } from "../contracts/api.ts";
import type { NamedBatch } from "./named-batch.ts";
import { mediaLabel, previewText } from "./preview.ts";
import type { StoredMessage } from "./stored-message.ts";

export interface StoredRow {
  jid: string;
  id: string;
  waha_id: string;
  key: string;
  ts: number;
  ord: number;
  from_me: number;
  sender: string | null;
  body: string | null;
  has_media: number;
  media_mimetype: string | null;
  media_name: string | null;
  ack: number | null;
  reply_to: string | null;
  reactions: string | null;
  edited_at: number | null;
  revoked_at: number | null;
  quoted_id: string | null;
  quoted_body: string | null;
  quoted_from_me: number | null;
  quoted_sender: string | null;
  quoted_has_media: number | null;
  quoted_mimetype: string | null;
  quoted_name: string | null;
  quoted_sender_name: string | null;
  sender_name: string | null;
  kind: string | null;
  extra: string | null;
}

export interface ChatState {
  filledAt: number | null;
  reconciledAt: number | null;
  complete: boolean;
}

/** What a chat list shows of a message: its text, or what kind of media it is. */
export function previewOf(
  m: Pick<StoredMessage, "body" | "hasMedia" | "mediaMimetype" | "mediaName" | "kind" | "extra">,
): string | null {
  if (m.kind === "call") return callLabel(m.extra);
  return previewText({
    body: m.body,
    hasMedia: m.hasMedia,
    mimetype: m.mediaMimetype,
    filename: m.mediaName,
    kind: m.kind === "location" ? "location" : m.kind === "vcard" ? "contact" : undefined,
  });
}

/** A call as the chat list names it: "📞 Missed call". */
function callLabel(extra: StoredMessage["extra"]): string {
  const outcome = extra && "outcome" in extra ? extra.outcome : "ringing";
  const video = extra && "video" in extra && extra.video ? "video call" : "call";
  return `📞 ${outcome === "missed" ? "Missed" : outcome === "answered" ? "Answered" : "Incoming"} ${video}`;
}

const MESSAGE_COLUMNS = `m.jid, m.id, m.waha_id, m.key, m.ts, m.ord, m.from_me, m.sender, m.body,
  m.has_media, m.media_mimetype, m.media_name, m.ack, m.reply_to, m.reactions, m.edited_at,
  m.revoked_at, m.sender_name, m.kind, m.extra, q.id AS quoted_id, q.body AS quoted_body,
  q.from_me AS quoted_from_me, q.sender AS quoted_sender, q.has_media AS quoted_has_media,
  q.media_mimetype AS quoted_mimetype, q.media_name AS quoted_name,
  q.sender_name AS quoted_sender_name`;

const QUOTED_JOIN =
  "LEFT JOIN messages q ON q.number = m.number AND q.jid = m.jid AND q.key = m.reply_to";

/** `WHERE NOT EXISTS` this message: an effect that must happen once, with its first insert. */
const NEW_MESSAGE =
  "NOT EXISTS (SELECT 1 FROM messages WHERE number = ?1 AND jid = ?2 AND id = ?3)";

/**
 * Adds to `batch` what stores a message once: the chat's row (last time, preview, unread
 * count) as `chat`, what `effects` adds (statements guarded with `onceFor`), then the message
 * itself as `message`, whose row (RETURNING) says it was new.
 */
export function addStoredMessage(
  batch: NamedBatch,
  db: D1Database,
  number: string,
  m: StoredMessage,
  now: number,
  effects: (batch: NamedBatch) => void = () => undefined,
): NamedBatch {
  const at = m.ts * 1000;
  batch.add(
    "chat",
    db
      .prepare(
        `INSERT INTO chats (number, jid, is_group, last_message_at, preview, unread_count)
         SELECT ?1, ?2, ?4, ?5, ?6, ?7 WHERE ${NEW_MESSAGE}
         ON CONFLICT (number, jid) DO UPDATE SET
           preview = CASE WHEN excluded.last_message_at >= coalesce(chats.last_message_at, 0)
             THEN excluded.preview ELSE chats.preview END,
           last_message_at = max(coalesce(chats.last_message_at, 0), excluded.last_message_at),
           unread_count = CASE WHEN ?8 THEN 0 ELSE chats.unread_count + 1 END`,
      )
      .bind(
        number,
        m.jid,
        m.id,
        m.jid.endsWith("@g.us") ? 1 : 0,
        at,
        previewOf(m),
        m.fromMe ? 0 : 1,
        m.fromMe ? 1 : 0,
      ),
  );
  effects(batch);
  return batch.add(
    "message",
    insertMessage(
      db,
      number,
      m.jid,
      m,
      now,
      "ON CONFLICT (number, jid, id) DO NOTHING RETURNING id",
    ),
  );
}

/**
 * Where a message goes among those already stored with the same second: after them (it came
 * later: a webhook, the newest page), or before them (a page read back in history, whose
 * messages at that second the inbox has not shown yet; placed after, they would sit above a
 * reader's cursor and never be paged to).
 */
export type Placement = "after" | "before";

const ORD: Record<Placement, string> = {
  after:
    "coalesce((SELECT max(ord) + 1 FROM messages WHERE number = ?1 AND jid = ?2 AND ts = ?6), 0)",
  before:
    "coalesce((SELECT min(ord) - 1 FROM messages WHERE number = ?1 AND jid = ?2 AND ts = ?6), 0)",
};

/** One message into `jid`, placed among those of the same second; `onConflict` decides a repeat. */
function insertMessage(
  db: D1Database,
  number: string,
  jid: string,
  m: StoredMessage,
  now: number,
  onConflict: string,
  placement: Placement = "after",
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO messages (number, jid, id, waha_id, key, ts, ord, from_me, sender, body,
         has_media, media_mimetype, media_name, ack, reply_to, created_at, sender_name, kind, extra)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ${ORD[placement]},
         ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
       ${onConflict}`,
    )
    .bind(
      number,
      jid,
      m.id,
      m.wahaId,
      m.key,
      m.ts,
      m.fromMe ? 1 : 0,
      m.sender,
      m.body,
      m.hasMedia ? 1 : 0,
      m.mediaMimetype,
      m.mediaName,
      m.ack,
      m.replyTo,
      now,
      m.senderName,
      m.kind ?? null,
      m.extra ? JSON.stringify(m.extra) : null,
    );
}

/** A condition that holds only while `m` is not stored yet (for effects run before it). */
export function onceFor(
  number: string,
  m: Pick<StoredMessage, "jid" | "id">,
): { sql: string; params: string[] } {
  return {
    sql: "NOT EXISTS (SELECT 1 FROM messages WHERE number = ? AND jid = ? AND id = ?)",
    params: [number, m.jid, m.id],
  };
}

/**
 * Stores a page of messages read from WAHA; those already stored get WAHA's newer ack.
 * Answers the messages this page stored first (no webhook had brought them).
 * `placement`: where new ones go among stored ones of the same second (see Placement).
 */
export async function storePage(
  db: D1Database,
  number: string,
  jid: string,
  newestFirst: StoredMessage[],
  now: number,
  complete: boolean,
  placement: Placement = "after",
): Promise<StoredMessage[]> {
  // Chronological: by time; within a second WAHA lists messages in the order they came.
  const chronological = newestFirst
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.ts - b.m.ts || a.i - b.i)
    .map(({ m }) => m);
  const newest = chronological.at(-1);
  // Each insert goes next to the one before it: oldest first after, newest first before.
  const inOrder = placement === "after" ? chronological : [...chronological].reverse();
  const statements = inOrder.map((m) =>
    insertMessage(
      db,
      number,
      jid,
      m,
      now,
      `ON CONFLICT (number, jid, id) DO UPDATE SET
         ack = CASE WHEN excluded.ack > coalesce(messages.ack, -2) THEN excluded.ack ELSE messages.ack END
       RETURNING created_at`,
      placement,
    ),
  );
  statements.push(
    db
      .prepare(
        `INSERT INTO chats (number, jid, is_group, last_message_at, preview, filled_at, reconciled_at, complete)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)
         ON CONFLICT (number, jid) DO UPDATE SET
           preview = CASE WHEN excluded.last_message_at > coalesce(chats.last_message_at, 0)
             THEN excluded.preview ELSE chats.preview END,
           last_message_at = max(coalesce(chats.last_message_at, 0), coalesce(excluded.last_message_at, 0)),
           filled_at = coalesce(chats.filled_at, excluded.filled_at),
           reconciled_at = excluded.reconciled_at,
           complete = max(chats.complete, excluded.complete)`,
      )
      .bind(
        number,
        jid,
        jid.endsWith("@g.us") ? 1 : 0,
        newest ? newest.ts * 1000 : null,
        newest ? previewOf(newest) : null,
        now,
        complete ? 1 : 0,
      ),
  );
  const results = await db.batch<{ created_at: number }>(statements);
  // Stored by this page (not before, by a webhook): its rows were created just now.
  return inOrder.filter((_, i) => results[i]?.results[0]?.created_at === now);
}

export async function chatState(
  db: D1Database,
  number: string,
  jid: string,
): Promise<ChatState | null> {
  const row = await db
    .prepare("SELECT filled_at, reconciled_at, complete FROM chats WHERE number = ? AND jid = ?")
    .bind(number, jid)
    .first<{ filled_at: number | null; reconciled_at: number | null; complete: number }>();
  return row
    ? { filledAt: row.filled_at, reconciledAt: row.reconciled_at, complete: row.complete === 1 }
    : null;
}

/** Newest first; with `before`, only messages older than that one. */
export async function pageMessages(
  db: D1Database,
  number: string,
  jid: string,
  limit: number,
  before?: { ts: number; ord: number },
): Promise<StoredRow[]> {
  const older = before ? "AND (m.ts < ? OR (m.ts = ? AND m.ord < ?))" : "";
  const params: Array<string | number> = [number, jid];
  if (before) params.push(before.ts, before.ts, before.ord);
  const { results } = await db
    .prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${QUOTED_JOIN}
       WHERE m.number = ? AND m.jid = ? ${older} ORDER BY m.ts DESC, m.ord DESC LIMIT ?`,
    )
    .bind(...params, limit)
    .all<StoredRow>();
  return results;
}

export async function storedMessage(
  db: D1Database,
  number: string,
  jid: string,
  id: string,
): Promise<StoredRow | null> {
  return db
    .prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${QUOTED_JOIN}
       WHERE m.number = ? AND m.jid = ? AND m.id = ?`,
    )
    .bind(number, jid, id)
    .first<StoredRow>();
}

/** The message a reply quotes, found by the key the reply names; null when not stored. */
export async function quotedMessage(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
): Promise<QuotedMessage | null> {
  const row = await db
    .prepare(
      `SELECT id, body, from_me, sender, has_media, media_mimetype, media_name, sender_name FROM messages
       WHERE number = ? AND jid = ? AND key = ?`,
    )
    .bind(number, jid, key)
    .first<{
      id: string;
      body: string | null;
      from_me: number;
      sender: string | null;
      has_media: number;
      media_mimetype: string | null;
      media_name: string | null;
      sender_name: string | null;
    }>();
  return row
    ? quoted(
        row.id,
        row.body,
        row.from_me,
        row.sender,
        row.has_media,
        row.media_mimetype,
        row.media_name,
        row.sender_name,
      )
    : null;
}

/** A stored message as a reply quotes it: its text, or what its media is. */
export function quoted(
  id: string,
  body: string | null,
  fromMe: number | null,
  sender: string | null,
  hasMedia: number | null,
  mimetype: string | null,
  filename: string | null,
  senderName: string | null = null,
): QuotedMessage {
  const text = body?.trim()
    ? body
    : (mediaLabel({ hasMedia: hasMedia === 1, mimetype, filename }) ?? body);
  const from = fromMe === null ? null : fromMe === 1;
  const quote: QuotedMessage = sender
    ? { id, body: text, fromMe: from, sender }
    : { id, body: text, fromMe: from };
  return senderName ? { ...quote, senderName } : quote;
}

/** WAHA's ids of a chat's latest messages from others since `sinceSeconds`, newest first. */
export async function recentIncomingIds(
  db: D1Database,
  number: string,
  jid: string,
  sinceSeconds: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT waha_id FROM messages WHERE number = ? AND jid = ? AND from_me = 0 AND ts >= ?
       ORDER BY ts DESC, ord DESC LIMIT ?`,
    )
    .bind(number, jid, sinceSeconds, limit)
    .all<{ waha_id: string }>();
  return results.map((r) => r.waha_id);
}
