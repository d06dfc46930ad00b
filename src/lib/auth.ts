/**
 * Sign-in. The credential (see credentials.ts) is verified by its alg: HS256 with
 * JWT_SECRET (claims `sub`, `role`, `name?`, `exp`); RS256/ES256 with the keys of the
 * JWKS or Cloudflare Access whose issuer it names, its identity then worked out by
 * identity.ts. Every refusal is 401 with a generic message (the reason is logged); a
 * role outside a route's list is 403.
 */
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { sign, verify } from "hono/jwt";
import * as z from "zod/mini";
import type { Config } from "./config.ts";
import type { Credential, SignInVia } from "./credentials.ts";
import { findCredential, originAllowed } from "./credentials.ts";
import { apiError, errorResponse } from "./errors.ts";
import { identify } from "./identity.ts";
import { findKey } from "./jwks.ts";
import type { AsymmetricAlg, DecodedJwt } from "./jwt-verify.ts";
import { CLOCK_SKEW_SECONDS, checkClaims, clip, decodeJwt, verifySignature } from "./jwt-verify.ts";
import type { AppEnv, Role, User } from "./types.ts";

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

/** Verifies a compact JWT; the reason is for logs and 401 messages, never a secret. */
export async function verifyToken(
  token: string,
  secret: string,
): Promise<{ ok: true; user: User; expiresAt: number } | { ok: false; reason: string }> {
  const known = verified.get(token);
  if (known && known.secret === secret && known.exp * 1000 > Date.now()) {
    return { ok: true, user: known.user, expiresAt: known.exp * 1000 };
  }
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

type Checked =
  | { ok: true; user: User; expiresAt: number }
  | Refused
  | { ok: false; status: 403; message: string };

/** Verifies a credential by its header's alg: HS256 with JWT_SECRET, RS256/ES256 by keys. */
async function check(credential: Credential, config: Config, db: D1Database): Promise<Checked> {
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
    const verified = await verifyByKey(decoded.jwt, alg, source);
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
  alg: AsymmetricAlg,
  source: KeySource,
): Promise<{ ok: true; exp: number } | Refused> {
  const found = await findKey(source.jwksUrl, jwt.kid, alg);
  if (found.status === "unavailable") return { ok: false, status: 503, reason: found.reason };
  if (found.status === "unknown-key") return { ok: false, status: 401, reason: found.reason };
  if (!(await verifySignature(jwt, found.key, alg))) {
    return {
      ok: false,
      status: 401,
      reason: `${alg} signature does not match key ${clip(jwt.kid)}`,
    };
  }
  const claims = checkClaims(jwt.payload, {
    issuer: source.issuer,
    audience: source.audience,
    now: Math.floor(Date.now() / 1000),
  });
  if (!claims.ok) return { ok: false, status: 401, reason: claims.reason };
  // Access also signs tokens for its own team domain (type "org"); only app tokens are ours.
  if (source.kind === "access" && jwt.payload.type !== undefined && jwt.payload.type !== "app") {
    return { ok: false, status: 401, reason: `Access token of type ${clip(jwt.payload.type)}` };
  }
  return claims;
}

/** Where the inbox's Sign out goes, for sign-ins the page cannot simply forget. */
function signOutUrl(via: SignInVia, config: Config): string | undefined {
  if (via === "access") return config.SIGN_OUT_URL ?? "/cdn-cgi/access/logout";
  if (via === "cookie") return config.SIGN_OUT_URL;
  return undefined;
}

const INVALID = "the token is invalid or expired";

/** A 401 that says nothing about why: the reason is logged, never answered. */
function unauthorized(
  requestId: string,
  via: string,
  reason: string,
  message: string,
): HTTPException {
  console.log(`[auth] 401 ${via}: ${reason} (request ${requestId})`);
  const res = errorResponse(401, "unauthorized", message);
  res.headers.set("WWW-Authenticate", "Bearer");
  return new HTTPException(401, { res, message });
}

/** The answer to a credential that did not pass: 401, 503, or 403 not-an-agent. */
function refusal(
  result: Exclude<Checked, { ok: true }>,
  via: SignInVia,
  config: Config,
  requestId: string,
): HTTPException {
  if (result.status === 401) return unauthorized(requestId, via, result.reason, INVALID);
  if (result.status === 503) {
    console.log(`[auth] 503 ${via}: ${result.reason} (request ${requestId})`);
    return apiError(
      503,
      "auth-unavailable",
      "sign-in keys could not be loaded; try again shortly",
      5_000,
    );
  }
  console.log(`[auth] 403 ${via}: not an agent (request ${requestId})`);
  const out = signOutUrl(via, config);
  // The error shape plus where to sign in as someone else, for the inbox's page.
  const body = {
    error: "not-an-agent",
    message: result.message,
    ...(out ? { signOutUrl: out } : {}),
  };
  return new HTTPException(403, {
    res: Response.json(body, { status: 403 }),
    message: result.message,
  });
}

/**
 * Requires a signed-in request: puts the user on `c.var.user`, when the token expires on
 * `c.var.tokenExpiresAt` and how it signed in on `c.var.signIn`.
 */
export function requireAuth() {
  return createMiddleware<AppEnv>(async function requireAuth(c, next) {
    const { config, requestId } = c.var;
    const found = findCredential(c.req.raw, config);
    if (found.status === "missing") {
      throw unauthorized(
        requestId,
        "none",
        "no credential",
        "sign-in required: send a Bearer token",
      );
    }
    if (found.status === "malformed") {
      throw unauthorized(requestId, "none", found.reason, INVALID);
    }
    const { credential } = found;
    if (!originAllowed(c.req.raw, credential, config)) {
      console.log(
        `[auth] 403 ${credential.via}: ${c.req.method} from origin ${clip(c.req.header("Origin") ?? null)} (request ${requestId})`,
      );
      throw apiError(
        403,
        "cross-site-request",
        "a change signed in by cookie must come from this site (Origin header)",
      );
    }
    const result = await check(credential, config, c.env.DB);
    if (!result.ok) throw refusal(result, credential.via, config, requestId);
    c.set("user", result.user);
    c.set("tokenExpiresAt", result.expiresAt);
    const out = signOutUrl(credential.via, config);
    c.set(
      "signIn",
      out === undefined ? { via: credential.via } : { via: credential.via, signOutUrl: out },
    );
    await next();
  });
}

/** Lets only the listed roles through (after requireAuth). */
export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async function requireRole(c, next) {
    if (!roles.includes(c.var.user.role)) {
      throw apiError(403, "forbidden", `this needs the role ${roles.join(" or ")}`);
    }
    await next();
  });
}

/** Signs a token for `user` valid `ttlSeconds`; used by the token tool, demo and tests. */
export function signToken(user: User, secret: string, ttlSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ ...user, iat: now, exp: now + ttlSeconds }, secret, "HS256");
}

/** "90s", "15m", "1h", "7d" or plain seconds → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`--ttl: expected a duration like 90s, 15m, 1h or 7d, got "${text}"`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
