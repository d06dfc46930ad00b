/** Labels staff put on a chat, in D1 (migrations/0012); the chat list reads them with each chat. */

export const LABEL_MAX_CHARS = 32;
export const LABELS_MAX = 20;

/** Replaces a chat's labels; answers them sorted. */
export async function setLabels(
  db: D1Database,
  number: string,
  jid: string,
  labels: readonly string[],
): Promise<string[]> {
  const unique = [...new Set(labels)].sort((a, b) => a.localeCompare(b));
  await db.batch([
    db.prepare("DELETE FROM chat_labels WHERE number = ? AND jid = ?").bind(number, jid),
    ...unique.map((label) =>
      db
        .prepare("INSERT INTO chat_labels (number, jid, label) VALUES (?, ?, ?)")
        .bind(number, jid, label),
    ),
  ]);
  return unique;
}

/** The JSON array of a chat's labels, as a column of a query over `chats c`. */
export function labelsColumn(numberColumn: string, jidColumn: string): string {
  return `(SELECT json_group_array(label) FROM chat_labels l
    WHERE l.number = ${numberColumn} AND l.jid = ${jidColumn})`;
}

/** The labels column read back, sorted. */
export function parseLabels(json: string | null): string[] {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed)
      ? parsed.filter((l): l is string => typeof l === "string").sort((a, b) => a.localeCompare(b))
      : [];
  } catch {
    return [];
  }
}
