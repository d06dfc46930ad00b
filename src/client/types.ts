/** The gateway's JSON shapes as the browser sees them (SPEC.md, "Gateway HTTP API"). */

export type Role = "admin" | "user" | "agent";

export interface Me {
  sub: string;
  role: Role;
  name?: string;
  /** How this browser signed in: a token the page holds, Cloudflare Access, or a cookie. */
  via?: "bearer" | "access" | "cookie";
  /** Where Sign out goes when forgetting the page's token is not enough. */
  signOutUrl?: string;
}

export interface PollingConfig {
  initialCheckDelay: number;
  baseInterval: number;
  authenticatedInterval: number;
  maxInterval: number;
  backoffMultiplier: number;
  pingInterval: number;
}

export interface Chat {
  id: string;
  name: string;
  unreadCount: number;
  /** ISO time of the last message (seconds or ms are read too); null for an empty chat. */
  lastMessageAt: number | string | null;
  preview: string | null;
  isGroup: boolean;
  /** Agent id the chat is assigned to, or null. */
  owner: string | null;
}

export interface MessageMedia {
  /** A gateway URL, `/api/wa/media?jid=…&id=…`; null when WAHA could not download it. */
  url: string | null;
  mimetype: string;
  filename: string | null;
}

export interface Message {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  from: string;
  /** The sender inside a group chat. */
  participant?: string | null;
  fromMe: boolean;
  body?: string | null;
  hasMedia?: boolean;
  media?: MessageMedia | null;
  ack?: number;
  /** PENDING, SERVER, DEVICE, READ, PLAYED or ERROR. */
  ackName?: string;
}

export interface Agent {
  id: string;
  name: string;
  active: boolean;
}

export interface RealtimeTicket {
  ticket: string;
  expiresAt?: number | string;
}
