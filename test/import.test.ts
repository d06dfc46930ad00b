import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  type AssignmentRow,
  existingRowsSql,
  jidsIn,
  planImport,
} from "../tools/chatassignment-import.ts";
import { SAMPLE_EXPORT } from "./chatassignments-export.ts";

/** What the import tool does through wrangler, done on the test's D1. */
async function importText(text: string) {
  const existing: AssignmentRow[] = [];
  for (const sql of existingRowsSql(jidsIn(text), 3)) {
    existing.push(...(await env.DB.prepare(sql).all<AssignmentRow>()).results);
  }
  const plan = planImport(text, existing);
  if (plan.statements.length > 0) {
    await env.DB.batch(plan.statements.map((sql) => env.DB.prepare(sql)));
  }
  return plan;
}

async function rows() {
  const { results } = await env.DB.prepare(
    "SELECT jid, assigned_to, first_message_at, first_response_at, created_at, updated_at FROM chat_assignments ORDER BY jid",
  ).all<AssignmentRow>();
  return results;
}

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM chat_assignments"),
    // Known to the gateway already, and newer than the export's row for it.
    env.DB.prepare(
      `INSERT INTO chat_assignments (jid, assigned_to, first_message_at, first_response_at, created_at, updated_at)
       VALUES ('15550004444@c.us', 'agent-new', '2024-05-01T00:00:00.000Z', NULL, '2024-05-01T00:00:00.000Z', '2024-05-02T00:00:00.000Z')`,
    ),
  ]);
});

describe("importing a ChatAssignment export", () => {
  it("reports every row and leaves D1 holding the right rows", async () => {
    const plan = await importText(SAMPLE_EXPORT);
    expect(plan.report).toEqual([
      {
        row: 1,
        jid: "15550001111@c.us",
        result: "skipped",
        reason: "duplicate of row 3, which was updated later",
      },
      { row: 2, jid: "15550002222@c.us", result: "imported" },
      { row: 3, jid: "15550001111@c.us", result: "imported" },
      { row: 4, result: "skipped", reason: "no jid or chatId" },
      { row: 5, result: "skipped", reason: "not valid JSON" },
      { row: 6, jid: "15550003333@c.us", result: "imported" },
      { row: 7, result: "skipped", reason: "updatedAt is not a date" },
      { row: 8, jid: "15550004444@c.us", result: "updated" },
      {
        row: 9,
        result: "skipped",
        reason: "assignedTo is not an agent id (at most 64 plain characters)",
      },
      { row: 10, jid: "120363000000000001@g.us", result: "imported" },
    ]);
    expect(plan.counts).toEqual({ rows: 10, imported: 4, updated: 1, skipped: 5 });

    expect(await rows()).toEqual([
      {
        jid: "120363000000000001@g.us",
        assigned_to: "agent-3",
        first_message_at: null,
        first_response_at: null,
        created_at: "2024-03-01T00:00:00.000Z",
        updated_at: "2024-03-02T00:00:00.000Z",
      },
      {
        jid: "15550001111@c.us",
        assigned_to: "agent-7",
        first_message_at: "2024-01-02T10:00:00.000Z",
        first_response_at: "2024-01-02T11:00:00.000Z",
        created_at: "2024-01-02T10:00:00.000Z",
        updated_at: "2024-02-01T08:00:00.000Z",
      },
      {
        jid: "15550002222@c.us",
        assigned_to: "agent-2",
        first_message_at: "2024-01-03T09:00:00.000Z",
        first_response_at: "2024-01-03T09:04:00.000Z",
        created_at: "2024-01-03T09:00:00.000Z",
        updated_at: "2024-01-03T09:04:00.000Z",
      },
      {
        jid: "15550003333@c.us",
        assigned_to: null,
        first_message_at: "2024-01-01T10:00:00.000Z",
        first_response_at: null,
        created_at: "2024-01-01T10:00:00.000Z",
        updated_at: "2024-01-01T10:00:00.000Z",
      },
      {
        // D1's owner and first message stay; the export fills the missing response time.
        jid: "15550004444@c.us",
        assigned_to: "agent-new",
        first_message_at: "2024-05-01T00:00:00.000Z",
        first_response_at: "2023-12-01T00:10:00.000Z",
        created_at: "2023-12-01T00:00:00.000Z",
        updated_at: "2024-05-02T00:00:00.000Z",
      },
    ]);
  });

  it("changes nothing when the same export is imported again", async () => {
    const first = await importText(SAMPLE_EXPORT);
    const after = await rows();

    const again = await importText(SAMPLE_EXPORT);
    expect(again.statements).toEqual([]);
    expect(again.counts).toEqual({ rows: 10, imported: 0, updated: 0, skipped: 10 });
    expect(
      again.report.filter((r) => r.result === "skipped" && r.reason === "already in D1"),
    ).toHaveLength(5);

    // Even the first run's statements, replayed over the imported rows, change nothing.
    await env.DB.batch(first.statements.map((sql) => env.DB.prepare(sql)));
    expect(await rows()).toEqual(after);
  });
});
