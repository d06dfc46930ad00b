/** Staff's private notes on a chat in D1 (migrations/0012): kept here, never sent to WhatsApp. */
import type { ChatNote } from "../contracts/api.ts";

export type { ChatNote } from "../contracts/api.ts";

interface NoteRow {
  id: number;
  jid: string;
  author: string;
  author_name: string | null;
  text: string;
  created_at: number;
}

const COLUMNS = "id, jid, author, author_name, text, created_at";

function toNote(row: NoteRow): ChatNote {
  return {
    id: row.id,
    jid: row.jid,
    author: row.author,
    authorName: row.author_name,
    text: row.text,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function addNote(
  db: D1Database,
  number: string,
  jid: string,
  author: { sub: string; name?: string | undefined },
  text: string,
  now: number,
): Promise<ChatNote> {
  const row = await db
    .prepare(
      `INSERT INTO chat_notes (number, jid, author, author_name, text, created_at)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    )
    .bind(number, jid, author.sub, author.name ?? null, text, now)
    .first<NoteRow>();
  if (!row) throw new Error(`note for ${jid} was not stored`);
  return toNote(row);
}

/** A chat's notes, oldest first (the newest `limit`). */
export async function listNotes(
  db: D1Database,
  number: string,
  jid: string,
  limit = 200,
): Promise<ChatNote[]> {
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM chat_notes WHERE number = ? AND jid = ?
         ORDER BY created_at DESC, id DESC LIMIT ?) ORDER BY created_at, id`,
    )
    .bind(number, jid, limit)
    .all<NoteRow>();
  return results.map(toNote);
}
