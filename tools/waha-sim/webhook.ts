// Outgoing WAHA webhooks: the JSON envelope, its headers and HMAC-SHA512 signature, and the POST
// with WAHA's retries: every answer but a 2xx (4xx included) and every network error is retried.
// WAHA: src/core/integrations/webhooks/WebhookSender.ts, src/core/abc/manager.abc.ts
// (populateSessionInfo), src/utils/ids.ts (generatePrefixedId)
import { createHmac, randomBytes } from "node:crypto";
import { networkInterfaces } from "node:os";
import type { WebhookRetries } from "./config.ts";
import { MAILBOX_URL, Mailbox } from "./mailbox.ts";

/** Hex HMAC-SHA512 of the exact raw body, as WAHA sends in X-Webhook-Hmac. */
export function signWebhook(body: string, key: string): string {
  return createHmac("sha512", key).update(body, "utf8").digest("hex");
}

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/** A lower-case ULID (time-ordered, 26 chars), as WAHA puts after "evt_". */
export function ulid(now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = (CROCKFORD[t % 32] ?? "0") + time;
    t = Math.floor(t / 32);
  }
  let rand = "";
  for (const byte of randomBytes(16)) rand += CROCKFORD[byte % 32] ?? "0";
  return time + rand;
}

function macAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const item of list ?? []) {
      if (item.mac && item.mac !== "00:00:00:00:00:00") {
        const digits = item.mac.replace(/\D+/g, "");
        return digits ? Number.parseInt(digits, 10).toString(36) : "";
      }
    }
  }
  return "";
}

const MACHINE = macAddress() + process.pid.toString(36);
let lastTime = 0;

/**
 * X-Webhook-Request-Id as the uniqid package makes it: the machine's MAC address and process id
 * in base 36, then the time in ms in base 36 (never the same twice in one process).
 */
export function uniqid(): string {
  const now = Date.now();
  lastTime = now > lastTime ? now : lastTime + 1;
  return MACHINE + lastTime.toString(36);
}

export interface Envelope {
  id: string;
  /** The event's own time (ms), also sent as X-Webhook-Timestamp. */
  timestamp: number;
  event: string;
  session: string;
  metadata?: Record<string, string>;
  me: Record<string, unknown> | null;
  payload: unknown;
  engine: string;
  environment: Record<string, unknown>;
}

export interface Delivery {
  /** The first attempt's status; 0 when the receiver could not be reached. */
  status: number;
  requestId: string;
  error?: string;
}

export interface WebhookTarget {
  url: string;
  hmacKey?: string;
  /** The webhook's customHeaders. */
  headers?: Record<string, string>;
}

export interface DeliveryCounters {
  attempt(ok: boolean): void;
  gaveUp(): void;
}

const TIMEOUT_MS = 10_000;
/** Deliveries waiting for a retry beyond this many are not retried (the simulator stays bounded). */
const MAX_PENDING = 1_000;

interface DeliveryAttempt {
  status: number;
  retryAfterMs: number;
  error?: string;
}

function retryAfterMs(header: string | null): number {
  if (!header) return 0;
  const seconds = Number(header);
  const ms =
    Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : 0;
}

/** The wait before retry number `n` (1-based), as WebhookSender's buildRetryDelay picks it. */
export function retryDelay(retries: WebhookRetries, n: number, retryAfter: number): number {
  if (retries.delayMs === 0) return retryAfter;
  if (retries.policy === "linear") return Math.max(n * retries.delayMs, retryAfter);
  if (retries.policy === "exponential") {
    const delay = Math.max(2 ** n * retries.delayMs, retryAfter);
    return delay + delay * 0.2 * Math.random();
  }
  return Math.max(retries.delayMs, retryAfter);
}

/** Posts envelopes and retries them; one instance per simulator so close() can stop it. */
export class WebhookSender {
  private readonly counters: DeliveryCounters;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Bumped by cancelAll, so an attempt still in flight schedules nothing after it. */
  private generation = 0;

  private readonly mailbox: Mailbox;
  /** URLs delivered to the mailbox rather than over HTTP, besides `mailbox:` itself. */
  private readonly toMailbox: (url: string) => boolean;

  constructor(
    counters: DeliveryCounters,
    mailbox: Mailbox = new Mailbox(),
    toMailbox: (url: string) => boolean = () => false,
  ) {
    this.counters = counters;
    this.mailbox = mailbox;
    this.toMailbox = toMailbox;
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Resolves with the first attempt; retries, with the same request id and body, follow on their own. */
  async send(
    target: WebhookTarget,
    envelope: Envelope,
    retries: WebhookRetries,
  ): Promise<Delivery> {
    const body = JSON.stringify(envelope);
    const requestId = uniqid();
    const headers: Record<string, string> = {
      ...target.headers,
      "Content-Type": "application/json",
      "User-Agent": `WAHA/${String(envelope.environment.version)}`,
      "X-Webhook-Request-Id": requestId,
      "X-Webhook-Timestamp": String(envelope.timestamp),
    };
    if (target.hmacKey) {
      headers["X-Webhook-Hmac"] = signWebhook(body, target.hmacKey);
      headers["X-Webhook-Hmac-Algorithm"] = "sha512";
    }
    const first = await this.attempt(target.url, headers, body);
    if (!ok(first.status)) {
      this.retryLater(this.generation, target.url, headers, body, retries, 1, first.retryAfterMs);
    }
    const delivery: Delivery = { status: first.status, requestId };
    if (first.error) delivery.error = first.error;
    return delivery;
  }

  private async attempt(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<DeliveryAttempt> {
    let result: DeliveryAttempt;
    if (url === MAILBOX_URL || this.toMailbox(url)) {
      result = await this.mailbox.post(url, headers, body);
      this.counters.attempt(ok(result.status));
      return result;
    }
    try {
      const res = await fetch(url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      result = { status: res.status, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) };
    } catch (err) {
      result = {
        status: 0,
        retryAfterMs: 0,
        error: err instanceof Error ? err.message : String(err),
      };
    }
    this.counters.attempt(ok(result.status));
    return result;
  }

  private retryLater(
    generation: number,
    url: string,
    headers: Record<string, string>,
    body: string,
    retries: WebhookRetries,
    n: number,
    retryAfter: number,
  ): void {
    if (generation !== this.generation) return;
    if (n > retries.attempts || this.timers.size >= MAX_PENDING) {
      this.counters.gaveUp();
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.attempt(url, headers, body).then((next) => {
          if (ok(next.status)) return;
          this.retryLater(generation, url, headers, body, retries, n + 1, next.retryAfterMs);
        });
      },
      retryDelay(retries, n, retryAfter),
    );
    this.timers.add(timer);
  }

  /** Drops every retry still waiting (reset, close). */
  cancelAll(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function ok(status: number): boolean {
  return status >= 200 && status < 300;
}
