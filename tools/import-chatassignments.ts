/**
 * `npm run import:chatassignments -- FILE [--remote] [--dry-run] [--persist-to DIR]`: imports a MongoDB
 * export of the old ChatAssignment collection into D1 (local by default, the one
 * `npm start` uses), prints what happened to each row, and changes nothing on a rerun.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  type AssignmentRow,
  existingRowsSql,
  formatReport,
  jidsIn,
  planImport,
} from "./chatassignment-import.ts";
import { applyLocalMigrations, PERSIST_DIR, wrangler } from "./wrangler.ts";

function fail(message: string): never {
  console.error(`import:chatassignments: ${message}`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    remote: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    "persist-to": { type: "string", default: PERSIST_DIR },
  },
});
const file = positionals[0];
if (!file || positionals.length > 1) {
  fail("usage: npm run import:chatassignments -- FILE [--remote] [--dry-run] [--persist-to DIR]");
}

let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (err) {
  fail(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
}

const persistTo = values["persist-to"];
const where = values.remote ? ["--remote"] : ["--local", "--persist-to", persistTo];
// The remote schema is migrated on purpose (npm run migrate:chatassignment -- --remote).
if (!values.remote) applyLocalMigrations(persistTo);

function d1Rows(sql: string): AssignmentRow[] {
  const out = wrangler(["d1", "execute", "DB", ...where, "--json", "--command", sql]);
  const parsed = JSON.parse(out) as Array<{ results?: AssignmentRow[] }>;
  return parsed.flatMap((r) => r.results ?? []);
}

let plan: ReturnType<typeof planImport>;
try {
  const existing = existingRowsSql(jidsIn(text)).flatMap(d1Rows);
  plan = planImport(text, existing);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

for (const line of formatReport(plan)) console.log(line);

if (plan.statements.length === 0) {
  console.log("D1 already holds every row: nothing to write.");
} else if (values["dry-run"]) {
  console.log(`dry run: ${plan.statements.length} statements not executed`);
} else {
  const dir = mkdtempSync(path.join(tmpdir(), "wa-edge-import-"));
  try {
    const sqlFile = path.join(dir, "import.sql");
    writeFileSync(sqlFile, `${plan.statements.join("\n")}\n`);
    wrangler(["d1", "execute", "DB", ...where, "--yes", "--file", sqlFile]);
    console.log(
      `wrote ${plan.statements.length} rows to ${values.remote ? "the remote" : "the local"} D1`,
    );
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
