/**
 * Sign-in checks. The credential (see credentials.ts) is verified by its alg: HS256 with
 * JWT_SECRET (claims `sub`, `role`, `name?`, `exp`); RS256/ES256 with the keys of the
 * JWKS or Cloudflare Access whose issuer it names, its identity then worked out by
 * identity.ts. The HTTP answers to a refusal are the middleware's (middleware/auth.ts).
 */
import { verify } from "hono/jwt";
import { errors as joseErrors, jwtVerify } from "jose";
import * as z from "zod/mini";
import type { Config } from "../config.ts";
import type { User } from "../types.ts";
import type { Credential, SignInVia } from "./credentials.ts";
import { findKey } from "./jwks.ts";
import type { AsymmetricAlg, DecodedJwt } from "./jwt-verify.ts";
import { CLOCK_SKEW_SECONDS, clip, decodeJwt } from "./jwt-verify.ts";
import { identify } from "./roles.ts";

const claimsSchema = z.object({
  sub: z.string().check(z.minLength(1), z.maxLength(256)),
  role: z.enum(["admin", "user", "agent"]),
  name: z.optional(z.string().check(z.maxLength(256))),
  exp: z.number(),
});

/**
 * Tokens this isolate has verified, until they expire: a browser sends the same token
 * with every request, and the media hit path should not pay for an HMAC each time.
 */
const verified = new Map<string, { secret: string; user: User; exp: number }>();
const VERIFIED_MAX = 1_000;

/** A token this isolate verified with `secret` and that has not expired, else null. */
function remembered(
  token: string,
  secret: string,
): { ok: true; user: User; expiresAt: number } | null {
  const known = verified.get(token);
  if (!known || known.secret !== secret || known.exp * 1000 <= Date.now()) return null;
  return { ok: true, user: known.user, expiresAt: known.exp * 1000 };
}

/** Verifies a compact JWT; the reason is for logs and 401 messages, never a secret. */
export async function verifyToken(
  token: string,
  secret: string,
): Promise<{ ok: true; user: User; expiresAt: number } | { ok: false; reason: string }> {
  const known = remembered(token, secret);
  if (known) return known;
  const result = await verifyUncached(token, secret);
  if (!result.ok) return result;
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.set(token, { secret, user: result.user, exp: result.exp });
  return { ok: true, user: result.user, expiresAt: result.exp * 1000 };
}

async function verifyUncached(
  token: string,
  secret: string,
): Promise<{ ok: true; user: User; exp: number } | { ok: false; reason: string }> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, "HS256");
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.name : "invalid token" };
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    return { ok: false, reason: `claim ${String(claims.error.issues[0]?.path[0])} is invalid` };
  }
  const { sub, role, name, exp } = claims.data;
  return { ok: true, user: name === undefined ? { sub, role } : { sub, role, name }, exp };
}

/** A key source for RS256/ES256 tokens: an OIDC issuer's JWKS, or Cloudflare Access. */
interface KeySource {
  kind: "jwks" | "access";
  jwksUrl: string;
  issuer: string;
  audience: string;
}

