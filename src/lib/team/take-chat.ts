/**
 * An agent takes an unassigned chat: assigned to it only while nobody owns it, in one
 * statement, so two agents taking the same chat at once cannot both have it.
 */
import type { ChatAssignment } from "../contracts/api.ts";
import { ASSIGNMENT_COLUMNS, type AssignmentRow, toAssignment } from "../db.ts";

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
       RETURNING ${ASSIGNMENT_COLUMNS}`,
    )
    .bind(number, jid, agentId, now, now)
    .first<AssignmentRow>();
  return row ? toAssignment(row) : null;
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
