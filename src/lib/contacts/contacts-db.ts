/**
 * The contacts table (migrations/0013): a person's push name (from their messages), the name
 * saved on the phone (WAHA's contacts API) and when their picture was last asked for. Plain
 * SQL with `?` parameters.
 */

/** The push name a message carried: the latest one wins (people change theirs). */
export function pushNameStatement(
  db: D1Database,
  number: string,
  jid: string,
  name: string,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO contacts (number, jid, push_name, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (number, jid) DO UPDATE SET push_name = excluded.push_name,
         updated_at = excluded.updated_at`,
    )
    .bind(number, jid, name.slice(0, 200), now);
}

/** What one look at WAHA found: a picture or none, and the saved name where there is one. */
export async function recordAvatar(
  db: D1Database,
  number: string,
  jid: string,
  avatar: "some" | "none",
  checkedAt: number,
  savedName: string | null,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO contacts (number, jid, saved_name, avatar, avatar_checked_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (number, jid) DO UPDATE SET saved_name = coalesce(excluded.saved_name, contacts.saved_name),
         avatar = excluded.avatar, avatar_checked_at = excluded.avatar_checked_at,
         updated_at = excluded.updated_at`,
    )
    .bind(number, jid, savedName, avatar, checkedAt)
    .run();
}
