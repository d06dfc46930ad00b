/**
 * The gateway's JSON shapes as the browser sees them: the server's own types, under the
 * names the browser library uses, so that a change on either side fails the typecheck.
 */
import type {
  Agent as AgentBody,
  BrowserMedia,
  BrowserMessage,
  ChatSummary,
  CircuitStatus,
  MonitoringStats as StatsBody,
} from "../lib/contracts/api.ts";

export type {
  CannedReply,
  ChatAssignment,
  ChatNote,
  ChatStatus,
  ErrorBody,
  Me,
  NotAnAgentBody,
  PollingConfig,
  RealtimeEvent,
  RealtimeTicket,
  Role,
  SetupReport,
} from "../lib/contracts/api.ts";

import type { OutboxEntry as OutboxBody } from "../lib/contracts/outbox.ts";

/** An outbox entry, with the number its chat is on (absent from a gateway that names none). */
export type OutboxEntry = OutboxBody & { number?: string };

/**
 * A chat as the inbox keeps it: `number` is the id of the WhatsApp number it is on ("" while
 * the gateway names no numbers: its only one). The same customer may have a chat on two numbers.
 */
export type Chat = ChatSummary & { number: string };
export type Message = BrowserMessage;
export type MessageMedia = BrowserMedia;

/** One hit of `GET /api/wa/search`: the snippet marks the matched words with `[` `]`. */
export interface SearchHit {
  jid: string;
  /** The number the chat is on (absent from a gateway that names no numbers). */
  number?: string;
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

/** One WhatsApp number of `GET /api/numbers`, as the user may see it. */
export interface WaNumber {
  id: string;
  name: string;
  /** That number's WAHA session status (WORKING, SCAN_QR_CODE, …). */
  status: string;
}

/** An agent, with the numbers it works (null or absent: every number). */
export type Agent = AgentBody & { numbers?: string[] | null };

/** One number's part of the monitoring stats. */
export interface NumberStats {
  status: string | null;
  circuit: CircuitStatus;
  upstream: { calls: number; errors: number };
  silent: boolean;
}

/** `GET /api/waha/monitoring/stats`, with each number's part (absent where there is one number). */
export type MonitoringStats = StatsBody & { numbers?: Record<string, NumberStats> };
