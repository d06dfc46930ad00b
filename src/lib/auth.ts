/**
 * Bearer-token auth: HS256 JWTs signed with JWT_SECRET carrying `sub`, `role`, `name?`
 * and a required `exp`. Anything else is 401; a role outside a route's list is 403.
 */
import { createMiddleware } from "hono/factory";
import { sign, verify } from "hono/jwt";
import { z } from "zod";
import { apiError } from "./errors.ts";
import type { AppEnv, Role, User } from "./types.ts";

const claimsSchema = z.object({
  sub: z.string().min(1).max(256),
  role: z.enum(["admin", "user", "agent"]),
  name: z.string().max(256).optional(),
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

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** Requires a valid bearer token and puts the user on `c.var.user`. */
export function requireAuth() {
  return createMiddleware<AppEnv>(async function requireAuth(c, next) {
    const token = bearer(c.req.header("Authorization"));
    if (!token) throw apiError(401, "unauthorized", "a Bearer token is required");
    const result = await verifyToken(token, c.var.config.JWT_SECRET);
    if (!result.ok) throw apiError(401, "unauthorized", "the token is invalid or expired");
    c.set("user", result.user);
    c.set("tokenExpiresAt", result.expiresAt);
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
