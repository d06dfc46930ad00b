/**
 * Sign-in required: every refusal is 401 with `WWW-Authenticate: Bearer` and a generic
 * message (the reason is logged); a role outside a route's list is 403.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { Found, SignInVia } from "../lib/auth/credentials.ts";
import { findCredential, originAllowed } from "../lib/auth/credentials.ts";
import { clip } from "../lib/auth/jwt-verify.ts";
import { type Checked, checkCredential, signOutUrl } from "../lib/auth/tokens.ts";
import type { Config } from "../lib/config.ts";
import type { NotAnAgentBody } from "../lib/contracts/api.ts";
import { apiError, errorResponse } from "../lib/errors.ts";
import type { AppEnv, Role } from "../lib/types.ts";

const ROLES: readonly Role[] = ["admin", "user", "agent"];
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
  const body: NotAnAgentBody = {
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
 * `c.var.tokenExpiresAt` and how it signed in on `c.var.signIn`. Needs `c.var.config`
 * and `c.var.requestId` (requestContext).
 */
export function requireAuth() {
  return createMiddleware<AppEnv>(async function requireAuth(c, next) {
    await signIn(c, findCredential(c.req.raw, c.var.config));
    await next();
  });
}

/**
 * Checks the credential a request carries (found by findCredential or
 * findUpgradeCredential) and puts who signed in on `c.var`, as requireAuth describes;
 * throws the refusal. `change`: whether an ambient credential needs an allowed Origin
 * (by default when the method changes something).
 */
export async function signIn(c: Context<AppEnv>, found: Found, change?: boolean): Promise<void> {
  const { config, requestId } = c.var;
  if (found.status === "missing") {
    throw unauthorized(requestId, "none", "no credential", "sign-in required: send a Bearer token");
  }
  if (found.status === "malformed") {
    throw unauthorized(requestId, "none", found.reason, INVALID);
  }
  const { credential } = found;
  if (!originAllowed(c.req.raw, credential, config, change)) {
    console.log(
      `[auth] 403 ${credential.via}: ${c.req.method} from origin ${clip(c.req.header("Origin") ?? null)} (request ${requestId})`,
    );
    throw apiError(
      403,
      "cross-site-request",
      "a change signed in by cookie must come from this site (Origin header)",
    );
  }
  // Read only when a key refresh runs behind the answer: Hono throws for a request
  // handed in without an ExecutionContext (app.request), which needs none otherwise.
  const background = { waitUntil: (work: Promise<unknown>) => c.executionCtx.waitUntil(work) };
  const result = await checkCredential(credential, config, c.env.DB, background);
  if (!result.ok) throw refusal(result, credential.via, config, requestId);
  c.set("user", result.user);
  c.set("tokenExpiresAt", result.expiresAt);
  const out = signOutUrl(credential.via, config);
  c.set(
    "signIn",
    out === undefined ? { via: credential.via } : { via: credential.via, signOutUrl: out },
  );
}

/** Lets only the listed roles through (after requireAuth); 403 for anyone else. */
export function requireRole(...roles: Role[]) {
  if (roles.length === 0) throw new TypeError("requireRole: `roles` must name at least one role");
  for (const role of roles) {
    if (!ROLES.includes(role)) {
      throw new TypeError(
        `requireRole: \`roles\` must be among ${ROLES.join(", ")}, got ${JSON.stringify(role)}`,
      );
    }
  }
  const allowed = `this needs the role ${roles.join(" or ")}`;
  return createMiddleware<AppEnv>(async function requireRole(c, next) {
    if (!roles.includes(c.var.user.role)) throw apiError(403, "forbidden", allowed);
    await next();
  });
}
