/**
 * A conversation's status in D1 (migrations/0012): open, pending, resolved or snoozed, and
 * every change in `chat_status_changes` (a resolution keeps its owner and how long the chat
 * had been open, for reports). A customer's message reopens a resolved or snoozed chat; a
 * snooze ends by itself once its time passes (on the next list read or cron run).
 */
import type { ChatStatus } from "../contracts/api.ts";
import { chatOwnerStatement } from "../db.ts";
import { chatAudience, type Fanout } from "../realtime/broadcast.ts";
import type { NamedBatch } from "../store/named-batch.ts";
import { withCondition } from "../store/named-batch.ts";

export type { ChatStatus } from "../contracts/api.ts";

export const CHAT_STATUSES = ["open", "pending", "resolved", "snoozed"] as const;

/** ms since the epoch from an ISO text column (assignments keep ISO times). */
const ISO_MS = (column: string) =>
  `CAST(round((julianday(${column}) - 2440587.5) * 86400000) AS INTEGER)`;

// When the chat became open: its last reopening, else its first customer message.
const OPENED_AT = `coalesce(
  (SELECT opened_at FROM chat_states WHERE number = ?1 AND jid = ?2),
  (SELECT ${ISO_MS("first_message_at")} FROM chat_assignments WHERE number = ?1 AND jid = ?2))`;

export interface StatusChange {
  status: ChatStatus;
  snoozeUntil: number | null;
  /** The status before (open when none was set). */
  before: ChatStatus;
  owner: string | null;
}

/** Sets a chat's status (snoozeUntil only with snoozed); answers what it was and who owns it. */
export async function setChatStatus(
  db: D1Database,
  number: string,
  jid: string,
  status: ChatStatus,
  snoozeUntil: number | null,
  by: string,
  now: number,
): Promise<StatusChange> {
  const until = status === "snoozed" ? snoozeUntil : null;
  const [before, owner] = await db.batch<{ status?: string; assigned_to?: string | null }>([
    db.prepare("SELECT status FROM chat_states WHERE number = ? AND jid = ?").bind(number, jid),
    chatOwnerStatement(db, number, jid),
    db
      .prepare(
        `INSERT INTO chat_status_changes (number, jid, status, at, by, owner, resolution_ms)
         SELECT ?1, ?2, ?3, ?4, ?5, (SELECT assigned_to FROM chat_assignments WHERE number = ?1 AND jid = ?2),
           CASE WHEN ?3 = 'resolved' THEN ?4 - ${OPENED_AT} END
         WHERE coalesce((SELECT status FROM chat_states WHERE number = ?1 AND jid = ?2), 'open') <> ?3`,
      )
      .bind(number, jid, status, now, by),
    db
      .prepare(
        `INSERT INTO chat_states (number, jid, status, snooze_until, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (number, jid) DO UPDATE SET
           opened_at = CASE WHEN excluded.status = 'open' AND chat_states.status <> 'open'
             THEN excluded.updated_at ELSE chat_states.opened_at END,
           status = excluded.status, snooze_until = excluded.snooze_until,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .bind(number, jid, status, until, now, by),
  ]);
  return {
    status,
    snoozeUntil: until,
    before: (before?.results[0]?.status as ChatStatus | undefined) ?? "open",
    owner: owner?.results[0]?.assigned_to ?? null,
  };
}

/**
 * For a customer's message, added to the batch that stores it before its assignment
 * effects (so auto-assign sees the chat open): a resolved or snoozed chat opens again.
 * `once` holds while the message is not stored yet, so a replay changes nothing. Rows by
 * name: `reopened` (the chat, when it reopened).
 */
export function addReopen(
  batch: NamedBatch,
  db: D1Database,
  number: string,
  jid: string,
  now: number,
  once: { sql: string; params: string[] },
): NamedBatch {
  const closed = `EXISTS (SELECT 1 FROM chat_states WHERE number = ?1 AND jid = ?2
    AND status IN ('resolved', 'snoozed'))`;
  const history = withCondition([number, jid, now], once);
  const update = withCondition([number, jid, now], once);
  return batch
    .add(
      "reopen-history",
      db
        .prepare(
          `INSERT INTO chat_status_changes (number, jid, status, at)
           SELECT ?1, ?2, 'open', ?3 WHERE ${closed} AND ${history.sql}`,
        )
        .bind(...history.params),
    )
    .add(
      "reopened",
      db
        .prepare(
          `UPDATE chat_states SET status = 'open', snooze_until = NULL, opened_at = ?3,
             updated_at = ?3, updated_by = NULL
           WHERE number = ?1 AND jid = ?2 AND status IN ('resolved', 'snoozed') AND ${update.sql}
           RETURNING jid`,
        )
        .bind(...update.params),
    );
}

/**
 * Snoozed chats whose time has come open again; answers the frames that say so. Called on
 * a list read and by the cron, so no snooze outlives its time by more than either.
 */
export async function wakeSnoozed(db: D1Database, number: string, now: number): Promise<Fanout> {
  // A read first: most list reads find nothing due, and need write nothing.
  const due = await db
    .prepare(
      "SELECT 1 AS due FROM chat_states WHERE status = 'snoozed' AND snooze_until <= ? AND number = ? LIMIT 1",
    )
    .bind(now, number)
    .first<{ due: number }>();
  if (!due) return [];
  const [, woken] = await db.batch<{ jid: string; owner: string | null }>([
    db
      .prepare(
        `INSERT INTO chat_status_changes (number, jid, status, at)
         SELECT number, jid, 'open', ?2 FROM chat_states
         WHERE number = ?1 AND status = 'snoozed' AND snooze_until <= ?2`,
      )
      .bind(number, now),
    db
      .prepare(
        `UPDATE chat_states SET status = 'open', snooze_until = NULL, opened_at = ?2,
           updated_at = ?2, updated_by = NULL
         WHERE number = ?1 AND status = 'snoozed' AND snooze_until <= ?2
         RETURNING jid, (SELECT assigned_to FROM chat_assignments a
           WHERE a.number = chat_states.number AND a.jid = chat_states.jid) AS owner`,
      )
      .bind(number, now),
  ]);
  return (woken?.results ?? []).map((row) => ({
    event: { type: "chat.status", jid: row.jid, number, status: "open" },
    audience: chatAudience(row.owner),
  }));
}
