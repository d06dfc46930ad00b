/**
 * The monitoring page's word on WAHA's webhooks: flowing, or SILENT (the session says WORKING
 * but nothing comes back) with since when, why, and the gateway's restarts of it.
 */
import type { MonitoringStats } from "./types.ts";

export interface SessionSummary {
  value: "flowing" | "SILENT" | "none yet";
  note: string;
  tone: "good" | "bad" | "";
}

const REASONS: Record<string, string> = {
  "no-echo": "a send got no webhook back",
  unannounced: "WAHA had messages no webhook announced",
};

/** `time` renders an ISO time for people (the page's clock format). */
export function sessionSummary(
  session: MonitoringStats["session"],
  time: (iso: string) => string,
): SessionSummary {
  const { autoRestart } = session;
  const restarts = autoRestart.on
    ? `; ${autoRestart.lastHour} of ${autoRestart.max} automatic restarts this hour`
    : "; automatic restarts off (WAHA_AUTO_RESTART)";
  if (session.silent) {
    const since = session.silentSince ? ` since ${time(session.silentSince)}` : "";
    const why = REASONS[session.reason ?? ""] ?? "no webhook came";
    return { value: "SILENT", note: `${why}${since}${restarts}`, tone: "bad" };
  }
  const counts = `found silent ${session.silentSpells}×, restarted ${session.autoRestarts}×`;
  if (session.lastWebhookAt === null) {
    return { value: "none yet", note: `no webhook heard yet; ${counts}`, tone: "" };
  }
  return {
    value: "flowing",
    note: `last webhook ${time(session.lastWebhookAt)}; ${counts}`,
    tone: "good",
  };
}
