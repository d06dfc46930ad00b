/**
 * Per-request context: a request id for logs and the parsed config. With an invalid
 * config every route but /api/health answers 503 naming the bad variables.
 */
import { createMiddleware } from "hono/factory";
import { loadConfig } from "../lib/config.ts";
import { errorResponse } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";

export interface RequestContextOptions {
  /** Paths that still run with an invalid config, to report it (default `/api/health`). */
  configExempt?: readonly string[];
}

export function requestContext(options: RequestContextOptions = {}) {
  const { configExempt = ["/api/health"] } = options;
  if (!Array.isArray(configExempt) || !configExempt.every((p) => /^\/\S*$/.test(String(p)))) {
    throw new TypeError("requestContext: `configExempt` must be a list of paths starting with /");
  }
  const exempt = new Set(configExempt);

  return createMiddleware<AppEnv>(async function requestContext(c, next) {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    const result = loadConfig(c.env);
    if (result.ok) {
      c.set("config", result.config);
    } else if (!exempt.has(c.req.path)) {
      return errorResponse(503, "config-invalid", result.errors.join("; "));
    }
    await next();
  });
}
