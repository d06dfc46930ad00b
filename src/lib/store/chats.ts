/**
 * The message store's chat list in D1 (migrations/0006): chats newest first with their owners,
 * WAHA's list merged in, names, read marks, and when WAHA was last asked. Plain SQL with `?`
 * parameters.
 */
import { chatScope } from "../auth/access.ts";
import type { ListedChat } from "../waha/resource-loaders.ts";

export interface ChatRow {
  jid: string;
  name: string | null;
  is_group: number;
  last_message_at: number | null;
  preview: string | null;
  unread_count: number;
  owner: string | null;
}

/** WAHA was asked about a stored chat now and refused: the next ask waits for the reconcile. */
export async function markChatChecked(
  db: D1Database,
  number: string,
  jid: string,
  now: number,
): Promise<void> {
  await db
    .prepare("UPDATE chats SET reconciled_at = ? WHERE number = ? AND jid = ?")
    .bind(now, number, jid)
    .run();
}

/** Chats newest first, with their owners; `agent` limits them to that agent's. */
export async function listStoredChats(
  db: D1Database,
  number: string,
  agent: string | null,
  limit = 500,
): Promise<ChatRow[]> {
  const mine = chatScope(agent, number, "c.jid");
  const params: string[] = [number, ...mine.params];
  const { results } = await db
    .prepare(
      `SELECT c.jid, c.name, c.is_group, c.last_message_at, c.preview, c.unread_count,
         a.assigned_to AS owner
       FROM chats c LEFT JOIN chat_assignments a ON a.number = c.number AND a.jid = c.jid
       WHERE c.number = ? ${mine.sql}
       ORDER BY c.last_message_at IS NULL, c.last_message_at DESC, c.jid LIMIT ?`,
    )
    .bind(...params, limit)
    .all<ChatRow>();
  return results;
}

export async function countStoredChats(db: D1Database, number: string): Promise<number> {
  const row = await db
    .prepare("SELECT count(*) AS n FROM chats WHERE number = ?")
    .bind(number)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Chats from WAHA's list: names and, where WAHA keeps them, unread counts and last times. */
export async function storeChatList(
  db: D1Database,
  number: string,
  chats: ListedChat[],
): Promise<void> {
  if (chats.length === 0) return;
  await db.batch(
    chats.map((c) =>
      db
        .prepare(
          `INSERT INTO chats (number, jid, name, is_group, last_message_at, preview, unread_count)
           VALUES (?, ?, ?, ?, ?, ?, coalesce(?, 0))
           ON CONFLICT (number, jid) DO UPDATE SET
             name = coalesce(excluded.name, chats.name),
             preview = CASE WHEN coalesce(excluded.last_message_at, 0) > coalesce(chats.last_message_at, 0)
               AND excluded.preview IS NOT NULL THEN excluded.preview ELSE chats.preview END,
             last_message_at = max(coalesce(chats.last_message_at, 0), coalesce(excluded.last_message_at, 0)),
             unread_count = coalesce(?, chats.unread_count)`,
        )
        .bind(
          number,
          c.jid,
          c.name,
          c.isGroup ? 1 : 0,
          c.lastMessageAt,
          c.preview,
          c.unreadCount,
          c.unreadCount,
        ),
    ),
  );
}

/** A name for a chat that has none yet (a sender's push name). */
export function nameChatStatement(
  db: D1Database,
  number: string,
  jid: string,
  name: string,
): D1PreparedStatement {
  return db
    .prepare("UPDATE chats SET name = ? WHERE number = ? AND jid = ? AND name IS NULL")
    .bind(name.slice(0, 200), number, jid);
}

export async function markChatRead(db: D1Database, number: string, jid: string): Promise<void> {
  await db
    .prepare("UPDATE chats SET unread_count = 0 WHERE number = ? AND jid = ?")
    .bind(number, jid)
    .run();
}
