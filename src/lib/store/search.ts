/** Reading the message store across chats: full-text search (FTS5, migrations/0006) and pruning. */
import { chatScope } from "../auth/access.ts";

export interface SearchHit {
  jid: string;
  id: string;
  timestamp: number;
  snippet: string;
}

/** FTS5 over stored text, newest first; `agent` limits it to that agent's chats. */
export async function searchMessages(
  db: D1Database,
  number: string,
  query: string,
  opts: { jid?: string; agent?: string | null; limit: number },
): Promise<SearchHit[]> {
  // Control characters split words here too: a NUL in an FTS5 query is a D1 error, not
  // an empty answer, whoever the caller is.
  const terms = query
    .split(/[\s\p{Cc}]+/u)
    .map((t) => t.replace(/"/g, ""))
    .filter(Boolean)
    .map((t) => `"${t}"*`)
    .join(" ");
  if (terms === "") return [];
  const where: string[] = ["messages_fts MATCH ?", "m.number = ?"];
  const params: Array<string | number> = [terms, number];
  if (opts.jid) {
    where.push("m.jid = ?");
    params.push(opts.jid);
  }
  const mine = chatScope(opts.agent ?? null, number, "m.jid");
  if (mine.sql) {
    where.push(mine.sql.replace(/^AND /, ""));
    params.push(...mine.params);
  }
  const { results } = await db
    .prepare(
      `SELECT m.jid, m.id, m.ts AS timestamp,
         snippet(messages_fts, 0, '[', ']', '…', 12) AS snippet
       FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
       WHERE ${where.join(" AND ")} ORDER BY m.ts DESC, m.ord DESC LIMIT ?`,
    )
    .bind(...params, opts.limit)
    .all<SearchHit>();
  return results;
}

/**
 * Deletes messages older than `beforeSeconds`, a bounded number at a time; answers how
 * many, and the number, chat and id of those that had media (for the media archive).
 */
export async function pruneMessages(
  db: D1Database,
  beforeSeconds: number,
  batch = 5_000,
): Promise<{ deleted: number; media: Array<{ number: string; jid: string; id: string }> }> {
  const result = await db
    .prepare(
      `DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE ts < ? LIMIT ?)
       RETURNING number, jid, id, has_media`,
    )
    .bind(beforeSeconds, batch)
    .all<{ number: string; jid: string; id: string; has_media: number }>();
  return {
    deleted: result.results.length,
    media: result.results
      .filter((r) => r.has_media === 1)
      .map(({ number, jid, id }) => ({ number, jid, id })),
  };
}
