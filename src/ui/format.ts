/** How times, statuses, acks and errors read on the page. */
import { ApiError } from "../client/api-error.ts";

/** An ISO time from the gateway (a chat's `lastMessageAt`) to ms; undefined for none. */
export function toMillis(iso: string | null): number | undefined {
  if (iso === null) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const withSeconds = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const longDay = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "long" });

/** Today: the time; otherwise the date (with the time where there is room for it). */
export function formatTime(ms: number | undefined, withTime = false, now = Date.now()): string {
  if (ms === undefined) return "";
  const date = new Date(ms);
  if (new Date(now).toDateString() === date.toDateString()) return timeOfDay.format(date);
  return (withTime ? dayAndTime : shortDay).format(date);
}

/** 14:03:27, for "tries again at". */
export function clockTime(ms: number): string {
  return withSeconds.format(new Date(ms));
}

/** The local calendar day of a time, as a key: `2026-03-14`. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A date separator: Today, Yesterday, the weekday within a week, else the full date. */
export function dayLabel(ms: number, now = Date.now()): string {
  const day = new Date(ms);
  day.setHours(0, 0, 0, 0);
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const days = Math.round((today.getTime() - day.getTime()) / 86_400_000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return weekday.format(day);
  return longDay.format(day);
}

/** 45 s, 4 min, 1 h 5 min, 2 d 3 h. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

const SESSION_LABELS: Record<string, string> = {
  WORKING: "connected",
  SCAN_QR_CODE: "waiting for a QR scan",
  STARTING: "starting",
  STOPPED: "stopped",
  FAILED: "failed",
};

export function sessionLabel(status: string | undefined): string {
  if (status === undefined) return "checking…";
  return SESSION_LABELS[status] ?? status.toLowerCase();
}

const ACK_LABELS: Record<string, string> = {
  ERROR: "failed",
  PENDING: "sending",
  SERVER: "sent",
  DEVICE: "delivered",
  READ: "read",
  PLAYED: "played",
};

export function ackLabel(name: string | null): string {
  if (name === null) return "";
  return ACK_LABELS[name] ?? name.toLowerCase();
}

/** `15550100001@c.us` → `+15550100001`, for senders without a name. */
export function phoneOf(jid: string): string {
  const user = jid.split("@")[0] ?? jid;
  return /^\d+$/.test(user) ? `+${user}` : user;
}

/** A search snippet's parts: `[word]` marks a hit. */
export function snippetParts(snippet: string): Array<{ text: string; hit: boolean }> {
  const parts: Array<{ text: string; hit: boolean }> = [];
  const pattern = /\[([^\]]*)\]/g;
  let at = 0;
  for (const match of snippet.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (index > at) parts.push({ text: snippet.slice(at, index), hit: false });
    parts.push({ text: match[1] ?? "", hit: true });
    at = index + match[0].length;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), hit: false });
  return parts;
}

/** An error as one short sentence for the page. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError)
    return error.status === 0 ? "the gateway did not answer" : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Country codes of one digit (North America, Russia/Kazakhstan). */
const ONE_DIGIT_CODES = new Set(["1", "7"]);
/** Two-digit starts of three-digit country codes (the rest of their zones use two digits). */
const THREE_DIGIT_STARTS = new Set([
  ...["21", "22", "23", "24", "25", "26", "29", "35", "37", "38", "42", "50", "59"],
  ...["67", "68", "69", "85", "87", "88", "96", "97", "99"],
]);

/** The national part in the groups people read: 555 123 4567, 11 98765 4321, … */
function groupNational(n: string): string {
  const groups: Record<number, number[]> = {
    8: [4, 4],
    9: [3, 3, 3],
    10: [3, 3, 4],
    11: [2, 5, 4],
  };
  const sizes = groups[n.length];
  if (!sizes) return n.replace(/(\d{3})(?=\d{2})/g, "$1 ");
  let at = 0;
  return sizes
    .map((size) => {
      const part = n.slice(at, at + size);
      at += size;
      return part;
    })
    .join(" ");
}

/**
 * A WhatsApp id as the phone number people read: `15551234567@c.us` → `+1 555 123 4567`;
 * anything that is not a number (a group, an @lid) stays as it is.
 */
export function formatPhone(jid: string): string {
  const user = jid.split("@")[0] ?? jid;
  if (!/^\d{7,15}$/.test(user) || jid.endsWith("@g.us") || jid.endsWith("@lid")) return user;
  const codeLength = ONE_DIGIT_CODES.has(user.slice(0, 1))
    ? 1
    : THREE_DIGIT_STARTS.has(user.slice(0, 2))
      ? 3
      : 2;
  return `+${user.slice(0, codeLength)} ${groupNational(user.slice(codeLength))}`;
}

/** Up to two initials of a name, for a contact without a picture. */
export function initialsOf(name: string): string {
  const words = name
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => [...(w ?? "")][0]?.toUpperCase() ?? "").join("") || "#";
}