function keySources(config: Config): KeySource[] {
  const sources: KeySource[] = [];
  if (config.CF_ACCESS_TEAM_DOMAIN !== undefined && config.CF_ACCESS_AUD !== undefined) {
    sources.push({
      kind: "access",
      jwksUrl: `${config.CF_ACCESS_TEAM_DOMAIN}/cdn-cgi/access/certs`,
      issuer: config.CF_ACCESS_TEAM_DOMAIN,
      audience: config.CF_ACCESS_AUD,
    });
  }
  if (config.JWT_JWKS_URL && config.JWT_ISSUER && config.JWT_AUDIENCE) {
    sources.push({
      kind: "jwks",
      jwksUrl: config.JWT_JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
  }
  return sources;
}

/**
 * RS256/ES256 tokens this isolate has verified (signature and claims), keyed by source
 * and token; the identity is still worked out per request, from these claims.
 */
const verifiedByKey = new Map<
  string,
  { claims: Record<string, unknown>; exp: number; until: number }
>();
/** A remembered token is checked against its keys again after this long. */
const VERIFIED_KEY_TTL_MS = 10 * 60_000;

/** Refusals whose reason is for the log only. */
type Refused =
  | { ok: false; status: 401; reason: string }
  | { ok: false; status: 503; reason: string };

/** A credential's verdict; the reasons are for the log, never for the answer. */
export type Checked =
  | { ok: true; user: User; expiresAt: number }
  | Refused
  | { ok: false; status: 403; message: string };

/**
 * Verifies a credential by its header's alg: HS256 with JWT_SECRET, RS256/ES256 by keys
 * (whose refresh may outlive the answer, in `ctx.waitUntil`).
 */
export async function checkCredential(
  credential: Credential,
  config: Config,
  db: D1Database,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<Checked> {
  // A token verified here before is not decoded again: the media hit path sends it each time.
  if (credential.via !== "access" && config.JWT_SECRET !== undefined) {
    const known = remembered(credential.token, config.JWT_SECRET);
    if (known) return known;
  }
  const decoded = decodeJwt(credential.token);
  if (!decoded.ok) return { ok: false, status: 401, reason: decoded.reason };
  const { alg, payload } = decoded.jwt;
  if (alg === "HS256") {
    if (credential.via === "access") {
      return { ok: false, status: 401, reason: "HS256 is not accepted from Access" };
    }
    if (config.JWT_SECRET === undefined) {
      return { ok: false, status: 401, reason: "HS256 token but JWT_SECRET is unset" };
    }
    const result = await verifyToken(credential.token, config.JWT_SECRET);
    return result.ok ? result : { ok: false, status: 401, reason: result.reason };
  }
  if (alg !== "RS256" && alg !== "ES256") {
    return { ok: false, status: 401, reason: `alg ${clip(alg)} is not accepted` };
  }
  const sources = keySources(config);
  const source =
    credential.via === "access"
      ? sources.find((s) => s.kind === "access")
      : sources.find((s) => s.issuer === payload.iss);
  if (!source) {
    return { ok: false, status: 401, reason: `no key source for issuer ${clip(payload.iss)}` };
  }

  const memoKey = `${source.kind} ${source.jwksUrl} ${source.issuer} ${source.audience}\n${credential.token}`;
  const now = Date.now();
  let claims = verifiedByKey.get(memoKey);
  if (!claims || claims.until <= now || (claims.exp + CLOCK_SKEW_SECONDS) * 1000 < now) {
    const verified = await verifyByKey(decoded.jwt, credential.token, alg, source, ctx);
    if (!verified.ok) return verified;
    if (verifiedByKey.size >= VERIFIED_MAX) verifiedByKey.clear();
    claims = { claims: payload, exp: verified.exp, until: now + VERIFIED_KEY_TTL_MS };
    verifiedByKey.set(memoKey, claims);
  }
  const identity = await identify(claims.claims, config, db);
  if (!identity.ok) return identity;
  return { ok: true, user: identity.user, expiresAt: claims.exp * 1000 };
}

async function verifyByKey(
  jwt: DecodedJwt,
  token: string,
  alg: AsymmetricAlg,
  source: KeySource,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<{ ok: true; exp: number } | Refused> {
  const found = await findKey(source.jwksUrl, jwt.kid, alg, ctx);
  if (found.status === "unavailable") return { ok: false, status: 503, reason: found.reason };
  if (found.status === "unknown-key") return { ok: false, status: 401, reason: found.reason };
  // jose checks the signature, the key's fitness for the alg and the claims (exp required).
  let exp: number;
  try {
    const { payload } = await jwtVerify(token, found.key, {
      algorithms: [alg],
      issuer: source.issuer,
      audience: source.audience,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["exp"],
    });
    exp = payload.exp ?? 0;
    // jose reads iat only for a maximum age; a token from the future is refused here.
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) {
      return { ok: false, status: 401, reason: "issued in the future (iat)" };
    }
  } catch (err) {
    return { ok: false, status: 401, reason: refusal(err, jwt, alg) };
  }
  // Access also signs tokens for its own team domain (type "org"); only app tokens are ours.
  if (source.kind === "access" && jwt.payload.type !== undefined && jwt.payload.type !== "app") {
    return { ok: false, status: 401, reason: `Access token of type ${clip(jwt.payload.type)}` };
  }
  return { ok: true, exp };
}

/** Why jose refused a token, in the log's words (never sent to the client). */
function refusal(err: unknown, jwt: DecodedJwt, alg: AsymmetricAlg): string {
  const { payload } = jwt;
  if (err instanceof joseErrors.JWTExpired) {
    const exp = typeof payload.exp === "number" ? payload.exp : 0;
    return `expired ${Math.floor(Date.now() / 1000) - exp}s ago`;
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case "iss":
        return `issuer ${clip(payload.iss)} is not the expected one`;
      case "aud":
        return `audience ${clip(payload.aud)} does not include the expected one`;
      case "nbf":
        return "not valid yet (nbf)";
      case "iat":
        return "issued in the future (iat)";
      case "exp":
        return "exp is missing or not a number";
      default:
        return `claim ${clip(err.claim)} is invalid`;
    }
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return `${alg} signature does not match key ${clip(jwt.kid)}`;
  }
  return err instanceof Error ? `${err.name}: ${err.message}` : "invalid token";
}

/** Where the inbox's Sign out goes, for sign-ins the page cannot simply forget. */
export function signOutUrl(via: SignInVia, config: Config): string | undefined {
  if (via === "access") return config.SIGN_OUT_URL ?? "/cdn-cgi/access/logout";
  if (via === "cookie") return config.SIGN_OUT_URL;
  return undefined;
}

/** "90s", "15m", "1h", "7d" or plain seconds → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`--ttl: expected a duration like 90s, 15m, 1h or 7d, got "${text}"`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
