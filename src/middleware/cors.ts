/**
 * CORS by allow-list (CORS_ORIGIN, comma-separated; `*` for any). With no list only
 * same-origin pages may call: a cross-origin preflight is refused with 403. With a list,
 * every answer carries `Vary: Origin`, so no cache hands one origin's answer to another.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { errorResponse } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";

export interface CorsOptions {
  /** The allowed origins, read per request; default CORS_ORIGIN from the config. */
  origins?: (c: Context<AppEnv>) => readonly string[];
  /** How long a browser may keep a preflight's answer (default 600 s, at most a day). */
  maxAgeSeconds?: number;
}

const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "Authorization, Content-Type, If-None-Match, If-Range, Range";
const EXPOSE_HEADERS =
  "X-Cache-Status, Age, Retry-After, ETag, Content-Range, Content-Length, Accept-Ranges";

// With an invalid config only /api/health gets here; it stays same-origin.
const configOrigins = (c: Context<AppEnv>): readonly string[] => c.var.config?.CORS_ORIGIN ?? [];

function addVary(headers: Headers): void {
  const vary = headers.get("Vary");
  if (!vary?.split(",").some((v) => v.trim().toLowerCase() === "origin")) {
    headers.append("Vary", "Origin");
  }
}

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
  const maxAge = String(maxAgeSeconds);

  return createMiddleware<AppEnv>(async function cors(c, next) {
    const origin = c.req.header("Origin");
    const sameOrigin = origin === undefined || origin === new URL(c.req.url).origin;
    const allowList = origins(c);
    const allowed =
      !sameOrigin &&
      origin !== undefined &&
      (allowList.includes("*") || allowList.includes(origin));
    const preflight = c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method");
    const vary = allowList.length > 0;

    if (preflight && !sameOrigin) {
      if (!allowed) {
        const denied = errorResponse(403, "cors-origin-denied", `origin ${origin} is not allowed`);
        if (vary) addVary(denied.headers);
        return denied;
      }
      return new Response(null, {
        status: 204,
        headers: {
          "Access-Control-Allow-Origin": origin,
          "Access-Control-Allow-Methods": ALLOW_METHODS,
          "Access-Control-Allow-Headers": ALLOW_HEADERS,
          "Access-Control-Max-Age": maxAge,
          Vary: "Origin",
        },
      });
    }
    await next();
    // A WebSocket upgrade cannot be rebuilt, and needs no Vary.
    if (!vary || c.res.status === 101 || c.res.webSocket) return;
    // Responses passed through from fetch() or the cache have immutable headers.
    c.res = new Response(c.res.body, c.res);
    addVary(c.res.headers);
    if (allowed) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }
  });
}
