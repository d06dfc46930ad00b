/**
 * The team inbox's calls (a conversation's status, notes, labels, the agents' report, the
 * monitoring history) on the page's ApiClient: its token, errors and failure reporting.
 */
import type { AgentsReport, ChatNote, ChatStatus, StatsSample } from "../lib/contracts/api.ts";
import type { ApiClient } from "./api-client.ts";

export type {
  AgentReport,
  AgentsReport,
  ChatNote,
  ChatStatus,
  StatsSample,
} from "../lib/contracts/api.ts";

const chatPath = (jid: string) => `/api/wa/chats/${encodeURIComponent(jid)}`;

export interface StatusAnswer {
  jid: string;
  number: string;
  status: ChatStatus;
  snoozeUntil: string | null;
}

export function setChatStatus(
  api: ApiClient,
  jid: string,
  status: ChatStatus,
  snoozeUntil?: string,
): Promise<StatusAnswer> {
  return api.send("PATCH", chatPath(jid), snoozeUntil ? { status, snoozeUntil } : { status });
}

export function chatNotes(api: ApiClient, jid: string): Promise<ChatNote[]> {
  return api.json(`${chatPath(jid)}/notes`);
}

export function addChatNote(api: ApiClient, jid: string, text: string): Promise<ChatNote> {
  return api.send("POST", `${chatPath(jid)}/notes`, { text });
}

export function setChatLabels(
  api: ApiClient,
  jid: string,
  labels: string[],
): Promise<{ jid: string; number: string; labels: string[] }> {
  return api.send("PUT", `${chatPath(jid)}/labels`, { labels });
}

function reportQuery(from: string, to: string): string {
  return `/api/reports/agents?${new URLSearchParams({ from, to })}`;
}

export function agentsReport(api: ApiClient, from: string, to: string): Promise<AgentsReport> {
  return api.json(reportQuery(from, to));
}

/** The same report as a CSV file. */
export async function agentsReportCsv(api: ApiClient, from: string, to: string): Promise<Blob> {
  const res = await api.request(reportQuery(from, to), { headers: { Accept: "text/csv" } });
  return res.blob();
}

/** The monitoring samples the gateway kept over the last `minutes`, oldest first. */
export async function statsHistory(api: ApiClient, minutes: number): Promise<StatsSample[]> {
  const answer = await api.json<{ samples: StatsSample[] }>(
    `/api/waha/monitoring/history?minutes=${minutes}`,
  );
  return answer.samples;
}
