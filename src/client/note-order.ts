/**
 * Staff's private notes among a conversation's messages, in time order: a note goes after
 * every message of its second or earlier (it was written after reading them). Notes older
 * than the oldest message loaded wait until the conversation's start is loaded, so they
 * never sit above messages not yet shown. Pure: tested on Node.
 */
import type { ChatNote, Message } from "./types.ts";

export type ConversationItem =
  | { kind: "message"; message: Message; at: number }
  | { kind: "note"; note: ChatNote; at: number };

export function withNotes(
  messages: readonly Message[],
  notes: readonly ChatNote[],
  atStart: boolean,
): ConversationItem[] {
  const oldest = messages[0];
  const from = atStart || !oldest ? Number.NEGATIVE_INFINITY : oldest.timestamp * 1000;
  const shown = notes
    .map((note) => ({ kind: "note" as const, note, at: Date.parse(note.createdAt) }))
    .filter((n) => n.at >= from)
    .sort((a, b) => a.at - b.at || a.note.id - b.note.id);
  const items: ConversationItem[] = [];
  let next = 0;
  for (const message of messages) {
    const at = message.timestamp * 1000;
    while (next < shown.length && (shown[next]?.at ?? 0) < at) {
      const note = shown[next++];
      if (note) items.push(note);
    }
    items.push({ kind: "message", message, at });
  }
  for (; next < shown.length; next++) {
    const note = shown[next];
    if (note) items.push(note);
  }
  return items;
}
