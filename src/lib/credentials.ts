/**
 * Where a request's sign-in token is: the Authorization Bearer header, Cloudflare
 * Access's Cf-Access-Jwt-Assertion header or CF_Authorization cookie, or the cookie named
 * by JWT_COOKIE_NAME. Tokens the browser attaches by itself (cookies, and the Access
 * header Access derives from its cookie) can be replayed by another site's form, so
 * changes sent with them must come from an allowed Origin.
 */
import type { Config } from "./config.ts";
import type { SignInVia } from "./contracts/api.ts";

export type { SignInVia } from "./contracts/api.ts";

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

/** One cookie's value (JWTs need no percent-decoding); the first of several with one name. */
function cookie(req: Request, name: string): string | undefined {
  for (const pair of (req.headers.get("Cookie") ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) {
      return (
        pair
          .slice(at + 1)
          .trim()
          .replace(/^"(.*)"$/, "$1") || undefined
      );
    }
  }
  return undefined;
}

/**
 * Whether a request signed in by an ambient credential may go on: reads always; changes
 * only with an Origin that is this gateway's own or listed in CORS_ORIGIN (`*` does not
 * count: it opens reading to every site, not acting as a signed-in person).
 */
export function originAllowed(req: Request, credential: Credential, config: Config): boolean {
  if (!credential.ambient || SAFE_METHODS.has(req.method)) return true;
  const origin = req.headers.get("Origin");
  if (origin === null) return false;
  return origin === new URL(req.url).origin || config.CORS_ORIGIN.includes(origin);
}
