/**
 * Chat access this isolate granted lately, so an agent's media hits need no D1 read: only
 * grants are kept, for GRANT_MEMO_MS, and a reassignment made here forgets the chat's at
 * once. A refusal is never kept, so a chat just assigned opens at once; a chat taken away
 * by another isolate stays open to its former agent's media for at most GRANT_MEMO_MS.
 *
 * The numbers an agent works are remembered the same way for a realtime reconnect (a
 * thousand browsers coming back at once need no D1 read each): a change made here
 * forgets them at once; one made by another isolate holds after GRANT_MEMO_MS.
 */

export const GRANT_MEMO_MS = 10_000;
const GRANTS_MAX = 10_000;

/** A chat of one number, as the grants are keyed. */
export interface GrantChat {
  number: string;
  jid: string;
}

/** `${number}\n${jid}\n${sub}` → until (epoch ms). */
const grants = new Map<string, number>();

const chatKey = (chat: GrantChat) => `${chat.number}\n${chat.jid}\n`;

export function grantedLately(sub: string, chat: GrantChat, now = Date.now()): boolean {
  const until = grants.get(`${chatKey(chat)}${sub}`);
  return until !== undefined && until > now;
}

export function rememberGrant(sub: string, chat: GrantChat, ms: number, now = Date.now()): void {
  if (grants.size >= GRANTS_MAX) grants.clear();
  grants.set(`${chatKey(chat)}${sub}`, now + ms);
}

/** The chat changed hands: nobody's grant for it holds any longer. */
export function forgetGrants(chat: GrantChat): void {
  const prefix = chatKey(chat);
  for (const key of grants.keys()) if (key.startsWith(prefix)) grants.delete(key);
}

/** sub → the numbers the agent works (null: every number) and until when. */
const agentNumbers = new Map<string, { numbers: string[] | null; until: number }>();

export function numbersLately(sub: string, now = Date.now()): string[] | null | undefined {
  const kept = agentNumbers.get(sub);
  return kept !== undefined && kept.until > now ? kept.numbers : undefined;
}

export function rememberNumbers(
  sub: string,
  numbers: string[] | null,
  ms: number,
  now = Date.now(),
): void {
  if (agentNumbers.size >= GRANTS_MAX) agentNumbers.clear();
  agentNumbers.set(sub, { numbers, until: now + ms });
}

/** The agent's numbers changed: the next reconnect reads them again. */
export function forgetNumbers(sub: string): void {
  agentNumbers.delete(sub);
}
