/**
 * The composer's `/shortcut`: whether the text being typed asks for a canned reply, which
 * replies match, and the text once one is chosen.
 */
import type { CannedReply } from "../lib/contracts/api.ts";

/** At most this many replies are offered at once. */
export const CANNED_OFFERED = 8;

/**
 * The shortcut typed so far, when the text is `/` and one word with the caret at its
 * end (`/ho|` → "ho"); undefined otherwise (a `/` inside a sentence asks for nothing).
 */
export function slashQuery(text: string, caret: number): string | undefined {
  if (!text.startsWith("/") || caret !== text.length) return undefined;
  const word = text.slice(1);
  return /^[^\s/]*$/.test(word) ? word.toLowerCase() : undefined;
}

/** Shortcuts that start with the query first, then those that contain it, then texts that do. */
export function matchCanned(replies: readonly CannedReply[], query: string): CannedReply[] {
  const q = query.toLowerCase();
  const starts = replies.filter((r) => r.shortcut.startsWith(q));
  const inShortcut = replies.filter((r) => !r.shortcut.startsWith(q) && r.shortcut.includes(q));
  const inText = q
    ? replies.filter((r) => !r.shortcut.includes(q) && r.text.toLowerCase().includes(q))
    : [];
  return [...starts, ...inShortcut, ...inText].slice(0, CANNED_OFFERED);
}
