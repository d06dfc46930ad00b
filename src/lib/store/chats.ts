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
  /** 'some' | 'none' | null (never asked): from the contacts table. */
  avatar: string | null;
}

/** WAHA was asked about a stored chat now and refused: the next ask waits for the reconcile. */
export async function markChatChecked(
  db: D1Database,
  session: string,
  jid: string,
  now: number,
): Promise<void> {
  await db
    .prepare("UPDATE chats SET reconciled_at = ? WHERE number = ? AND jid = ?")
    .bind(now, session, jid)
    .run();
}

/** Which chats a list holds: the viewer's own (every chat for staff), or the unassigned ones. */
export type ChatQueue = "scoped" | "unassigned";

/**
 * Chats newest first, with their owners; `agent` limits them to that agent's, `queue`
 * "unassigned" to chats nobody owns. Names: the one saved on the phone, WAHA's, then the
 * push name. Unread counts are the reader's own once they have read the chat (`reader`).
 */
export async function listStoredChats(
  db: D1Database,
  session: string,
  agent: string | null,
  limit = 500,
  reader = "",
  queue: ChatQueue = "scoped",
): Promise<ChatRow[]> {
  const scope =
    queue === "unassigned"
      ? {
          sql: "AND c.jid NOT IN (SELECT jid FROM chat_assignments WHERE number = ? AND assigned_to IS NOT NULL)",
          params: [session],
        }
      : chatScope(agent, session, "c.jid");
  const params: string[] = [reader, session, ...scope.params];
  const { results } = await db
    .prepare(
      `SELECT c.jid, coalesce(ct.saved_name, c.name, ct.push_name) AS name, c.is_group,
         c.last_message_at, c.preview, a.assigned_to AS owner, ct.avatar,
         CASE WHEN r.read_at IS NULL THEN c.unread_count ELSE
           (SELECT count(*) FROM messages m WHERE m.number = c.number AND m.jid = c.jid
              AND m.from_me = 0 AND m.created_at > r.read_at) END AS unread_count
       FROM chats c
       LEFT JOIN chat_assignments a ON a.number = c.number AND a.jid = c.jid
       LEFT JOIN contacts ct ON ct.number = c.number AND ct.jid = c.jid
       LEFT JOIN chat_reads r ON r.number = c.number AND r.jid = c.jid AND r.agent_id = ?
       WHERE c.number = ? ${scope.sql}
       ORDER BY c.last_message_at IS NULL, c.last_message_at DESC, c.jid LIMIT ?`,
    )
    .bind(...params, limit)
    .all<ChatRow>();
  return results;
}

export async function countStoredChats(db: D1Database, session: string): Promise<number> {
  const row = await db
    .prepare("SELECT count(*) AS n FROM chats WHERE number = ?")
    .bind(session)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Chats from WAHA's list: names and, where WAHA keeps them, unread counts and last times. */
export async function storeChatList(
  db: D1Database,
  session: string,
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
          session,
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
  session: string,
  jid: string,
  name: string,
): D1PreparedStatement {
  return db
    .prepare("UPDATE chats SET name = ? WHERE number = ? AND jid = ? AND name IS NULL")
    .bind(name.slice(0, 200), session, jid);
}

/** WhatsApp was told the chat was read: its own unread count is zero. */
export async function markChatRead(db: D1Database, session: string, jid: string): Promise<void> {
  await db
    .prepare("UPDATE chats SET unread_count = 0 WHERE number = ? AND jid = ?")
    .bind(session, jid)
    .run();
}

/** One reader has read the chat up to now: their unread count starts again from here. */
export async function markReadBy(
  db: D1Database,
  number: string,
  jid: string,
  reader: string,
  now: number,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO chat_reads (number, jid, agent_id, read_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (number, jid, agent_id) DO UPDATE SET read_at = excluded.read_at`,
    )
    .bind(number, jid, reader, now)
    .run();
}
