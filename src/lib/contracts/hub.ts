/** What crosses into and out of the RealtimeHub object. */
import type { Role } from "../types.ts";

/** Who a ticket lets connect, and until when: a socket lives no longer than its token. */
export interface TicketHolder {
  role: Role;
  sub: string;
  /** The bearer token's expiry (ms since the epoch). */
  validUntil: number;
}

/**
 * The header that hands the hub a user the Worker signed in on the upgrade itself (no
 * ticket). Only the Worker reaches the hub, and it never passes a browser's headers on.
 */
export const HOLDER_HEADER = "X-Realtime-Holder";

/** A ticket, or why there is none: the user holds as many sockets as allowed. */
export type IssuedTicket =
  | { status: "issued"; ticket: string; expiresAt: number; seq: number }
  | { status: "too-many-sockets"; message: string; retryAfterMs: number };

/** Who a frame is for: the access rule decides who sees it (src/lib/access.ts). */
export type { Audience } from "../auth/access.ts";

export interface BroadcastResult {
  sent: number;
  failed: number;
}
