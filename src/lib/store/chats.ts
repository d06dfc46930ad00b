/**
 * The message store's chat list in D1 (migrations/0006): chats newest first with their owners,
 * WAHA's list merged in, names, read marks, and when WAHA was last asked. Plain SQL with `?`
 * parameters.
 */
import { chatScope } from "../auth/access.ts";
import type { ChatStatus } from "../contracts/api.ts";
import { labelsColumn } from "../team/labels.ts";
import type { ListedChat } from "../waha/resource-loaders.ts";

export interface ChatRow {
  jid: string;
  name: string | null;
  is_group: number;
  last_message_at: number | null;
  preview: string | null;
  unread_count: number;
  owner: string | null;
  status: ChatStatus;
  snooze_until: number | null;
  /** JSON array. */
  labels: string | null;
  /** 'some' | 'none' | null (never asked): from the contacts table. */
  avatar: string | null;
}

/** The team inbox's narrowing of the list: one status, one label. */
export interface ChatListFilter {
  status?: ChatStatus | undefined;
  label?: string | undefined;
  /** "unassigned": the chats nobody owns, whoever asks (the queue agents take from). */
  queue?: "unassigned" | undefined;
  /** Whose unread counts: a reader's own once they have read the chat. */
  reader?: string | undefined;
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

/**
 * Chats newest first, with their owners, status and labels; `agent` limits them to that
 * agent's, `filter` to one status or label (a label matched without regard to case).
 */
export async function listStoredChats(
  db: D1Database,
  number: string,
  agent: string | null,
  filter: ChatListFilter = {},
  limit = 500,
): Promise<ChatRow[]> {
  const mine =
    filter.queue === "unassigned"
      ? {
          sql: "AND c.jid NOT IN (SELECT jid FROM chat_assignments WHERE number = ? AND assigned_to IS NOT NULL)",
          params: [number],
        }
      : chatScope(agent, number, "c.jid");
  const params: string[] = [filter.reader ?? "", number, ...mine.params];
  let narrow = "";
  if (filter.status !== undefined) {
    narrow += " AND coalesce(s.status, 'open') = ?";
    params.push(filter.status);
  }
  if (filter.label !== undefined) {
    narrow += ` AND EXISTS (SELECT 1 FROM chat_labels fl WHERE fl.number = c.number
      AND fl.jid = c.jid AND fl.label = ? COLLATE NOCASE)`;
    params.push(filter.label);
  }
  const { results } = await db
    .prepare(
      `SELECT c.jid, coalesce(ct.saved_name, c.name, ct.push_name) AS name, c.is_group,
         c.last_message_at, c.preview, ct.avatar,
         CASE WHEN r.read_at IS NULL THEN c.unread_count ELSE
           (SELECT count(*) FROM messages m WHERE m.number = c.number AND m.jid = c.jid
              AND m.from_me = 0 AND m.created_at > r.read_at) END AS unread_count,
         a.assigned_to AS owner, coalesce(s.status, 'open') AS status, s.snooze_until,
         ${labelsColumn("c.number", "c.jid")} AS labels
       FROM chats c LEFT JOIN chat_assignments a ON a.number = c.number AND a.jid = c.jid
         LEFT JOIN chat_states s ON s.number = c.number AND s.jid = c.jid
         LEFT JOIN contacts ct ON ct.number = c.number AND ct.jid = c.jid
         LEFT JOIN chat_reads r ON r.number = c.number AND r.jid = c.jid AND r.agent_id = ?
       WHERE c.number = ? ${mine.sql}${narrow}
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
