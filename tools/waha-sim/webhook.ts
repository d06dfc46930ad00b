// Outgoing WAHA webhooks: the JSON envelope, its HMAC-SHA512 signature and the POST itself.
import { createHmac, randomBytes } from "node:crypto";

/** Hex HMAC-SHA512 of the exact raw body, as WAHA sends in X-Webhook-Hmac. */
export function signWebhook(body: string, key: string): string {
  return createHmac("sha512", key).update(body, "utf8").digest("hex");
}

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/** ULID-like id (time-ordered, 26 chars) like the ones WAHA puts after "evt_". */
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

export interface Envelope {
  id: string;
  timestamp: number;
  session: string;
  metadata: Record<string, string>;
  engine: string;
  event: string;
  payload: unknown;
  me?: { id: string; pushName: string };
  environment: { version: string; engine: string; tier: string; browser: string | null };
}

export interface Delivery {
  status: number;
  requestId: string;
  error?: string;
}

export interface WebhookTarget {
  url: string;
  hmacKey?: string;
}

const TIMEOUT_MS = 10_000;

/** Posts one envelope; status 0 means the receiver could not be reached. */
export async function deliverWebhook(target: WebhookTarget, envelope: Envelope): Promise<Delivery> {
  const body = JSON.stringify(envelope);
  const requestId = `req_${ulid()}`;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": `WAHA/${envelope.environment.version}`,
    "X-Webhook-Request-Id": requestId,
    "X-Webhook-Timestamp": String(Date.now()),
  };
  if (target.hmacKey) {
    headers["X-Webhook-Hmac"] = signWebhook(body, target.hmacKey);
    headers["X-Webhook-Hmac-Algorithm"] = "sha512";
  }
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status, requestId };
  } catch (err) {
    return { status: 0, requestId, error: err instanceof Error ? err.message : String(err) };
  }
}
