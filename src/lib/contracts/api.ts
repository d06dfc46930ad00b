/**
 * The JSON the gateway answers browsers with (SPEC.md, "Gateway HTTP API"): the routes
 * that send it and the browser library that reads it use these types, so a change here
 * shows in both. Imports nothing, so the browser's tsconfig checks it as it is.
 */

export type Role = "admin" | "user" | "agent";

/** What a message is besides text and media. */
export type MessageKind = "call" | "location" | "vcard" | "sticker";

/** What a message's kind needs: coordinates, contact cards, a call's outcome. */
export type MessageExtra =
  | { latitude: number; longitude: number; name?: string; address?: string; live?: boolean }
  | { contacts: Array<{ name: string; number: string | null }> }
  | { video: boolean; outcome: "ringing" | "missed" | "answered" };

/** How a request signed in: a token the page sent, Cloudflare Access, or the business's cookie. */
export type SignInVia = "bearer" | "access" | "cookie";

/** Every error: `{error: "<kebab-code>", message?}`. */
export interface ErrorBody {
  error: string;
  message?: string;
}

/** The 403 for a signed-in person the inbox does not know, and where to sign in as someone else. */
export interface NotAnAgentBody extends ErrorBody {
  error: "not-an-agent";
  message: string;
  signOutUrl?: string;
}

/** `GET /api/me`: who is signed in, and how. */
export interface Me {
  sub: string;
  role: Role;
  name?: string;
  via: SignInVia;
  /** Where Sign out goes when forgetting the page's token is not enough. */
  signOutUrl?: string;
}

/** `GET /api/config/polling`, in milliseconds but for the multiplier. */
export interface PollingConfig {
  initialCheckDelay: number;
  baseInterval: number;
  authenticatedInterval: number;
  maxInterval: number;
  backoffMultiplier: number;
  pingInterval: number;
}

/** `POST /api/realtime/ticket`: one use, for the WebSocket upgrade. */
export interface RealtimeTicket {
  ticket: string;
  /** ISO time. */
  expiresAt: string;
  /** The newest frame's seq: connect with `since` it, after loading the lists. */
  seq: number;
  /** The number whose hub the ticket is for. */
  number: string;
}

/** One entry of `GET /api/wa/chats`, whatever WAHA's engine. */
export interface ChatSummary {
  id: string;
  /** The WhatsApp number the chat is on (its id; always sent). */
  number?: string;
  name: string;
  unreadCount: number;
  /** ISO time of the last message, null for an empty chat. */
  lastMessageAt: string | null;
  /** Start of the last message's text, or what its media is ("📷 Photo", "📄 a.pdf"…). */
  preview: string | null;
  isGroup: boolean;
  /** The agent the chat is assigned to (from D1, added after the cache). */
  owner: string | null;
  /** `/api/wa/avatar?number&jid`; null when WhatsApp is known to have no picture for it. */
  avatarUrl?: string | null;
  /** The conversation's status; a chat nobody has set one on is open. */
  status: ChatStatus;
  /** ISO time a snoozed chat opens again; null unless snoozed. */
  snoozeUntil: string | null;
  /** Staff's labels, sorted. */
  labels: string[];
}

/** Where a conversation stands: waiting on us, on someone else, done, or set aside until a time. */
export type ChatStatus = "open" | "pending" | "resolved" | "snoozed";

/** `GET/POST /api/wa/chats/{jid}/notes`: staff's private note on a chat, never sent to WhatsApp. */
export interface ChatNote {
  id: number;
  jid: string;
  /** The author's id (the token's `sub`) and name, when the token had one. */
  author: string;
  authorName: string | null;
  text: string;
  /** ISO time. */
  createdAt: string;
}

/** One agent's row of `GET /api/reports/agents` (durations in ms; null: nothing to measure). */
export interface AgentReport {
  agentId: string;
  name: string | null;
  conversations: number;
  firstResponseMedianMs: number | null;
  firstResponseP90Ms: number | null;
  resolutionMedianMs: number | null;
  messagesSent: number;
}

/** `GET /api/reports/agents`. */
export interface AgentsReport {
  from: string;
  to: string;
  number: string;
  agents: AgentReport[];
}

