/**
 * Is a webhook really from our WAHA, and recent? WAHA signs the raw body with
 * HMAC-SHA512 (hex, `X-Webhook-Hmac`) and stamps `X-Webhook-Timestamp` (ms).
 */

/** Deliveries older (or further in the future) than this are refused as replays. */
export const WEBHOOK_MAX_AGE_MS = 5 * 60_000;

export type WebhookCheck =
  | { ok: true }
  | {
      ok: false;
      error: "webhooks-disabled" | "invalid-signature" | "stale-webhook";
      message: string;
    };

let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function hmacKey(secret: string): Promise<CryptoKey> {
  if (cachedKey?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-512" },
      false,
      ["sign", "verify"],
    );
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

function hexBytes(hex: string): Uint8Array | null {
  if (!/^[0-9a-fA-F]{128}$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Hex HMAC-SHA512 of `body`, as WAHA computes it (for tests, tools and the simulator). */
export async function signWebhookBody(secret: string, body: string | ArrayBuffer): Promise<string> {
  const data = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), data);
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Checks signature, then age. `crypto.subtle.verify` compares MACs in constant time,
 * so a forged signature learns nothing from how long the refusal took.
 */
export async function verifyWebhook(
  secret: string | undefined,
  body: ArrayBuffer,
  headers: Headers,
  now = Date.now(),
): Promise<WebhookCheck> {
  if (!secret) {
    return {
      ok: false,
      error: "webhooks-disabled",
      message: "WAHA_WEBHOOK_HMAC_KEY is not set, so no webhook can be verified",
    };
  }
  const algorithm = headers.get("X-Webhook-Hmac-Algorithm");
  if (algorithm !== null && algorithm.toLowerCase() !== "sha512") {
    return {
      ok: false,
      error: "invalid-signature",
      message: "X-Webhook-Hmac-Algorithm must be sha512",
    };
  }
  const signature = hexBytes(headers.get("X-Webhook-Hmac")?.trim() ?? "");
  if (!signature) {
    return {
      ok: false,
      error: "invalid-signature",
      message: "X-Webhook-Hmac must be the hex HMAC-SHA512 of the body",
    };
  }
  if (!(await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, body))) {
    return {
      ok: false,
      error: "invalid-signature",
      message: "X-Webhook-Hmac does not match the body",
    };
  }
  const stamp = headers.get("X-Webhook-Timestamp")?.trim() ?? "";
  const at = /^\d{1,16}$/.test(stamp) ? Number(stamp) : Number.NaN;
  if (Number.isNaN(at)) {
    return { ok: false, error: "stale-webhook", message: "X-Webhook-Timestamp (ms) is required" };
  }
  if (Math.abs(now - at) > WEBHOOK_MAX_AGE_MS) {
    return {
      ok: false,
      error: "stale-webhook",
      message: `X-Webhook-Timestamp is more than ${WEBHOOK_MAX_AGE_MS / 60_000} minutes away from now`,
    };
  }
  return { ok: true };
}
