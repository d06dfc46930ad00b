import { describe, expect, it } from "vitest";
import {
  type AssignmentRow,
  existingRowsSql,
  formatReport,
  mergeRow,
  parseExport,
  planImport,
  rowToSql,
  toAssignmentRow,
} from "../../tools/chatassignment-import.ts";
import { SAMPLE_EXPORT } from "../chatassignments-export.ts";

const ROW: AssignmentRow = {
  jid: "15550001111@c.us",
  assigned_to: "agent-1",
  first_message_at: "2024-01-01T00:00:00.000Z",
  first_response_at: null,
  created_at: "2024-01-01T00:00:00.000Z",
  updated_at: "2024-01-02T00:00:00.000Z",
};

describe("reading an export", () => {
  it("reads a JSON array and JSON lines alike, numbering rows from 1", () => {
    const doc = { jid: "1@c.us" };
    expect(parseExport(JSON.stringify([doc, doc]))).toEqual([
      { row: 1, value: doc },
      { row: 2, value: doc },
    ]);
    expect(parseExport(`${JSON.stringify(doc)}\n\n{oops\n`)).toEqual([
      { row: 1, value: doc },
      { row: 3, error: "not valid JSON" },
    ]);
    expect(() => parseExport("[{")).toThrow(/not valid JSON/);
  });

  it("maps chatId, ObjectId owners and every $date form to one D1 row", () => {
    expect(
      toAssignmentRow({
        chatId: "15551234567",
        assignedTo: { $oid: "64f1a2b3c4d5e6f708091a2b" },
        firstMessageAt: { $date: "2024-01-02T10:00:00Z" },
        firstResponseAt: { $date: { $numberLong: "1704193200000" } },
        createdAt: { $date: 1704189600000 },
      }),
    ).toEqual({
      ok: true,
      value: {
        jid: "15551234567@c.us",
        assigned_to: "64f1a2b3c4d5e6f708091a2b",
        first_message_at: "2024-01-02T10:00:00.000Z",
        first_response_at: "2024-01-02T11:00:00.000Z",
        created_at: "2024-01-02T10:00:00.000Z",
        // No updatedAt: the creation time stands in.
        updated_at: "2024-01-02T10:00:00.000Z",
      },
    });
  });

  it("prefers jid over chatId and explains rows it cannot use", () => {
    const both = toAssignmentRow({ jid: "2@c.us", chatId: "1@c.us" });
    expect(both.ok && both.value.jid).toBe("2@c.us");
    expect(toAssignmentRow("text")).toEqual({ ok: false, reason: "not a JSON object" });
    expect(toAssignmentRow({ chatId: "  " })).toEqual({ ok: false, reason: "no jid or chatId" });
    expect(toAssignmentRow({ jid: "../etc" })).toEqual({
      ok: false,
      reason: '"../etc" is not a WhatsApp chat id',
    });
    expect(toAssignmentRow({ jid: "1@c.us", assignedTo: 42 })).toEqual({
      ok: false,
      reason: "assignedTo is neither an ObjectId nor a string",
    });
    expect(toAssignmentRow({ jid: "1@c.us", firstResponseAt: { $date: "soon" } })).toEqual({
      ok: false,
      reason: "firstResponseAt is not a date",
    });
  });
});

describe("writing rows", () => {
  it("quotes every value and upserts with the merge rules", () => {
    const sql = rowToSql({ ...ROW, jid: "it's@c.us", first_response_at: null });
    expect(sql).toContain("VALUES ('it''s@c.us', 'agent-1', '2024-01-01T00:00:00.000Z', NULL, ");
    expect(sql).toMatch(
      /^INSERT INTO chat_assignments .* ON CONFLICT \(number, jid\) DO UPDATE SET /,
    );
    expect(sql).toContain("coalesce(chat_assignments.first_message_at, excluded.first_message_at)");
    expect(sql.endsWith(";")).toBe(true);
    expect(sql).not.toContain("\n");
  });

  it("lets the newer side decide the owner and never overwrites a set SLA time", () => {
    const d1 = { ...ROW, first_response_at: "2024-01-01T00:05:00.000Z" };
    const older = {
      ...ROW,
      assigned_to: "agent-9",
      first_message_at: "2023-01-01T00:00:00.000Z",
      updated_at: "2023-06-01T00:00:00.000Z",
      created_at: "2023-01-01T00:00:00.000Z",
    };
    expect(mergeRow(d1, older)).toEqual({ ...d1, created_at: "2023-01-01T00:00:00.000Z" });
    const newer = {
      ...ROW,
      assigned_to: "agent-9",
      first_response_at: null,
      updated_at: "2025-01-01T00:00:00.000Z",
    };
    expect(mergeRow(d1, newer)).toEqual({
      ...d1,
      assigned_to: "agent-9",
      updated_at: "2025-01-01T00:00:00.000Z",
    });
    expect(mergeRow(undefined, older)).toBe(older);
  });

  it("reads D1's rows for the file's chats a bounded number at a time", () => {
    const queries = existingRowsSql(["1@c.us", "2@c.us", "3@c.us"], 2);
    expect(queries).toHaveLength(2);
    expect(queries[0]).toMatch(/WHERE jid IN \('1@c.us', '2@c.us'\)$/);
  });

  it("prints one line a row and the totals", () => {
    const lines = formatReport(planImport(SAMPLE_EXPORT, []));
    expect(lines[0]).toBe(
      "row 1 15550001111@c.us: skipped (duplicate of row 3, which was updated later)",
    );
    expect(lines[1]).toBe("row 2 15550002222@c.us: imported");
    expect(lines.at(-1)).toBe("10 rows: 5 imported, 0 updated, 5 skipped");
  });
});