/** One monitoring sample kept server-side (`GET /api/waha/monitoring/history`): counters only. */
export interface StatsSample {
  /** When it was taken (ms). */
  at: number;
  /** When the counters started (ISO), as in the stats. */
  since: string;
  requests: number;
  upstreamCalls: number;
  /** Cached answers asked for (hits, misses, coalesced, stale) and those served without a WAHA call. */
  cacheAsked: number;
  cacheServed: number;
  /** Media turned away: busy and cooldown rejections. */
  mediaRejected: number;
}

/** A message's media, fetched from the gateway, never from WAHA. */
export interface BrowserMedia {
  /** `/api/wa/media?jid=…&id=…`; null when WAHA could not download it. */
  url: string | null;
  mimetype: string | null;
  filename: string | null;
  error?: unknown;
}

/** A WAHA message for the browser: SPEC's fields only, `media.url` on the gateway. */
export interface BrowserMessage {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  from: string;
  fromMe: boolean;
  to: string | null;
  /** The sender inside a group chat. */
  participant?: string;
  /** The sender's push name, as their message carried it (groups). */
  senderName?: string | null;
  /** A location, contact card, sticker or call; absent for text and other media. */
  kind?: MessageKind;
  /** What the kind needs: coordinates, the cards' names and numbers, a call's outcome. */
  extra?: MessageExtra | null;
  body: string | null;
  hasMedia: boolean;
  media: BrowserMedia | null;
  ack: number | null;
  /** PENDING, SERVER, DEVICE, READ, PLAYED or ERROR. */
  ackName: string | null;
  /** The quoted message, when this one is a reply. */
  replyTo?: QuotedMessage | null;
  /** Who reacted with what (sender id, or "me"). */
  reactions?: Array<{ from: string; text: string }>;
  /** When the text was last edited (ms). */
  editedAt?: number | null;
  /** When the sender deleted it (ms); its text and media are gone. */
  revokedAt?: number | null;
}

/** What a reply quotes; all null when the quoted message is not stored. */
export interface QuotedMessage {
  id: string | null;
  /** Its text, or what its media is ("📷 Photo") when it has none. */
  body: string | null;
  fromMe: boolean | null;
  /** Who wrote it, in a group (its participant). */
  sender?: string | null;
  /** Their push name, when the store knows it (groups). */
  senderName?: string | null;
}

/** `GET /api/agents`: the agents auto-assign rotates over. */
export interface Agent {
  id: string;
  name: string;
  active: boolean;
  /** The sign-in e-mail mapped to this agent (lowercase), when one is set. */
  email?: string;
  /** The WhatsApp numbers (ids) the agent works; null: every number (always sent). */
  numbers?: string[] | null;
}

/** `GET /api/canned-replies`: a text the team inserts with `/shortcut` in the composer. */
export interface CannedReply {
  id: string;
  /** Lowercase letters, digits, `-` and `_`; unique. */
  shortcut: string;
  text: string;
}

