/**
 * Per-agent figures for a stretch of time (GET /api/reports/agents): conversations, first
 * response (median, p90) from the assignments' firstMessageAt/firstResponseAt, resolution
 * time (median) from the status history, and messages sent from the outbox, whose sent
 * entries are kept in `sent_by` before the outbox forgets them.
 */
import type { AgentReport } from "../contracts/api.ts";

export type { AgentReport, AgentsReport } from "../contracts/api.ts";

/** The value at or below which `q` of the sorted values lie (nearest rank); null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Median as the middle of the sorted values (the mean of the two middle ones when even). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? upper : Math.round(((sorted[mid - 1] ?? 0) + upper) / 2);
}

const ISO_MS = (column: string) =>
  `CAST(round((julianday(${column}) - 2440587.5) * 86400000) AS INTEGER)`;

/** Sent entries into `sent_by`, so reports outlive the outbox's pruning; run before it prunes. */
export async function archiveSent(db: D1Database): Promise<number> {
  const result = await db
    .prepare(
      `INSERT OR IGNORE INTO sent_by (number, client_id, jid, sender, sent_at)
       SELECT number, client_id, jid, sender, updated_at FROM outbox
       WHERE status = 'sent' AND kind <> 'reaction'`,
    )
    .run();
  return result.meta.changes;
}

/** The report of every agent with something in [from, to) (ms), agents without anything too. */
export async function agentReport(
  db: D1Database,
  number: string,
  from: number,
  to: number,
): Promise<AgentReport[]> {
  const [agents, assignments, resolutions, sent] = await db.batch<Record<string, unknown>>([
    // The agents who work this number (no numbers set: every number).
    db
      .prepare(
        `SELECT id, name FROM agents WHERE numbers IS NULL
           OR EXISTS (SELECT 1 FROM json_each(agents.numbers) WHERE json_each.value = ?)
         ORDER BY id`,
      )
      .bind(number),
    // Conversations that began in the stretch, and their first response.
    db
      .prepare(
        `SELECT a.jid, a.assigned_to AS agent, ${ISO_MS("a.first_message_at")} AS first_at,
           ${ISO_MS("a.first_response_at")} AS response_at
         FROM chat_assignments a
         WHERE a.number = ?1 AND a.assigned_to IS NOT NULL AND a.first_message_at IS NOT NULL
           AND ${ISO_MS("a.first_message_at")} >= ?2 AND ${ISO_MS("a.first_message_at")} < ?3`,
      )
      .bind(number, from, to),
    db
      .prepare(
        `SELECT jid, owner AS agent, resolution_ms FROM chat_status_changes
         WHERE number = ? AND status = 'resolved' AND owner IS NOT NULL AND at >= ? AND at < ?`,
      )
      .bind(number, from, to),
    db
      .prepare(
        `SELECT sender AS agent, count(*) AS n FROM (
           SELECT client_id, sender, sent_at FROM sent_by WHERE number = ?1
           UNION
           SELECT client_id, sender, updated_at FROM outbox
           WHERE number = ?1 AND status = 'sent' AND kind <> 'reaction')
         WHERE sent_at >= ?2 AND sent_at < ?3 GROUP BY sender`,
      )
      .bind(number, from, to),
  ]);
  const rows = new Map<
    string,
    { name: string | null; chats: Set<string>; first: number[]; resolved: number[]; sent: number }
  >();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r) {
      r = { name: null, chats: new Set(), first: [], resolved: [], sent: 0 };
      rows.set(id, r);
    }
    return r;
  };
  for (const a of agents?.results ?? []) row(String(a.id)).name = String(a.name);
  for (const a of assignments?.results ?? []) {
    const r = row(String(a.agent));
    r.chats.add(String(a.jid));
    if (typeof a.response_at === "number" && typeof a.first_at === "number") {
      r.first.push(Math.max(0, a.response_at - a.first_at));
    }
  }
  for (const s of resolutions?.results ?? []) {
    const r = row(String(s.agent));
    r.chats.add(String(s.jid));
    if (typeof s.resolution_ms === "number") r.resolved.push(Math.max(0, s.resolution_ms));
  }
  for (const s of sent?.results ?? []) row(String(s.agent)).sent = Number(s.n);
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([agentId, r]) => ({
      agentId,
      name: r.name,
      conversations: r.chats.size,
      firstResponseMedianMs: median(r.first),
      firstResponseP90Ms: quantile(r.first, 0.9),
      resolutionMedianMs: median(r.resolved),
      messagesSent: r.sent,
    }));
}

const CSV_COLUMNS: Array<[string, keyof AgentReport]> = [
  ["agent_id", "agentId"],
  ["name", "name"],
  ["conversations", "conversations"],
  ["first_response_median_ms", "firstResponseMedianMs"],
  ["first_response_p90_ms", "firstResponseP90Ms"],
  ["resolution_median_ms", "resolutionMedianMs"],
  ["messages_sent", "messagesSent"],
];

function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV, a header line first; an empty cell where nothing was measured. */
export function reportCsv(rows: readonly AgentReport[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(",")];
  for (const r of rows) lines.push(CSV_COLUMNS.map(([, key]) => csvField(r[key])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
