/**
 * CORS by allow-list (CORS_ORIGIN, comma-separated; `*` for any). With no list only
 * same-origin pages may call: a cross-origin preflight is refused with 403. With a list,
 * every answer carries `Vary: Origin`, so no cache hands one origin's answer to another.
 */
import { createMiddleware } from "hono/factory";
import { errorResponse } from "./errors.ts";
import type { AppEnv } from "./types.ts";

const ALLOW_HEADERS = "Authorization, Content-Type, If-None-Match, If-Range, Range";
const EXPOSE_HEADERS =
  "X-Cache-Status, Age, Retry-After, ETag, Content-Range, Content-Length, Accept-Ranges";

function addVary(headers: Headers): void {
  const vary = headers.get("Vary");
  if (!vary?.split(",").some((v) => v.trim().toLowerCase() === "origin")) {
    headers.append("Vary", "Origin");
  }
}

export function cors() {
  return createMiddleware<AppEnv>(async function cors(c, next) {
    const origin = c.req.header("Origin");
    const sameOrigin = origin === undefined || origin === new URL(c.req.url).origin;
    // With an invalid config only /api/health gets here; it stays same-origin.
    const allowList = c.var.config?.CORS_ORIGIN ?? [];
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
          "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": ALLOW_HEADERS,
          "Access-Control-Max-Age": "600",
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