/** `GET/PUT/DELETE /api/wa/assignments/{jid}`: who answers a chat (ISO times). */
export interface ChatAssignment {
  jid: string;
  /** The number the chat is on (its id); every answer of the API names it. */
  number?: string;
  assignedTo: string | null;
  firstMessageAt: string | null;
  firstResponseAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The JSON frames on the realtime WebSocket (SPEC.md, "Realtime events"). */
export type RealtimeEvent =
  | { type: "message.new"; jid: string; message: BrowserMessage }
  | { type: "message.status"; jid: string; id: string; status: string }
  | { type: "session.status"; status: string }
  | { type: "chat.assigned"; jid: string; agentId: string | null }
  | { type: "message.revoked"; jid: string; id: string }
  | { type: "message.edited"; jid: string; id: string; body: string }
  | { type: "message.reaction"; jid: string; id: string; reaction: string; from: string }
  /**
   * The session says WORKING but its webhooks have stopped (SILENT), or a webhook came again;
   * `reason`: a send no webhook followed (`no-echo`), or messages none announced.
   */
  | { type: "session.silent"; silent: boolean; since?: string; reason?: string }
  /** The gateway's own view of WAHA: pushed when its circuit breaker opens or closes. */
  | { type: "upstream.status"; state: "up" | "down"; retryAt?: string }
  | {
      type: "outbox.status";
      clientId: string;
      jid: string;
      status: "queued" | "sent" | "failed";
      id?: string;
      error?: string;
    }
  /** A conversation's status changed (set by staff, a customer's message, a snooze's end). */
  | { type: "chat.status"; jid: string; number: string; status: ChatStatus; snoozeUntil?: string }
  | { type: "note.new"; jid: string; number: string; note: ChatNote }
  | { type: "chat.labels"; jid: string; number: string; labels: string[] }
  /** Sent first on reconnect when `since` is older than what is kept: reload the lists. */
  | { type: "resync"; seq: number };

export interface ResourceCounts {
  hits: number;
  misses: number;
  coalesced: number;
  stale: number;
  bypass: number;
}

export interface EndpointCounts {
  calls: number;
  errors: number;
  timeouts: number;
}

/** The circuit breaker in front of WAHA. */
export interface CircuitStatus {
  state: "closed" | "open" | "half-open";
  failures: number;
  /** ISO time the circuit opened, null while it is closed. */
  openedAt: string | null;
}

/** `GET /api/waha/monitoring/stats` (SPEC.md, "Monitoring stats"). */
export interface MonitoringStats {
  since: string;
  requests: { total: number; byRoute: Record<string, number> };
  cache: {
    hits: number;
    misses: number;
    coalesced: number;
    stale: number;
    hitRate: number;
    byResource: Record<string, ResourceCounts>;
  };
  upstream: {
    calls: number;
    callsPerMinute: number;
    errors: number;
    errorRate: number;
    timeouts: number;
    byEndpoint: Record<string, EndpointCounts>;
  };
  media: {
    served: number;
    bytesServed: number;
    cachedItems: number;
    cachedBytes: number;
    evictions: number;
    busyRejections: number;
    cooldownRejections: number;
    inFlight: number;
    activeDownloads: number;
    maxConcurrency: number;
    /** The R2 media archive: answers from it, items and bytes put in, items deleted. */
    archive: { hits: number; writes: number; bytesWritten: number; deletes: number };
  };
  circuit: CircuitStatus;
  realtime: { connections: number };
  /** The WhatsApp session as the gateway sees it beside WAHA's word (SessionWatch). */
  session: SessionWatchStats;
  /** Each number's own: its session's status as last heard, its WAHA server's circuit,
   * its calls to WAHA, and whether it is SILENT. */
  numbers?: Record<string, NumberStats>;
}

/** One number in the monitoring stats. */
export interface NumberStats {
  status: string;
  circuit: CircuitStatus;
  upstream: { calls: number; errors: number };
  silent: boolean;
}

/** SILENT: WORKING by WAHA's word while its webhooks have stopped. */
export interface SessionWatchStats {
  silent: boolean;
  /** ISO time it was found silent; null while it is not. */
  silentSince: string | null;
  /** `no-echo` (a send no webhook followed) or `unannounced` (a reconcile found messages). */
  reason: string | null;
  /** ISO time of the last verified webhook; null: none heard. */
  lastWebhookAt: string | null;
  /** Times the session was found silent, and restarted by the gateway (counters). */
  silentSpells: number;
  autoRestarts: number;
  autoRestart: { on: boolean; lastHour: number; max: number };
}

/** One thing wrong with WAHA's setup (`GET /api/waha/setup`). */
export interface Finding {
  /** kebab-case, stable: what is wrong. */
  code: string;
  message: string;
  /** What to do about it. */
  fix: string;
  /** Whether `POST /api/waha/setup/apply` fixes it. */
  byApply: boolean;
}

/** Something the gateway could not check, and why. */
export interface Unchecked {
  code: string;
  message: string;
}

/** `GET /api/waha/setup`, and what `POST /api/waha/setup/apply` answers once it wrote. */
export interface SetupReport {
  /** Nothing to fix. */
  ok: boolean;
  session: string;
  engine: string | null;
  /** Where WAHA should post webhooks. */
  webhookUrl: string;
  findings: Finding[];
  unchecked: Unchecked[];
}
