/**
 * Per-request context: a request id for logs and the parsed config. With an invalid
 * config every route but /api/health answers 503 naming the bad variables.
 */
import { createMiddleware } from "hono/factory";
import { loadConfig } from "./config.ts";
import { errorResponse } from "./errors.ts";
import type { AppEnv } from "./types.ts";

export function requestContext() {
  return createMiddleware<AppEnv>(async function requestContext(c, next) {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    const result = loadConfig(c.env);
    if (result.ok) {
      c.set("config", result.config);
    } else if (c.req.path !== "/api/health") {
      return errorResponse(503, "config-invalid", result.errors.join("; "));
    }
    await next();
  });
}
