/**
 * What an admin is shown of WAHA's setup: nothing while all is well, else each finding with
 * its fix, an Apply button when one apply fixes some of them, and what could not be checked.
 */
import type { SetupReport } from "./types.ts";

export interface SetupView {
  show: boolean;
  heading: string;
  items: Array<{ code: string; text: string; fix: string }>;
  /** Some finding is one the gateway can fix by writing WAHA's session config. */
  canApply: boolean;
  notes: string[];
}

const HIDDEN: SetupView = { show: false, heading: "", items: [], canApply: false, notes: [] };

/** `applied`: the report is the answer of an apply (a success is said once, then hidden). */
export function setupView(report: SetupReport | null, applied = false): SetupView {
  if (report === null) return HIDDEN;
  if (report.ok) {
    return applied
      ? { ...HIDDEN, show: true, heading: "WAHA is set up as the inbox needs it." }
      : HIDDEN;
  }
  const n = report.findings.length;
  const fixable = report.findings.filter((f) => f.byApply).length;
  return {
    show: true,
    heading: applied
      ? `Applied. WAHA still needs ${n === 1 ? "one change" : `${n} changes`} made by hand:`
      : `WAHA's setup needs ${n === 1 ? "one change" : `${n} changes`}${fixable > 0 ? ` (${fixable === n ? "all" : fixable} fixed by Apply)` : ""}:`,
    items: report.findings.map((f) => ({ code: f.code, text: f.message, fix: f.fix })),
    canApply: fixable > 0,
    notes: report.unchecked.map((u) => u.message),
  };
}
