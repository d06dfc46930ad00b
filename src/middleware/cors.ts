/**
 * CORS by allow-list (CORS_ORIGIN, comma-separated; `*` for any). With no list only
 * same-origin pages may call: a cross-origin preflight is refused with 403. With a list,
 * every answer carries `Vary: Origin`, so no cache hands one origin's answer to another.
 */
import type { Context } from "hono";
import { cors as honoCors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { errorResponse } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";

export interface CorsOptions {
  /** The allowed origins, read per request; default CORS_ORIGIN from the config. */
  origins?: (c: Context<AppEnv>) => readonly string[];
  /** How long a browser may keep a preflight's answer (default 600 s, at most a day). */
  maxAgeSeconds?: number;
}

const ALLOW_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const ALLOW_HEADERS = ["Authorization", "Content-Type", "If-None-Match", "If-Range", "Range"];
const EXPOSE_HEADERS = [
  "X-Cache-Status",
  "Age",
  "Retry-After",
  "ETag",
  "Content-Range",
  "Content-Length",
  "Accept-Ranges",
];

// With an invalid config only /api/health gets here; it stays same-origin.
const configOrigins = (c: Context<AppEnv>): readonly string[] => c.var.config?.CORS_ORIGIN ?? [];

function listed(origin: string, allowList: readonly string[]): boolean {
  return allowList.includes("*") || allowList.includes(origin);
}

/**
 * Hono's CORS for a list of origins, with a small check in front: a cross-origin preflight
 * from an origin not on the list is refused with `403 cors-origin-denied` (the contract's
 * answer; Hono would answer 204 without the allow header), a same-origin preflight goes on
 * to the routes, and with no list nothing is added, so no Vary either.
 */
export function cors(options: CorsOptions = {}) {
  const { origins = configOrigins, maxAgeSeconds = 600 } = options;
  if (typeof origins !== "function") {
    throw new TypeError("cors: `origins` must be a function returning the allowed origins");
  }
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0 || maxAgeSeconds > 86_400) {
    throw new TypeError(
      `cors: \`maxAgeSeconds\` must be a whole number from 0 to 86400, got ${maxAgeSeconds}`,
    );
  }
  const headers = honoCors({
    origin: (origin, c: Context<AppEnv>) => {
      const own = new URL(c.req.url).origin;
      return origin !== "" && origin !== own && listed(origin, origins(c)) ? origin : null;
    },
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: maxAgeSeconds,
  });

  return createMiddleware<AppEnv>(async function corsCheck(c, next) {
    const origin = c.req.header("Origin");
    const sameOrigin = origin === undefined || origin === new URL(c.req.url).origin;
    const allowList = origins(c);
    const preflight = c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method");
    if (preflight && !sameOrigin && !listed(origin, allowList)) {
      const denied = errorResponse(403, "cors-origin-denied", `origin ${origin} is not allowed`);
      if (allowList.length > 0) denied.headers.append("Vary", "Origin");
      return denied;
    }
    if (allowList.length === 0 || (preflight && sameOrigin)) return next();
    // A WebSocket upgrade cannot be rebuilt, and needs no CORS headers.
    if (c.req.header("Upgrade")?.toLowerCase() === "websocket") return next();
    return headers(c, next);
  });
}
