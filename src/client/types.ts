/**
 * The gateway's JSON shapes as the browser sees them: the server's own types, under the
 * names the browser library uses, so that a change on either side fails the typecheck.
 */
import type { BrowserMedia, BrowserMessage, ChatSummary } from "../lib/contracts/api.ts";

export type {
  Agent,
  CannedReply,
  ChatAssignment,
  ChatNote,
  ChatStatus,
  ErrorBody,
  Me,
  MonitoringStats,
  NotAnAgentBody,
  PollingConfig,
  RealtimeEvent,
  RealtimeTicket,
  Role,
  SetupReport,
} from "../lib/contracts/api.ts";
export type { OutboxEntry } from "../lib/contracts/outbox.ts";

export type Chat = ChatSummary;
export type Message = BrowserMessage;
export type MessageMedia = BrowserMedia;

/** One hit of `GET /api/wa/search`: the snippet marks the matched words with `[` `]`. */
export interface SearchHit {
  jid: string;
  id: string;
  /** Unix seconds. */
  timestamp: number;
  snippet: string;
}

/** What `send-text`, `send-media` and an outbox retry answer. */
export type SendAnswer =
  | { clientId: string; status: "sent"; id: string | null }
  | { clientId: string; status: "queued" };

/** `GET /api/waha/status` with where the gateway got it from. */
export interface StatusSnapshot {
  /** The WAHA session's status (WORKING, SCAN_QR_CODE, …). */
  status: string | undefined;
  /** CORE or PLUS; media sending needs PLUS. */
  tier: string | undefined;
  engine: string | undefined;
  /** `X-Cache-Status`: STALE means the gateway could not reach WAHA and kept its last answer. */
  cache: string | null;
  /** How old WAHA's answer is (from `Age`), in ms. */
  ageMs: number;
  /** The gateway found the session SILENT: WORKING by WAHA's word, but no webhooks come. */
  silent: boolean;
}
