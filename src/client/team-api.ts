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

/** A chat's path, `rest` after it, and `?number=` when the page knows the chat's number. */
const chatPath = (jid: string, number: string, rest = "") =>
  `/api/wa/chats/${encodeURIComponent(jid)}${rest}${number ? `?number=${encodeURIComponent(number)}` : ""}`;

/** A chat as these calls name it: its jid and the number it is on ("" when the page knows none). */
export interface ChatRef {
  id: string;
  number: string;
}

export interface StatusAnswer {
  jid: string;
  number: string;
  status: ChatStatus;
  snoozeUntil: string | null;
}

export function setChatStatus(
  api: ApiClient,
  chat: ChatRef,
  status: ChatStatus,
  snoozeUntil?: string,
): Promise<StatusAnswer> {
  const body = snoozeUntil ? { status, snoozeUntil } : { status };
  return api.send("PATCH", chatPath(chat.id, chat.number), body);
}

export function chatNotes(api: ApiClient, chat: ChatRef): Promise<ChatNote[]> {
  return api.json(chatPath(chat.id, chat.number, "/notes"));
}

export function addChatNote(api: ApiClient, chat: ChatRef, text: string): Promise<ChatNote> {
  return api.send("POST", chatPath(chat.id, chat.number, "/notes"), { text });
}

export function setChatLabels(
  api: ApiClient,
  chat: ChatRef,
  labels: string[],
): Promise<{ jid: string; number: string; labels: string[] }> {
  return api.send("PUT", chatPath(chat.id, chat.number, "/labels"), { labels });
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
