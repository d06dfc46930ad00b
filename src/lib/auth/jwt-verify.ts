/**
 * Compact JWTs decoded strictly before anything trusts them (shape, alg, kid, crit, length):
 * what picks the key and the issuer. The signature and the claims are checked by jose
 * (tokens.ts). Every refusal carries a reason for the log; none of it is meant for the client.
 */

export type AsymmetricAlg = "RS256" | "ES256";

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  alg: string;
  kid: string | undefined;
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

export type Decoded = { ok: true; jwt: DecodedJwt } | { ok: false; reason: string };

/** Longer than any sign-in token seen in practice (Access: ~1–2 KB), small enough to refuse junk. */
export const MAX_TOKEN_LENGTH = 16_384;
/** Clock difference allowed between the issuer and this Worker. */
export const CLOCK_SKEW_SECONDS = 60;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const KID_MAX = 256;

/** base64url without padding → bytes; undefined for anything else. */
export function base64UrlDecode(segment: string): Uint8Array<ArrayBuffer> | undefined {
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) return undefined;
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  let binary: string;
  try {
    binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function jsonObject(segment: string): Record<string, unknown> | undefined {
  const bytes = base64UrlDecode(segment);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes),
    );
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and parses a compact JWS; checks shape only, not the signature. */
export function decodeJwt(token: string): Decoded {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "token too long" };
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not three dot-separated parts" };
  const [head = "", body = "", sig = ""] = parts;
  const header = jsonObject(head);
  if (!header) return { ok: false, reason: "header is not base64url JSON" };
  const payload = jsonObject(body);
  if (!payload) return { ok: false, reason: "payload is not base64url JSON" };
  if (typeof header.alg !== "string") return { ok: false, reason: "header has no alg" };
  // RFC 7515 §4.1.11: extensions we do not understand must be refused.
  if (header.crit !== undefined) return { ok: false, reason: "header has crit" };
  const kid = header.kid;
  if (kid !== undefined && (typeof kid !== "string" || kid.length === 0 || kid.length > KID_MAX)) {
    return { ok: false, reason: "header kid is not a short string" };
  }
  if (sig === "") return { ok: false, reason: `unsigned token (alg ${clip(header.alg)})` };
  const signature = base64UrlDecode(sig);
  if (!signature) return { ok: false, reason: "signature is not base64url" };
  return {
    ok: true,
    jwt: {
      header,
      payload,
      alg: header.alg,
      kid,
      signingInput: new Uint8Array(new TextEncoder().encode(`${head}.${body}`)),
      signature,
    },
  };
}

/** A value from the token, short enough for one log line. */
export function clip(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
