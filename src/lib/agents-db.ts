/**
 * Agents in D1: who auto-assign rotates over, their sign-in e-mails and the numbers they
 * work. Plain SQL; rows become the API's `Agent` here and nowhere else.
 */
import type { Agent } from "./contracts/api.ts";

export type { Agent } from "./contracts/api.ts";

interface AgentRow {
  id: string;
  name: string;
  active: number;
  email: string | null;
  numbers: string | null;
}

const AGENT_COLUMNS = "id, name, active, email, numbers";

/** An agent's numbers as stored (a JSON array of ids; NULL, or anything else: every number). */
function parseNumbers(raw: string | null): string[] | null {
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === "string") : null;
  } catch {
    return null;
  }
}

function toAgent(row: AgentRow): Agent {
  const agent: Agent = {
    id: row.id,
    name: row.name,
    active: row.active === 1,
    numbers: parseNumbers(row.numbers),
  };
  if (row.email !== null) agent.email = row.email;
  return agent;
}

/** The numbers an agent works (null: every number, or no such agent). */
export async function agentNumbers(db: D1Database, id: string): Promise<string[] | null> {
  const row = await db
    .prepare("SELECT numbers FROM agents WHERE id = ?")
    .bind(id)
    .first<{ numbers: string | null }>();
  return parseNumbers(row?.numbers ?? null);
}

export async function listAgents(db: D1Database): Promise<Agent[]> {
  const { results } = await db
    .prepare(`SELECT ${AGENT_COLUMNS} FROM agents ORDER BY id`)
    .all<AgentRow>();
  return results.map(toAgent);
}

/** Creates an agent; null when the id is taken. */
export async function createAgent(db: D1Database, id: string, name: string): Promise<Agent | null> {
  const row = await db
    .prepare(
      `INSERT INTO agents (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING RETURNING ${AGENT_COLUMNS}`,
    )
    .bind(id, name)
    .first<AgentRow>();
  return row ? toAgent(row) : null;
}

/**
 * Renames, (de)activates and/or sets the numbers of an agent (`numbers` null: every
 * number); null when there is no such agent.
 */
export async function updateAgent(
  db: D1Database,
  id: string,
  patch: { name?: string; active?: boolean; numbers?: string[] | null },
): Promise<Agent | null> {
  const row = await db
    .prepare(
      `UPDATE agents SET name = coalesce(?1, name), active = coalesce(?2, active),
       numbers = CASE WHEN ?3 THEN ?4 ELSE numbers END,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?5 RETURNING ${AGENT_COLUMNS}`,
    )
    .bind(
      patch.name ?? null,
      patch.active === undefined ? null : Number(patch.active),
      patch.numbers === undefined ? 0 : 1,
      patch.numbers ? JSON.stringify(patch.numbers) : null,
      id,
    )
    .first<AgentRow>();
  return row ? toAgent(row) : null;
}

export async function getAgent(db: D1Database, id: string): Promise<Agent | null> {
  const row = await db
    .prepare(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`)
    .bind(id)
    .first<AgentRow>();
  return row ? toAgent(row) : null;
}

/** The agent a sign-in e-mail is mapped to (case-insensitive), active or not; null when none. */
export async function findAgentByEmail(db: D1Database, email: string): Promise<Agent | null> {
  const row = await db
    .prepare(`SELECT ${AGENT_COLUMNS} FROM agents WHERE email = ? COLLATE NOCASE`)
    .bind(email)
    .first<AgentRow>();
  return row ? toAgent(row) : null;
}

export type AgentWrite =
  | { status: "done"; agent: Agent }
  | { status: "id-taken" }
  | { status: "email-taken" }
  | { status: "not-found" };

/** Creates an agent with a sign-in e-mail (lowercase); refuses a taken id or e-mail. */
export async function createAgentWithEmail(
  db: D1Database,
  id: string,
  name: string,
  email: string,
): Promise<AgentWrite> {
  const row = await db
    .prepare(
      `INSERT INTO agents (id, name, email) SELECT ?1, ?2, ?3
       WHERE NOT EXISTS (SELECT 1 FROM agents WHERE email = ?3 COLLATE NOCASE)
       ON CONFLICT (id) DO NOTHING RETURNING ${AGENT_COLUMNS}`,
    )
    .bind(id, name, email)
    .first<AgentRow>();
  if (row) return { status: "done", agent: toAgent(row) };
  return (await getAgent(db, id)) ? { status: "id-taken" } : { status: "email-taken" };
}

/** Sets (or with null removes) an agent's sign-in e-mail; refuses one another agent has. */
export async function setAgentEmail(
  db: D1Database,
  id: string,
  email: string | null,
): Promise<AgentWrite> {
  const row = await db
    .prepare(
      `UPDATE agents SET email = ?1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       WHERE id = ?2 AND (?1 IS NULL OR NOT EXISTS
         (SELECT 1 FROM agents WHERE email = ?1 COLLATE NOCASE AND id <> ?2))
       RETURNING ${AGENT_COLUMNS}`,
    )
    .bind(email, id)
    .first<AgentRow>();
  if (row) return { status: "done", agent: toAgent(row) };
  return (await getAgent(db, id)) ? { status: "email-taken" } : { status: "not-found" };
}
