/**
 * What webhooks change in a stored message: receipts, revokes, edits and reactions. Each is
 * one UPDATE that answers the row only when something changed, so a repeated event tells the
 * caller there is nothing to announce.
 */

type Changed = { id: string; from_me: number } | null;

function change(db: D1Database, sql: string, ...params: Array<string | number>): Promise<Changed> {
  return db
    .prepare(`${sql} RETURNING id, from_me`)
    .bind(...params)
    .first();
}

/** The stored acks of these messages of `jid` (id → ack), for telling what a WAHA page moved. */
export async function storedAcks(
  db: D1Database,
  number: string,
  jid: string,
  ids: string[],
): Promise<Map<string, number | null>> {
  if (ids.length === 0) return new Map();
  const { results } = await db
    .prepare(
      `SELECT id, ack FROM messages WHERE number = ? AND jid = ?
         AND id IN (SELECT value FROM json_each(?))`,
    )
    .bind(number, jid, JSON.stringify(ids))
    .all<{ id: string; ack: number | null }>();
  return new Map(results.map((r) => [r.id, r.ack]));
}

/** A delivery or read receipt: only ever forward (ERROR replaces anything not yet delivered). */
export function applyAck(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
  ack: number,
): Promise<Changed> {
  return change(
    db,
    `UPDATE messages SET ack = ?4 WHERE number = ?1 AND jid = ?2 AND key = ?3
       AND (ack IS NULL OR ack < ?4 OR (?4 = -1 AND ack <= 1)) AND ack IS NOT ?4`,
    number,
    jid,
    key,
    ack,
  );
}

/** Deleted for everyone: the text, file and reactions go, the row stays as a tombstone. */
export function applyRevoke(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
  at: number,
): Promise<Changed> {
  return change(
    db,
    `UPDATE messages SET revoked_at = ?4, body = NULL, has_media = 0, media_mimetype = NULL,
       media_name = NULL, reactions = NULL
     WHERE number = ?1 AND jid = ?2 AND key = ?3 AND revoked_at IS NULL`,
    number,
    jid,
    key,
    at,
  );
}

export function applyEdit(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
  body: string,
  at: number,
): Promise<Changed> {
  return change(
    db,
    `UPDATE messages SET body = ?4, edited_at = ?5
     WHERE number = ?1 AND jid = ?2 AND key = ?3 AND revoked_at IS NULL
       AND (body IS NOT ?4 OR edited_at IS NULL)`,
    number,
    jid,
    key,
    body.slice(0, 8_192),
    at,
  );
}

/** A reaction by `sender` ("" removes it). */
export function applyReaction(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
  sender: string,
  text: string,
): Promise<Changed> {
  return change(
    db,
    `UPDATE messages SET reactions = CASE WHEN ?5 = ''
         THEN json_remove(coalesce(reactions, '{}'), '$."' || ?4 || '"')
         ELSE json_set(coalesce(reactions, '{}'), '$."' || ?4 || '"', ?5) END
     WHERE number = ?1 AND jid = ?2 AND key = ?3 AND revoked_at IS NULL
       AND coalesce(json_extract(coalesce(reactions, '{}'), '$."' || ?4 || '"'), '') <> ?5`,
    number,
    jid,
    key,
    sender,
    text,
  );
}
