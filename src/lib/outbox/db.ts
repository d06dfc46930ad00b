/** Every D1 query of the outbox (migrations/0007), plain SQL with `?` parameters, and its objects. */
import { chatScope } from "../auth/access.ts";
import type { OutboxEntry, OutboxKind } from "../contracts/outbox.ts";

export interface OutboxRow {
  client_id: string;
  jid: string;
  sender: string;
  kind: OutboxKind;
  body: string | null;
  target: string | null;
  media_mimetype: string | null;
  media_name: string | null;
  status: "queued" | "sending" | "sent" | "failed";
  attempts: number;
  ambiguous: number;
  message_id: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = `client_id, jid, sender, kind, body, target, media_mimetype, media_name, status,
  attempts, ambiguous, message_id, error, created_at, updated_at`;

export function outboxEntry(row: OutboxRow): OutboxEntry {
  return {
    clientId: row.client_id,
    jid: row.jid,
    sender: row.sender,
    kind: row.kind,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    messageId: row.message_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function getOutbox(
  db: D1Database,
  number: string,
  clientId: string,
): Promise<OutboxRow | null> {
  return db
    .prepare(`SELECT ${COLUMNS} FROM outbox WHERE number = ? AND client_id = ?`)
    .bind(number, clientId)
    .first<OutboxRow>();
}

/** Adds a queued entry; false when the clientId was taken (a retry of the same request). */
export async function insertOutbox(
  db: D1Database,
  number: string,
  row: Pick<
    OutboxRow,
    "client_id" | "jid" | "sender" | "kind" | "body" | "target" | "media_mimetype" | "media_name"
  >,
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO outbox (number, client_id, jid, sender, kind, body, target, media_mimetype,
         media_name, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(
      number,
      row.client_id,
      row.jid,
      row.sender,
      row.kind,
      row.body,
      row.target,
      row.media_mimetype,
      row.media_name,
      now,
      now,
    )
    .run();
  return result.meta.changes > 0;
}

/**
 * Takes the chat's oldest entry not yet sent or given up (the only one that may go) for an
 * attempt: it is marked sending and its attempts counted, in one statement. `only`: take it
 * only if it is that entry. One found still sending was cut off mid-attempt (the object
 * restarted), so WAHA may have it: it is marked ambiguous.
 */
export function claimHead(
  db: D1Database,
  number: string,
  jid: string,
  now: number,
  only?: string,
): Promise<OutboxRow | null> {
  return claimHeadStatement(db, number, jid, now, only).first<OutboxRow>();
}

/** claimHead as a statement, for a batch (the next head, taken as the last is marked sent). */
export function claimHeadStatement(
  db: D1Database,
  number: string,
  jid: string,
  now: number,
  only?: string,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?4,
         ambiguous = CASE WHEN status = 'sending' THEN 1 ELSE ambiguous END
       WHERE number = ?1 AND client_id = (
         SELECT client_id FROM outbox WHERE number = ?1 AND jid = ?2
           AND status IN ('queued', 'sending') ORDER BY created_at, client_id LIMIT 1)
         AND (?3 IS NULL OR client_id = ?3)
       RETURNING ${COLUMNS}`,
    )
    .bind(number, jid, only ?? null, now);
}

/** A chat's Outbox object. */
export function outboxOf(env: Env, number: string, jid: string) {
  return env.OUTBOX.get(env.OUTBOX.idFromName(`${number}\n${jid}`));
}

/** Chats' Outboxes with entries waiting try now (all: WAHA is back; one: as the probe). */
export async function wakeOutboxes(env: Env, number: string, limit?: number): Promise<void> {
  const chats = await waitingChats(env.DB, number, limit);
  await Promise.all(chats.map((jid) => outboxOf(env, number, jid).wake()));
}

/** Chats with an entry waiting for WAHA, the longest waiting first; `limit` of them. */
export async function waitingChats(db: D1Database, number: string, limit = -1): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT jid FROM outbox WHERE number = ? AND status IN ('queued', 'sending')
       GROUP BY jid ORDER BY min(created_at) LIMIT ?`,
    )
    .bind(number, limit)
    .all<{ jid: string }>();
  return results.map((r) => r.jid);
}

/** Marks an entry sent as `messageId`, for the batch that stores the message. */
export function markSentStatement(
  db: D1Database,
  number: string,
  clientId: string,
  messageId: string,
): D1PreparedStatement {
  return updateOutboxStatement(
    db,
    number,
    clientId,
    { status: "sent", messageId, error: null },
    Date.now(),
  );
}

export function updateOutboxStatement(
  db: D1Database,
  number: string,
  clientId: string,
  change: {
    status: OutboxRow["status"];
    ambiguous?: boolean;
    messageId?: string | null;
    error?: string | null;
  },
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE outbox SET status = ?, ambiguous = coalesce(?, ambiguous),
         message_id = coalesce(?, message_id), error = ?, updated_at = ?
       WHERE number = ? AND client_id = ?`,
    )
    .bind(
      change.status,
      change.ambiguous === undefined ? null : Number(change.ambiguous),
      change.messageId ?? null,
      change.error ?? null,
      now,
      number,
      clientId,
    );
}

export async function updateOutbox(
  ...args: Parameters<typeof updateOutboxStatement>
): Promise<void> {
  await updateOutboxStatement(...args).run();
}

/** A failed entry back in the queue as if just asked for: it goes after what waits already. */
export async function requeueOutbox(
  db: D1Database,
  number: string,
  clientId: string,
  now: number,
): Promise<void> {
  await db
    .prepare(
      `UPDATE outbox SET status = 'queued', attempts = 0, ambiguous = 0, error = NULL,
         created_at = ?, updated_at = ? WHERE number = ? AND client_id = ? AND status = 'failed'`,
    )
    .bind(now, now, number, clientId)
    .run();
}

/** Queued and failed entries, newest first; `agent` limits them to its chats. */
export async function listOutbox(
  db: D1Database,
  number: string,
  agent: string | null,
  limit = 200,
): Promise<OutboxRow[]> {
  const mine = chatScope(agent, number, "jid");
  const params: string[] = [number, ...mine.params];
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS} FROM outbox WHERE number = ? AND status <> 'sent' ${mine.sql}
       ORDER BY created_at DESC LIMIT ?`,
    )
    .bind(...params, limit)
    .all<OutboxRow>();
  return results;
}

/** Forgets entries done with for a day (sent or given up); answers how many. */
export async function pruneOutbox(db: D1Database, before: number): Promise<number> {
  const result = await db
    .prepare("DELETE FROM outbox WHERE status IN ('sent', 'failed') AND updated_at < ?")
    .bind(before)
    .run();
  return result.meta.changes;
}
