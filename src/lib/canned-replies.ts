/**
 * Canned replies in D1 (migrations/0011): texts the team inserts with `/shortcut`.
 * Plain SQL with `?` parameters; a taken shortcut is an outcome, not a throw.
 */
import type { CannedReply } from "./contracts/api.ts";

export type { CannedReply } from "./contracts/api.ts";

export type CannedWrite =
  | { status: "done"; reply: CannedReply }
  | { status: "shortcut-taken" }
  | { status: "not-found" };

interface Row {
  id: string;
  shortcut: string;
  text: string;
}

const toReply = (row: Row): CannedReply => ({ id: row.id, shortcut: row.shortcut, text: row.text });

/** D1 reports a broken UNIQUE constraint only in the error's message. */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/i.test(error.message);
}

export async function listCannedReplies(db: D1Database): Promise<CannedReply[]> {
  const { results } = await db
    .prepare("SELECT id, shortcut, text FROM canned_replies ORDER BY shortcut")
    .all<Row>();
  return results.map(toReply);
}

export async function createCannedReply(
  db: D1Database,
  id: string,
  shortcut: string,
  text: string,
): Promise<CannedWrite> {
  try {
    const row = await db
      .prepare(
        "INSERT INTO canned_replies (id, shortcut, text) VALUES (?, ?, ?) RETURNING id, shortcut, text",
      )
      .bind(id, shortcut, text)
      .first<Row>();
    return row ? { status: "done", reply: toReply(row) } : { status: "not-found" };
  } catch (error) {
    if (isUniqueViolation(error)) return { status: "shortcut-taken" };
    throw error;
  }
}

export async function updateCannedReply(
  db: D1Database,
  id: string,
  patch: { shortcut?: string | undefined; text?: string | undefined },
): Promise<CannedWrite> {
  try {
    const row = await db
      .prepare(
        `UPDATE canned_replies SET shortcut = coalesce(?, shortcut), text = coalesce(?, text),
           updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ? RETURNING id, shortcut, text`,
      )
      .bind(patch.shortcut ?? null, patch.text ?? null, id)
      .first<Row>();
    return row ? { status: "done", reply: toReply(row) } : { status: "not-found" };
  } catch (error) {
    if (isUniqueViolation(error)) return { status: "shortcut-taken" };
    throw error;
  }
}

/** Answers whether there was such a reply. */
export async function deleteCannedReply(db: D1Database, id: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM canned_replies WHERE id = ?").bind(id).run();
  return result.meta.changes > 0;
}
