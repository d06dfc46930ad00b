/**
 * The team inbox's narrowing of the chat list (a status, a label), how each status is
 * named, and the labels a person types as one comma-separated line. Pure: tested on Node.
 */
import type { Chat, ChatStatus } from "./types.ts";

export type StatusFilter = ChatStatus | "any";

export interface TeamFilter {
  status: StatusFilter;
  /** "" for any label. */
  label: string;
}

export const ANY_TEAM_FILTER: TeamFilter = { status: "any", label: "" };

export const STATUS_NAMES: Record<ChatStatus, string> = {
  open: "Open",
  pending: "Pending",
  resolved: "Resolved",
  snoozed: "Snoozed",
};

export const STATUS_ORDER: readonly ChatStatus[] = ["open", "pending", "resolved", "snoozed"];

/** The chats with that status and label (a label matched without regard to case). */
export function filterByTeam(chats: readonly Chat[], filter: TeamFilter): Chat[] {
  const label = filter.label.toLowerCase();
  return chats.filter(
    (c) =>
      (filter.status === "any" || c.status === filter.status) &&
      (label === "" || c.labels.some((l) => l.toLowerCase() === label)),
  );
}

/** Every label on some chat, sorted, each once. */
export function labelsIn(chats: readonly Chat[]): string[] {
  return [...new Set(chats.flatMap((c) => c.labels))].sort((a, b) => a.localeCompare(b));
}

/** "vip, billing ,, vip" → ["vip", "billing"]: trimmed, empty ones dropped, each once. */
export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((l) => l.trim())
        .filter((l) => l !== ""),
    ),
  ];
}
