/**
 * Where a request's sign-in token is: the Authorization Bearer header, Cloudflare
 * Access's Cf-Access-Jwt-Assertion header or CF_Authorization cookie, or the cookie named
 * by JWT_COOKIE_NAME. Tokens the browser attaches by itself (cookies, and the Access
 * header Access derives from its cookie) can be replayed by another site's form, so
 * changes sent with them must come from an allowed Origin.
 *
 * A browser cannot set headers on a WebSocket, so a realtime reconnect carries its bearer
 * token as a subprotocol instead (`wa-edge, bearer.<token>`); the gateway answers with the
 * subprotocol `wa-edge`. A WebSocket is not held to the same-origin policy, so an upgrade
 * signed in by an ambient credential counts as a change: its Origin must be allowed.
 */
import { parse } from "hono/utils/cookie";
import { type Config, loopback } from "../config.ts";
import type { SignInVia } from "../contracts/api.ts";

export type { SignInVia } from "../contracts/api.ts";

export interface Credential {
  token: string;
  via: SignInVia;
  /** Sent by the browser without the page asking: open to cross-site request forgery. */
  ambient: boolean;
}

export type Found =
  | { status: "found"; credential: Credential }
  | { status: "missing" }
  | { status: "malformed"; reason: string };

export const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";
export const ACCESS_COOKIE = "CF_Authorization";
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The subprotocol a realtime upgrade offers, and the gateway answers with. */
export const REALTIME_PROTOCOL = "wa-edge";
const PROTOCOL_BEARER = "bearer.";

/**
 * A WebSocket upgrade's credential: the bearer token among its subprotocols, else whatever
 * an API request may carry.
 */
export function findUpgradeCredential(req: Request, config: Config): Found {
  const offered = offeredProtocols(req);
  const bearer = offered.find((p) => p.startsWith(PROTOCOL_BEARER));
  if (bearer === undefined) return findCredential(req, config);
  if (!offered.includes(REALTIME_PROTOCOL)) {
    return {
      status: "malformed",
      reason: `a bearer subprotocol without the subprotocol ${REALTIME_PROTOCOL}`,
    };
  }
  const token = bearer.slice(PROTOCOL_BEARER.length);
  return TOKEN.test(token)
    ? { status: "found", credential: { token, via: "bearer", ambient: false } }
    : { status: "malformed", reason: "the bearer subprotocol holds no token" };
}

/** The subprotocols a WebSocket upgrade offers, in its order. */
export function offeredProtocols(req: Request): string[] {
  return (req.headers.get("Sec-WebSocket-Protocol") ?? "").split(",").map((p) => p.trim());
}

/** The first credential the request carries, in the order above. */
export function findCredential(req: Request, config: Config): Found {
  const authorization = req.headers.get("Authorization");
  const scheme = /^Bearer(?:\s+|$)(.*)$/i.exec(authorization?.trim() ?? "");
  if (scheme) {
    const token = scheme[1]?.trim() ?? "";
    return TOKEN.test(token)
      ? { status: "found", credential: { token, via: "bearer", ambient: false } }
      : { status: "malformed", reason: "the Bearer header holds no token" };
  }
  if (config.CF_ACCESS_TEAM_DOMAIN !== undefined) {
    const token = req.headers.get(ACCESS_HEADER)?.trim() || cookie(req, ACCESS_COOKIE);
    if (token) return tokenFrom(token, "access");
  }
  if (config.JWT_COOKIE_NAME !== undefined) {
    const token = cookie(req, config.JWT_COOKIE_NAME);
    if (token) return tokenFrom(token, "cookie");
  }
  return { status: "missing" };
}

function tokenFrom(token: string, via: SignInVia): Found {
  return TOKEN.test(token)
    ? { status: "found", credential: { token, via, ambient: true } }
    : { status: "malformed", reason: `the ${via} token holds characters no JWT has` };
}

/** One cookie's value, by Hono's cookie parser (the first of several with one name). */
function cookie(req: Request, name: string): string | undefined {
  return parse(req.headers.get("Cookie") ?? "", name)[name] || undefined;
}

/**
 * Whether a request signed in by an ambient credential may go on: reads always; changes
 * only with an Origin listed in CORS_ORIGIN (`*` does not count: it opens reading to
 * every site, not acting as a signed-in person) or that is this gateway's own.
 */
export function originAllowed(
  req: Request,
  credential: Credential,
  config: Config,
  change = !SAFE_METHODS.has(req.method),
): boolean {
  if (!credential.ambient || !change) return true;
  const origin = req.headers.get("Origin");
  if (origin === null) return false;
  if (config.CORS_ORIGIN.includes(origin)) return true;
  return origin === ownOrigin(new URL(req.url));
}

/**
 * The request URL's origin where it can be taken as this gateway's own. workerd builds
 * that URL from the Host header, and a browser sends as Host whatever name it connected
 * to: a page whose name its owner points at the gateway (DNS rebinding) arrives with Host
 * and Origin both its own. That works over plain http only: over https the browser first
 * wants a certificate for that name, which the gateway does not have (on Cloudflare,
 * besides, only hostnames routed to this Worker reach it); and a loopback name is sent
 * only for a page loaded from this machine. Plain http on any other name (wrangler dev
 * on a LAN address, a self-hosted workerd) counts only where CORS_ORIGIN lists it.
 */
function ownOrigin(url: URL): string | undefined {
  return url.protocol === "https:" || loopback(url) ? url.origin : undefined;
}
