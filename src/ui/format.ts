/** How times, statuses, acks and errors read on the page. */
import { ApiError } from "../client/api-error.ts";

/** An ISO time from the gateway (a chat's `lastMessageAt`) to ms; undefined for none. */
export function toMillis(iso: string | null): number | undefined {
  if (iso === null) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

/** Today: the time; otherwise the date (with the time where there is room for it). */
export function formatTime(ms: number | undefined, withTime = false, now = Date.now()): string {
  if (ms === undefined) return "";
  const date = new Date(ms);
  if (new Date(now).toDateString() === date.toDateString()) return timeOfDay.format(date);
  return (withTime ? dayAndTime : shortDay).format(date);
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
  ERROR: "not sent",
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

/** An error as one short sentence for the page. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError)
    return error.status === 0 ? "the gateway did not answer" : error.message;
  return error instanceof Error ? error.message : String(error);
}
