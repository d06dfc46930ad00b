// Which of a chat's messages a list asks for (WAHA's GetChatMessagesFilter) and the order lists
// give them in.
// WAHA: src/structures/chats.dto.ts (GetChatMessagesFilter)
import type { SimMessage } from "./model.ts";

export interface MessageFilter {
  lte?: number;
  gte?: number;
  fromMe?: boolean;
  ack?: number;
}

export function matches(m: SimMessage, f: MessageFilter): boolean {
  if (f.fromMe !== undefined && m.fromMe !== f.fromMe) return false;
  if (f.gte !== undefined && m.timestamp < f.gte) return false;
  if (f.lte !== undefined && m.timestamp > f.lte) return false;
  if (f.ack !== undefined && m.ack !== f.ack) return false;
  return true;
}

/**
 * Newest first by default. WEBJS always sorts newest first; NOWEB and GOWS honour sortOrder=asc.
 * Same-second messages keep the order they arrived in, as a stable sort and SQL scans give.
 */
// WAHA: src/core/engines/webjs/WebjsClientCore.ts (getMessages), noweb/store/sql/SqlMessagesMethods.ts
// (getAllByJid), gows/session.gows.core.ts (getChatMessages)
export function selectMessages(
  messages: SimMessage[],
  filter: MessageFilter,
  ascending: boolean,
  offset: number,
  limit: number,
): SimMessage[] {
  const picked = messages
    .map((m, index) => ({ m, index }))
    .filter(({ m }) => matches(m, filter))
    .sort((a, b) => (ascending ? 1 : -1) * (a.m.timestamp - b.m.timestamp) || a.index - b.index)
    .map(({ m }) => m);
  return limit === 0 ? picked.slice(offset) : picked.slice(offset, offset + limit);
}
