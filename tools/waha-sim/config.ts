// The simulator's live settings: what startSimulator was given, changeable through the control API.
import type { Engine } from "./model.ts";
import type { SimOptions } from "./server.ts";

export type Tier = "CORE" | "PLUS";

export const SESSION_STATUSES = [
  "STOPPED",
  "STARTING",
  "SCAN_QR_CODE",
  "WORKING",
  "FAILED",
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === "string" && (SESSION_STATUSES as readonly string[]).includes(value);
}

export function isTier(value: unknown): value is Tier {
  return value === "CORE" || value === "PLUS";
}

export type RetryPolicy = "constant" | "linear" | "exponential";

export function isRetryPolicy(value: unknown): value is RetryPolicy {
  return value === "constant" || value === "linear" || value === "exponential";
}

/** How often a webhook that did not get a 2xx is sent again, and how long apart. */
export interface WebhookRetries {
  /** Retries after the first attempt, as WAHA's `retries.attempts`. */
  attempts: number;
  delayMs: number;
  policy: RetryPolicy;
}

// WAHA: src/core/integrations/webhooks/WebhookSender.ts (DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_DELAY_SECONDS)
export const DEFAULT_WEBHOOK_RETRIES: WebhookRetries = {
  attempts: 15,
  delayMs: 2_000,
  policy: "constant",
};

/**
 * Which demo data a reset builds: the 22 inbox chats, or those plus @lid, channel and status
 * traffic, or a support desk's own chats (a second number's inbox in the demo).
 */
export type DemoSet = "basic" | "full" | "support";

export function isDemoSet(value: unknown): value is DemoSet {
  return value === "basic" || value === "full" || value === "support";
}

export { isSendEcho, type SendEcho } from "./send-echo.ts";

import type { SendEcho } from "./send-echo.ts";

/** WAHA's WAIT_STATUS_TIMEOUT: how long a call waits for the session to be WORKING. */
export const DEFAULT_SESSION_WAIT_MS = 10_000;

export interface SimConfig {
  apiKey: string;
  session: string;
  filesLifetimeSec: number;
  tier: Tier;
  engine: Engine;
  demo: DemoSet;
  webhookRetries: WebhookRetries;
  webhookUrl?: string;
  webhookHmacKey?: string;
  /** Empty until the port is known. */
  publicUrl: string;
  log: boolean;
  sendEcho: SendEcho;
  /** With sendEcho `after`: how long after the answer. */
  echoDelayMs: number;
  /** How long a call that needs another session status waits for it (WAHA: 10 s). */
  sessionWaitMs: number;
  /** Added to the real time for message and envelope times (a test whose clock runs ahead). */
  clockOffsetMs: number;
  /**
   * Origins whose webhook URLs are delivered to the mailbox (a Worker under test has no port):
   * a session's config may name the gateway's real address and still reach it.
   */
  mailboxOrigins: string[];
  /** More of WAHA's environment for GET /api/server/environment (WHATSAPP_HOOK_URL, …). */
  environment: Record<string, string>;
  /**
   * The session's `webjs.tagsEventsOn` (WAHA's default: false). Off, WEBJS sends no group
   * receipts (`message.ack.group`) and no presence, since both come from WhatsApp Web's
   * `tag:*` stanzas that WAHA hooks only when asked.
   */
  // WAHA: src/structures/sessions.dto.ts (WebjsConfig.tagsEventsOn), src/core/engines/webjs/
  // session.webjs.core.ts (getWebjsTagsFlag, TAG_RECEIPT), WebjsClientCore.ts (attachTagsEvents)
  webjsTagsEventsOn: boolean;
  /**
   * The session's `noweb.store.enabled`. WAHA's own default is false; the simulator's is true,
   * as the demo and the gateway's setup assume. Off, NOWEB answers 400 to chats, messages,
   * one message and lids (NowebInMemoryStore); webhooks and sends work as before.
   */
  // WAHA: src/core/engines/noweb/session.noweb.core.ts (ensureStore),
  // src/core/engines/noweb/store/NowebInMemoryStore.ts
  nowebStoreEnabled: boolean;
  /**
   * How many messages of a chat WhatsApp Web holds when asked, and how many one
   * `loadEarlierMsgs` adds (not in WAHA's source; WhatsApp Web's own batch): WEBJS lists
   * only what is loaded plus one earlier batch per call.
   */
  webjsLoadBatch: number;
}

export const DEFAULT_FILES_LIFETIME_SEC = 180;

/** WhatsApp Web's batch of earlier messages, as the simulator assumes it. */
export const DEFAULT_WEBJS_LOAD_BATCH = 50;

export function configFrom(opts: SimOptions): SimConfig {
  const config: SimConfig = {
    apiKey: opts.apiKey,
    session: opts.session ?? "default",
    filesLifetimeSec: opts.filesLifetimeSec ?? DEFAULT_FILES_LIFETIME_SEC,
    tier: opts.tier ?? "CORE",
    engine: opts.engine ?? "WEBJS",
    demo: opts.demo ?? "basic",
    webhookRetries: { ...DEFAULT_WEBHOOK_RETRIES, ...opts.webhookRetries },
    publicUrl: opts.publicUrl?.replace(/\/+$/, "") ?? "",
    log: opts.log ?? false,
    sendEcho: opts.sendEcho ?? "with",
    echoDelayMs: opts.echoDelayMs ?? 0,
    sessionWaitMs: opts.sessionWaitMs ?? DEFAULT_SESSION_WAIT_MS,
    clockOffsetMs: 0,
    mailboxOrigins: [],
    environment: {},
    webjsTagsEventsOn: opts.webjsTagsEventsOn ?? false,
    nowebStoreEnabled: opts.nowebStoreEnabled ?? true,
    webjsLoadBatch: opts.webjsLoadBatch ?? DEFAULT_WEBJS_LOAD_BATCH,
  };
  if (opts.webhookUrl) config.webhookUrl = opts.webhookUrl;
  if (opts.webhookHmacKey) config.webhookHmacKey = opts.webhookHmacKey;
  return config;
}
