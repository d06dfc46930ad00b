/**
 * Turns a MongoDB export of the old ChatAssignment collection into SQL for D1, and says
 * what happens to each row. Pure: the caller reads the file and D1's current rows and
 * runs the SQL, so the same plan runs under wrangler, in workerd tests and in Node.
 */

import type { AssignmentRow } from "../src/lib/db.ts";
import { AGENT_ID_MAX, agentIdSchema } from "../src/lib/ids/agent-id.ts";
import { jidSchema } from "../src/lib/ids/id-schemas.ts";

export type { AssignmentRow };

export type RowOutcome =
  | { row: number; jid: string; result: "imported" | "updated" }
  | { row: number; jid?: string; result: "skipped"; reason: string };

export interface ImportPlan {
  /** One statement per row that changes D1; empty when there is nothing to do. */
  statements: string[];
  report: RowOutcome[];
  counts: { rows: number; imported: number; updated: number; skipped: number };
}

/** Rows without any date sort oldest, so they never override what D1 already has. */
const NO_DATE = "1970-01-01T00:00:00.000Z";

type Parsed = { row: number; value: unknown } | { row: number; error: string };

/** A JSON array (mongoexport --jsonArray) or JSON lines (mongoexport's default). */
export function parseExport(text: string): Parsed[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let values: unknown;
    try {
      values = JSON.parse(trimmed);
    } catch (err) {
      throw new Error(`the file looks like a JSON array but is not valid JSON: ${String(err)}`);
    }
    if (!Array.isArray(values)) throw new Error("the file's JSON is not an array");
    return values.map((value, i) => ({ row: i + 1, value }));
  }
  const parsed: Parsed[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      parsed.push({ row: i + 1, value: JSON.parse(line) });
    } catch {
      parsed.push({ row: i + 1, error: "not valid JSON" });
    }
  });
  return parsed;
}

type Field<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Extended JSON dates: `{"$date": iso | ms | {"$numberLong": ms}}`, or a plain ISO string / ms. */
function readDate(name: string, raw: unknown): Field<string | null> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: null };
  let inner: unknown = raw;
  if (typeof raw === "object" && raw !== null && "$date" in raw) inner = raw.$date;
  if (typeof inner === "object" && inner !== null && "$numberLong" in inner) {
    inner = Number(inner.$numberLong);
  }
  const date =
    typeof inner === "string" || typeof inner === "number" ? new Date(inner) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) return { ok: false, reason: `${name} is not a date` };
  return { ok: true, value: date.toISOString() };
}

/** `jid`, else the legacy `chatId`; a bare phone number is a personal chat, as WAHA reads it. */
function readJid(doc: Record<string, unknown>): Field<string> {
  const pick = [doc.jid, doc.chatId].find((v) => typeof v === "string" && v.trim() !== "");
  if (typeof pick !== "string") return { ok: false, reason: "no jid or chatId" };
  const raw = pick.trim();
  const jid = /^\d{5,20}$/.test(raw) ? `${raw}@c.us` : raw;
  return jidSchema.safeParse(jid).success
    ? { ok: true, value: jid }
    : { ok: false, reason: `"${raw.slice(0, 80)}" is not a WhatsApp chat id` };
}

/** An ObjectId (`{"$oid": hex}`), a string, or nothing (unassigned). */
function readAgent(raw: unknown): Field<string | null> {
  let id: unknown = raw;
  if (typeof raw === "object" && raw !== null && "$oid" in raw) id = raw.$oid;
  if (id === undefined || id === null || id === "") return { ok: true, value: null };
  if (typeof id !== "string")
    return { ok: false, reason: "assignedTo is neither an ObjectId nor a string" };
  const trimmed = id.trim();
  return agentIdSchema.safeParse(trimmed).success
    ? { ok: true, value: trimmed }
    : {
        ok: false,
        reason: `assignedTo is not an agent id (at most ${AGENT_ID_MAX} plain characters)`,
      };
}

/** One exported document → a D1 row, or why it cannot be one. */
export function toAssignmentRow(doc: unknown): Field<AssignmentRow> {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ok: false, reason: "not a JSON object" };
  }
  const d = doc as Record<string, unknown>;
  const jid = readJid(d);
  if (!jid.ok) return jid;
  const agent = readAgent(d.assignedTo);
  if (!agent.ok) return agent;
  const dates = {
    firstMessageAt: readDate("firstMessageAt", d.firstMessageAt),
    firstResponseAt: readDate("firstResponseAt", d.firstResponseAt),
    createdAt: readDate("createdAt", d.createdAt),
    updatedAt: readDate("updatedAt", d.updatedAt),
  };
  for (const field of Object.values(dates)) if (!field.ok) return field;
  const value = (f: Field<string | null>) => (f.ok ? f.value : null);
  const updated = value(dates.updatedAt) ?? value(dates.createdAt) ?? NO_DATE;
  return {
    ok: true,
    value: {
      jid: jid.value,
      assigned_to: agent.value,
      first_message_at: value(dates.firstMessageAt),
      first_response_at: value(dates.firstResponseAt),
      created_at: value(dates.createdAt) ?? updated,
      updated_at: updated,
    },
  };
}

/**
 * What D1 holds after importing `row` over `existing`: the newer side decides the owner,
 * SLA times already set are never overwritten, and the row spans both histories.
 */
