/**
 * Every D1 query wa-edge makes: chat assignments, agents and settings. Plain SQL with
 * `?` parameters; rows are mapped to the API's camelCase shapes here and nowhere else.
 */
import type { User } from "./types.ts";

export interface ChatAssignment {
  jid: string;
  assignedTo: string | null;
  firstMessageAt: string | null;
  firstResponseAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Agent {
  id: string;
  name: string;
  active: boolean;
}

interface AssignmentRow {
  jid: string;
  assigned_to: string | null;
  first_message_at: string | null;
  first_response_at: string | null;
  created_at: string;
  updated_at: string;
}

interface AgentRow {
  id: string;
  name: string;
  active: number;
}

const ASSIGNMENT_COLUMNS =
  "jid, assigned_to, first_message_at, first_response_at, created_at, updated_at";

function toAssignment(row: AssignmentRow): ChatAssignment {
  return {
    jid: row.jid,
    assignedTo: row.assigned_to,
    firstMessageAt: row.first_message_at,
    firstResponseAt: row.first_response_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAgent(row: AgentRow): Agent {
  return { id: row.id, name: row.name, active: row.active === 1 };
}

export async function getAssignment(db: D1Database, jid: string): Promise<ChatAssignment | null> {
  const row = await db
    .prepare(`SELECT ${ASSIGNMENT_COLUMNS} FROM chat_assignments WHERE jid = ?`)
    .bind(jid)
    .first<AssignmentRow>();
  return row ? toAssignment(row) : null;
}

export type AssignmentFilter = { agentId?: string; unassigned?: boolean };

export async function listAssignments(
  db: D1Database,
  filter: AssignmentFilter = {},
): Promise<ChatAssignment[]> {
  let sql = `SELECT ${ASSIGNMENT_COLUMNS} FROM chat_assignments`;
  const params: string[] = [];
  if (filter.agentId !== undefined) {
    sql += " WHERE assigned_to = ?";
    params.push(filter.agentId);
  } else if (filter.unassigned) {
    sql += " WHERE assigned_to IS NULL";
  }
  const { results } = await db
    .prepare(`${sql} ORDER BY updated_at DESC`)
    .bind(...params)
    .all<AssignmentRow>();
  return results.map(toAssignment);
}

/** Every jid → owner, for enriching chat lists in one query. */
export async function assignmentOwners(db: D1Database): Promise<Map<string, string>> {
  const { results } = await db
    .prepare("SELECT jid, assigned_to FROM chat_assignments WHERE assigned_to IS NOT NULL")
    .all<{ jid: string; assigned_to: string }>();
  return new Map(results.map((r) => [r.jid, r.assigned_to]));
}

/** Assigns (or reassigns) a chat, creating its row if needed. */
export async function assignChat(
  db: D1Database,
  jid: string,
  agentId: string,
  now = new Date().toISOString(),
): Promise<ChatAssignment> {
  const row = await db
    .prepare(
      `INSERT INTO chat_assignments (jid, assigned_to, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (jid) DO UPDATE SET assigned_to = excluded.assigned_to, updated_at = excluded.updated_at
       RETURNING ${ASSIGNMENT_COLUMNS}`,
    )
    .bind(jid, agentId, now, now)
    .first<AssignmentRow>();
  if (!row) throw new Error(`assigning ${jid} returned no row`);
  return toAssignment(row);
}

/** Clears a chat's owner, keeping its SLA timestamps; null when the chat has no row. */
export async function unassignChat(
  db: D1Database,
  jid: string,
  now = new Date().toISOString(),
): Promise<ChatAssignment | null> {
  const row = await db
    .prepare(
      `UPDATE chat_assignments SET assigned_to = NULL, updated_at = ? WHERE jid = ?
       RETURNING ${ASSIGNMENT_COLUMNS}`,
    )
    .bind(now, jid)
    .first<AssignmentRow>();
  return row ? toAssignment(row) : null;
}

/** May this user touch this chat? Admins and users: always; agents: only their own. */
export async function canAccessChat(db: D1Database, user: User, jid: string): Promise<boolean> {
  if (user.role !== "agent") return true;
  const row = await db
    .prepare("SELECT 1 AS ok FROM chat_assignments WHERE jid = ? AND assigned_to = ?")
    .bind(jid, user.sub)
    .first<{ ok: number }>();
  return row !== null;
}

export async function listAgents(db: D1Database): Promise<Agent[]> {
  const { results } = await db
    .prepare("SELECT id, name, active FROM agents ORDER BY id")
    .all<AgentRow>();
  return results.map(toAgent);
}

/** Creates an agent; null when the id is taken. */
export async function createAgent(db: D1Database, id: string, name: string): Promise<Agent | null> {
  const row = await db
    .prepare(
      "INSERT INTO agents (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING RETURNING id, name, active",
    )
    .bind(id, name)
    .first<AgentRow>();
  return row ? toAgent(row) : null;
}

/** Renames and/or (de)activates an agent; null when there is no such agent. */
export async function updateAgent(
  db: D1Database,
  id: string,
  patch: { name?: string; active?: boolean },
): Promise<Agent | null> {
  const row = await db
    .prepare(
      `UPDATE agents SET name = coalesce(?, name), active = coalesce(?, active),
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? RETURNING id, name, active`,
    )
    .bind(patch.name ?? null, patch.active === undefined ? null : Number(patch.active), id)
    .first<AgentRow>();
  return row ? toAgent(row) : null;
}

export async function getSetting(db: D1Database, key: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT value FROM settings WHERE key = ?")
    .bind(key)
    .first<{ value: string }>();
  return row?.value ?? null;
}

export async function setSetting(db: D1Database, key: string, value: string): Promise<void> {
  await db
    .prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key, value)
    .run();
}

/** Sets firstMessageAt (first inbound message) once; creates the chat's row if needed. */
export async function recordFirstMessage(
  db: D1Database,
  jid: string,
  at = new Date().toISOString(),
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO chat_assignments (jid, first_message_at, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (jid) DO UPDATE SET first_message_at = excluded.first_message_at, updated_at = excluded.updated_at
       WHERE chat_assignments.first_message_at IS NULL`,
    )
    .bind(jid, at, at, at)
    .run();
}

/** Sets firstResponseAt (first outbound message) once; creates the chat's row if needed. */
export async function recordFirstResponse(
  db: D1Database,
  jid: string,
  at = new Date().toISOString(),
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO chat_assignments (jid, first_response_at, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (jid) DO UPDATE SET first_response_at = excluded.first_response_at, updated_at = excluded.updated_at
       WHERE chat_assignments.first_response_at IS NULL`,
    )
    .bind(jid, at, at, at)
    .run();
}
