/**
 * Chat assignments and the settings around them in D1: who owns a chat, auto-assign's
 * round robin per number, the SLA stamps. Plain SQL with `?` parameters; rows are mapped to
 * the API's camelCase shapes here and nowhere else. Agents are in agents-db.ts.
 */

import { mayTouch, scopedAgent } from "./auth/access.ts";
import { forgetGrants } from "./auth/access-grants.ts";
import type { ChatAssignment } from "./contracts/api.ts";
import { type NamedBatch, withCondition } from "./store/named-batch.ts";
import type { User } from "./types.ts";

export type { ChatAssignment } from "./contracts/api.ts";

/** One chat assignment as D1 stores it (snake_case, ISO times). */
export interface AssignmentRow {
  jid: string;
  assigned_to: string | null;
  first_message_at: string | null;
  first_response_at: string | null;
  created_at: string;
  updated_at: string;
}

export const ASSIGNMENT_COLUMNS =
  "jid, assigned_to, first_message_at, first_response_at, created_at, updated_at";

export function toAssignment(row: AssignmentRow): ChatAssignment {
  return {
    jid: row.jid,
    assignedTo: row.assigned_to,
    firstMessageAt: row.first_message_at,
    firstResponseAt: row.first_response_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getAssignment(
  db: D1Database,
  number: string,
  jid: string,
): Promise<ChatAssignment | null> {
  const row = await db
    .prepare(`SELECT ${ASSIGNMENT_COLUMNS} FROM chat_assignments WHERE number = ? AND jid = ?`)
    .bind(number, jid)
    .first<AssignmentRow>();
  return row ? toAssignment(row) : null;
}

export type AssignmentFilter = { agentId?: string; unassigned?: boolean };

export async function listAssignments(
  db: D1Database,
  number: string,
  filter: AssignmentFilter = {},
): Promise<ChatAssignment[]> {
  let sql = `SELECT ${ASSIGNMENT_COLUMNS} FROM chat_assignments WHERE number = ?`;
  const params: string[] = [number];
  if (filter.agentId !== undefined) {
    sql += " AND assigned_to = ?";
    params.push(filter.agentId);
  } else if (filter.unassigned) {
    sql += " AND assigned_to IS NULL";
  }
  const { results } = await db
    .prepare(`${sql} ORDER BY updated_at DESC`)
    .bind(...params)
    .all<AssignmentRow>();
  return results.map(toAssignment);
}

/** May this user touch this chat (the rule in access.ts, with the chat's owner from D1)? */
export async function canAccessChat(
  db: D1Database,
  user: User,
  number: string,
  jid: string,
): Promise<boolean> {
  if (scopedAgent(user) === null) return true;
  return mayTouch(user, await chatOwner(db, number, jid));
}

async function getSetting(db: D1Database, key: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT value FROM settings WHERE key = ?")
    .bind(key)
    .first<{ value: string }>();
  return row?.value ?? null;
}

async function setSetting(db: D1Database, key: string, value: string): Promise<void> {
  await db
    .prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key, value)
    .run();
}

// Set-once SLA timestamp; parameters: number, jid, at, created_at, updated_at.
const FIRST_RESPONSE_SQL = `INSERT INTO chat_assignments (number, jid, first_response_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (number, jid) DO UPDATE SET first_response_at = excluded.first_response_at, updated_at = excluded.updated_at
  WHERE chat_assignments.first_response_at IS NULL`;

/** Sets firstResponseAt (first outbound message) once; creates the chat's row if needed. */
export async function recordFirstResponse(
  db: D1Database,
  number: string,
  jid: string,
  at = new Date().toISOString(),
): Promise<void> {
  await db.prepare(FIRST_RESPONSE_SQL).bind(number, jid, at, at, at).run();
}

/** Auto-assign is on unless the setting says "off" (a missing row means the default, on). */
export async function autoAssignEnabled(db: D1Database): Promise<boolean> {
  return (await getSetting(db, "auto_assign")) !== "off";
}

export async function setAutoAssign(db: D1Database, enabled: boolean): Promise<void> {
  await setSetting(db, "auto_assign", enabled ? "on" : "off");
}

/** A chat's owner change: the row after it, and who owned the chat before. */
export interface OwnerChange {
  assignment: ChatAssignment;
  previousOwner: string | null;
}

/**
 * Assigns a chat to `agentId`, or unassigns it with null, reading the previous owner in
 * the same transaction so both sides of a reassignment can be told. Unassigning a chat
 * that has no row answers null.
 */
export async function changeChatOwner(
  db: D1Database,
  number: string,
  jid: string,
  agentId: string | null,
  now = new Date().toISOString(),
): Promise<OwnerChange | null> {
  const change =
    agentId === null
      ? db
          .prepare(
            `UPDATE chat_assignments SET assigned_to = NULL, updated_at = ? WHERE number = ? AND jid = ?
             RETURNING ${ASSIGNMENT_COLUMNS}`,
          )
          .bind(now, number, jid)
      : db
          .prepare(
            `INSERT INTO chat_assignments (number, jid, assigned_to, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (number, jid) DO UPDATE SET assigned_to = excluded.assigned_to, updated_at = excluded.updated_at
             RETURNING ${ASSIGNMENT_COLUMNS}`,
          )
          .bind(number, jid, agentId, now, now);
  forgetGrants({ number, jid });
  const [before, after] = await db.batch<{ assigned_to: string | null } & AssignmentRow>([
    db
      .prepare("SELECT assigned_to FROM chat_assignments WHERE number = ? AND jid = ?")
      .bind(number, jid),
    change,
  ]);
  const row = after?.results[0];
  if (!row) return null;
  return { assignment: toAssignment(row), previousOwner: before?.results[0]?.assigned_to ?? null };
}

// A chat is auto-assigned on its first inbound message when auto-assign is on, it has
// neither a first message nor an owner yet, it is open (not pending: someone set it aside),
// and some active agent works its number. ?1 is the number, ?2 the jid.
const WORKS_NUMBER = `(agents.numbers IS NULL
  OR EXISTS (SELECT 1 FROM json_each(agents.numbers) WHERE json_each.value = ?1))`;

const NEEDS_AUTO_ASSIGN = `coalesce((SELECT value FROM settings WHERE key = 'auto_assign'), 'on') = 'on'
  AND NOT EXISTS (SELECT 1 FROM chat_assignments
    WHERE number = ?1 AND jid = ?2 AND (first_message_at IS NOT NULL OR assigned_to IS NOT NULL))
  AND NOT EXISTS (SELECT 1 FROM chat_states WHERE number = ?1 AND jid = ?2 AND status <> 'open')
  AND EXISTS (SELECT 1 FROM agents WHERE active = 1 AND ${WORKS_NUMBER})`;

/** The number's round-robin cursor (the last agent it picked), one per number. */
const CURSOR = `(SELECT value FROM settings WHERE key = 'round_robin_cursor:' || ?1)`;

// The number's next active agent after its cursor in id order, wrapping around to the first.
const NEXT_AGENT = `coalesce(
  (SELECT id FROM agents WHERE active = 1 AND ${WORKS_NUMBER}
     AND id > coalesce(${CURSOR}, '')
   ORDER BY id LIMIT 1),
  (SELECT id FROM agents WHERE active = 1 AND ${WORKS_NUMBER} ORDER BY id LIMIT 1))`;

/** Sets a chat's first inbound or first outbound time, unless it is set; `when` must hold. */
function stampFirst(
  db: D1Database,
  column: "first_message_at" | "first_response_at",
  chat: { number: string; jid: string },
  at: string,
  now: string,
  when: { sql: string; params: string[] },
): D1PreparedStatement {
  const { sql, params } = withCondition([chat.number, chat.jid, at, now, now], when);
  return db
    .prepare(
      `INSERT INTO chat_assignments (number, jid, ${column}, created_at, updated_at)
       SELECT ?1, ?2, ?3, ?4, ?5 WHERE ${sql}
       ON CONFLICT (number, jid) DO UPDATE SET ${column} = excluded.${column},
         updated_at = excluded.updated_at
       WHERE chat_assignments.${column} IS NULL`,
    )
    .bind(...params);
}

/**
 * The assignment side of a chat's message, added to the batch that stores it: an inbound
 * one sets firstMessageAt once and, for a new chat, assigns it round-robin over the agents
 * of its number (the cursor moves and the chat is assigned in the same transaction, so
 * concurrent first messages never take the same turn); an outbound one sets
 * firstResponseAt once. `once` is extra SQL that must hold (the message is not stored yet),
 * so a replay does nothing. Results by name: `picked` (an agent just auto-assigned, when
 * there is one) and `owner` (the chat's owner, read last).
 */
export function addMessageEffects(
  batch: NamedBatch,
  db: D1Database,
  message: { number: string; jid: string; fromMe: boolean; at: string },
  now: string,
  once: { sql: string; params: string[] } = { sql: "1", params: [] },
): NamedBatch {
  const { number, jid, at } = message;
  const owner = chatOwnerStatement(db, number, jid);
  if (message.fromMe) {
    return batch
      .add("first-response", stampFirst(db, "first_response_at", message, at, now, once))
      .add("owner", owner);
  }
  const cursor = withCondition([number, jid], once);
  const assign = withCondition([number, jid, at, now], once);
  return batch
    .add(
      "cursor",
      db
        .prepare(
          `INSERT INTO settings (key, value) SELECT 'round_robin_cursor:' || ?1, ${NEXT_AGENT}
           WHERE ${NEEDS_AUTO_ASSIGN} AND ${cursor.sql}
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        )
        .bind(...cursor.params),
    )
    .add(
      "picked",
      db
        .prepare(
          `INSERT INTO chat_assignments (number, jid, assigned_to, first_message_at, created_at, updated_at)
           SELECT ?1, ?2, ${CURSOR}, ?3, ?4, ?4
           WHERE ${NEEDS_AUTO_ASSIGN} AND ${assign.sql}
           ON CONFLICT (number, jid) DO UPDATE SET assigned_to = excluded.assigned_to,
             first_message_at = excluded.first_message_at, updated_at = excluded.updated_at
           RETURNING assigned_to`,
        )
        .bind(...assign.params),
    )
    .add("first-message", stampFirst(db, "first_message_at", message, at, now, once))
    .add("owner", owner);
}

/** Reads a chat's owner (`assigned_to`, null when nobody's). */
export function chatOwnerStatement(
  db: D1Database,
  number: string,
  jid: string,
): D1PreparedStatement {
  return db
    .prepare("SELECT assigned_to FROM chat_assignments WHERE number = ? AND jid = ?")
    .bind(number, jid);
}

/** The chat's owner, or null when it has none (or no row). */
export async function chatOwner(
  db: D1Database,
  number: string,
  jid: string,
): Promise<string | null> {
  const row = await chatOwnerStatement(db, number, jid).first<{ assigned_to: string | null }>();
  return row?.assigned_to ?? null;
}
