/**
 * The gateway's JSON shapes as the browser sees them: the server's own types, under the
 * names the browser library uses, so that a change on either side fails the typecheck.
 */
import type { BrowserMedia, BrowserMessage, ChatSummary } from "../lib/contracts/api.ts";

export type {
  Agent,
  ChatAssignment,
  ErrorBody,
  Me,
  NotAnAgentBody,
  PollingConfig,
  RealtimeEvent,
  RealtimeTicket,
  Role,
} from "../lib/contracts/api.ts";

export type Chat = ChatSummary;
export type Message = BrowserMessage;
export type MessageMedia = BrowserMedia;
