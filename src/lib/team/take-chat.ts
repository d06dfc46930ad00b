/**
 * An agent takes an unassigned chat: assigned to it only while nobody owns it, in one
 * statement, so two agents taking the same chat at once cannot both have it.
 */
import type { ChatAssignment } from "../contracts/api.ts";

interface Row {
  jid: string;
  assigned_to: string | null;
  first_message_at: string | null;
  first_response_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The assignment now the agent's, or null when someone owns the chat already. */
export async function takeChat(
  db: D1Database,
  number: string,
  jid: string,
  agentId: string,
  now = new Date().toISOString(),
): Promise<ChatAssignment | null> {
  const row = await db
    .prepare(
      `INSERT INTO chat_assignments (number, jid, assigned_to, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (number, jid) DO UPDATE SET assigned_to = excluded.assigned_to,
         updated_at = excluded.updated_at
       WHERE chat_assignments.assigned_to IS NULL
       RETURNING jid, assigned_to, first_message_at, first_response_at, created_at, updated_at`,
    )
    .bind(number, jid, agentId, now, now)
    .first<Row>();
  if (!row) return null;
  return {
    jid: row.jid,
    assignedTo: row.assigned_to,
    firstMessageAt: row.first_message_at,
    firstResponseAt: row.first_response_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Whether reading a chat tells the customer (sendSeen), under WA_SEND_SEEN. */
export function readSendsSeen(
  policy: "assignee" | "anyone" | "never",
  reader: string,
  owner: string | null,
): boolean {
  if (policy === "anyone") return true;
  if (policy === "never") return false;
  return owner !== null && owner === reader;
}
