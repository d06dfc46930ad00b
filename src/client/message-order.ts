/**
 * A conversation in true order, oldest first. The gateway lists pages newest first, and
 * messages of one second newest first as well, so a page turned around is in the order
 * things happened; live messages go after everything of their second or earlier.
 */
import type { Message } from "./types.ts";

/** A page as the gateway answers it (newest first), oldest first. */
export function oldestFirst(page: readonly Message[]): Message[] {
  return [...page].reverse();
}

/**
 * The newest page read again (after a reconnect, a send, a resync) merged into what is
 * shown: older pages loaded by scrolling stay, messages delivered live after the page
 * was read stay, the page's own messages take their place and their new content.
 */
export function mergeNewest(current: readonly Message[], page: readonly Message[]): Message[] {
  const fresh = oldestFirst(page);
  if (current.length === 0) return fresh;
  if (fresh.length === 0) return [...current];
  const inPage = new Set(fresh.map((m) => m.id));
  const firstOverlap = current.findIndex((m) => inPage.has(m.id));
  const oldest = fresh[0]?.timestamp ?? 0;
  const newest = fresh.at(-1)?.timestamp ?? 0;
  const before =
    firstOverlap >= 0
      ? current.slice(0, firstOverlap).filter((m) => !inPage.has(m.id))
      : current.filter((m) => m.timestamp < oldest);
  const beforeIds = new Set(before.map((m) => m.id));
  const after = current.filter(
    (m) => !inPage.has(m.id) && !beforeIds.has(m.id) && m.timestamp >= newest,
  );
  return [...before, ...fresh, ...after];
}

/** An older page (answered newest first) put before what is shown. */
export function prependOlder(current: readonly Message[], page: readonly Message[]): Message[] {
  const known = new Set(current.map((m) => m.id));
  return [...oldestFirst(page).filter((m) => !known.has(m.id)), ...current];
}

/** A live message: replaces its earlier copy, or goes after every message of its second. */
export function insertLive(current: readonly Message[], message: Message): Message[] {
  const at = current.findIndex((m) => m.id === message.id);
  if (at >= 0) return current.map((m, i) => (i === at ? message : m));
  let index = current.length;
  while (index > 0 && (current[index - 1]?.timestamp ?? 0) > message.timestamp) index -= 1;
  return [...current.slice(0, index), message, ...current.slice(index)];
}
