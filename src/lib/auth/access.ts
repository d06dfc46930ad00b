/**
 * The one access rule: who may see and touch a chat. Staff (admin, user) see every chat; an
 * agent only the chats assigned to it, and only on the numbers it works. Here as a predicate (a chat's owner, a frame's
 * audience), as the agent a list is narrowed to, and as a SQL scope for any query over
 * chats, so that the Worker, the realtime hub and the browser share one rule, and numbers
 * or teams change this file only. Pure: the browser bundle imports it too.
 */

export interface Viewer {
  role: "admin" | "user" | "agent";
  sub: string;
  /** The WhatsApp numbers an agent works (ids); null or absent: every number. */
  numbers?: readonly string[] | null;
}

/** Who a realtime frame is for: everyone, or staff and these agents. */
export type Audience = { everyone: true } | { agents: string[] };

/** The agent whose chats alone this viewer may see; null: every chat. */
export function scopedAgent(viewer: Viewer): string | null {
  return viewer.role === "agent" ? viewer.sub : null;
}

/** May this viewer use the WhatsApp number `number` (see its chats, send from it)? */
export function mayUseNumber(viewer: Viewer, number: string): boolean {
  if (viewer.role !== "agent") return true;
  return viewer.numbers == null || viewer.numbers.includes(number);
}

/** The numbers of `all` (ids, in their order) this viewer may use. */
export function usableNumbers(viewer: Viewer, all: readonly string[]): string[] {
  return all.filter((number) => mayUseNumber(viewer, number));
}

/** May this viewer touch a chat owned by `owner` (null: nobody's yet)? */
export function mayTouch(viewer: Viewer, owner: string | null | undefined): boolean {
  const agent = scopedAgent(viewer);
  return agent === null || owner === agent;
}

/** May this viewer see a frame meant for `audience`? */
export function maySee(viewer: Viewer, audience: Audience): boolean {
  const agent = scopedAgent(viewer);
  return agent === null || "everyone" in audience || audience.agents.includes(agent);
}

/**
 * The rule over a query of one number's chats: a condition on `jidColumn` (with its
 * parameters) that holds for the agent's chats alone, or nothing at all for staff. Joined
 * with AND by the caller.
 */
export function chatScope(
  agent: string | null,
  number: string,
  jidColumn: string,
): { sql: string; params: string[] } {
  if (agent === null) return { sql: "", params: [] };
  return {
    sql: `AND ${jidColumn} IN (SELECT jid FROM chat_assignments WHERE number = ? AND assigned_to = ?)`,
    params: [number, agent],
  };
}