export function mergeRow(existing: AssignmentRow | undefined, row: AssignmentRow): AssignmentRow {
  if (!existing) return row;
  const newer = row.updated_at > existing.updated_at;
  return {
    jid: existing.jid,
    assigned_to: newer ? row.assigned_to : existing.assigned_to,
    first_message_at: existing.first_message_at ?? row.first_message_at,
    first_response_at: existing.first_response_at ?? row.first_response_at,
    // ISO times of one format sort as text, as SQLite's min() compares them.
    created_at: [row.created_at, existing.created_at].sort()[0] ?? existing.created_at,
    updated_at: newer ? row.updated_at : existing.updated_at,
  };
}

function literal(value: string | null): string {
  return value === null ? "NULL" : `'${value.replaceAll("'", "''")}'`;
}

/**
 * The one statement for a row: an upsert applying mergeRow's rules in SQL, so running
 * it twice, or over rows that changed since the plan was made, is still right.
 */
export function rowToSql(row: AssignmentRow): string {
  const values = [
    row.jid,
    row.assigned_to,
    row.first_message_at,
    row.first_response_at,
    row.created_at,
    row.updated_at,
  ]
    .map(literal)
    .join(", ");
  return (
    "INSERT INTO chat_assignments (jid, assigned_to, first_message_at, first_response_at, created_at, updated_at) " +
    `VALUES (${values}) ON CONFLICT (number, jid) DO UPDATE SET ` +
    "assigned_to = CASE WHEN excluded.updated_at > chat_assignments.updated_at THEN excluded.assigned_to ELSE chat_assignments.assigned_to END, " +
    "first_message_at = coalesce(chat_assignments.first_message_at, excluded.first_message_at), " +
    "first_response_at = coalesce(chat_assignments.first_response_at, excluded.first_response_at), " +
    "created_at = min(chat_assignments.created_at, excluded.created_at), " +
    "updated_at = max(chat_assignments.updated_at, excluded.updated_at);"
  );
}

function same(a: AssignmentRow, b: AssignmentRow): boolean {
  return (
    a.assigned_to === b.assigned_to &&
    a.first_message_at === b.first_message_at &&
    a.first_response_at === b.first_response_at &&
    a.created_at === b.created_at &&
    a.updated_at === b.updated_at
  );
}

/**
 * The whole import: rows that name the same chat keep the latest updated (as migration
 * 0002 did), rows D1 already holds as they would end up are skipped, the rest become
 * one statement each.
 */
export function planImport(text: string, existingRows: AssignmentRow[]): ImportPlan {
  const existing = new Map(existingRows.map((r) => [r.jid, r]));
  const report: RowOutcome[] = [];
  const latest = new Map<string, { row: number; value: AssignmentRow }>();
  const candidates: Array<{ row: number; value: AssignmentRow }> = [];

  for (const parsed of parseExport(text)) {
    if ("error" in parsed) {
      report.push({ row: parsed.row, result: "skipped", reason: parsed.error });
      continue;
    }
    const mapped = toAssignmentRow(parsed.value);
    if (!mapped.ok) {
      report.push({ row: parsed.row, result: "skipped", reason: mapped.reason });
      continue;
    }
    const entry = { row: parsed.row, value: mapped.value };
    candidates.push(entry);
    const kept = latest.get(entry.value.jid);
    if (!kept || entry.value.updated_at >= kept.value.updated_at)
      latest.set(entry.value.jid, entry);
  }

  const statements: string[] = [];
  for (const entry of candidates) {
    const { jid } = entry.value;
    const kept = latest.get(jid);
    if (kept && kept !== entry) {
      report.push({
        row: entry.row,
        jid,
        result: "skipped",
        reason: `duplicate of row ${kept.row}, which was updated later`,
      });
      continue;
    }
    const before = existing.get(jid);
    const after = mergeRow(before, entry.value);
    if (before && same(before, after)) {
      report.push({ row: entry.row, jid, result: "skipped", reason: "already in D1" });
      continue;
    }
    statements.push(rowToSql(entry.value));
    report.push({ row: entry.row, jid, result: before ? "updated" : "imported" });
  }

  report.sort((a, b) => a.row - b.row);
  const tally = (result: RowOutcome["result"]) => report.filter((r) => r.result === result).length;
  return {
    statements,
    report,
    counts: {
      rows: report.length,
      imported: tally("imported"),
      updated: tally("updated"),
      skipped: tally("skipped"),
    },
  };
}

/** The report as lines for a terminal. */
export function formatReport(plan: ImportPlan): string[] {
  const lines = plan.report.map((r) =>
    r.result === "skipped"
      ? `row ${r.row}${r.jid ? ` ${r.jid}` : ""}: skipped (${r.reason})`
      : `row ${r.row} ${r.jid}: ${r.result}`,
  );
  const { rows, imported, updated, skipped } = plan.counts;
  lines.push(`${rows} rows: ${imported} imported, ${updated} updated, ${skipped} skipped`);
  return lines;
}

/** The chats a file names (valid rows only), for reading just those rows from D1. */
export function jidsIn(text: string): string[] {
  const jids = new Set<string>();
  for (const parsed of parseExport(text)) {
    if ("error" in parsed) continue;
    const mapped = toAssignmentRow(parsed.value);
    if (mapped.ok) jids.add(mapped.value.jid);
  }
  return [...jids];
}

/** SELECTs for the current D1 rows of `jids`, a bounded number of chats per query. */
export function existingRowsSql(jids: string[], perQuery = 200): string[] {
  const queries: string[] = [];
  for (let i = 0; i < jids.length; i += perQuery) {
    const list = jids
      .slice(i, i + perQuery)
      .map(literal)
      .join(", ");
    queries.push(
      "SELECT jid, assigned_to, first_message_at, first_response_at, created_at, updated_at " +
        `FROM chat_assignments WHERE jid IN (${list})`,
    );
  }
  return queries;
}
