/**
 * Request logs per HTTP_LOG: `none`, `basic` (one short line) or `json` (one JSON
 * line). Paths only: query strings can hold tickets and ids.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/types.ts";

export interface HttpLogOptions {
  /** Where each line goes (default console.log). */
  write?: (line: string) => void;
}

export function httpLog(options: HttpLogOptions = {}) {
  const { write = (line: string) => console.log(line) } = options;
  if (typeof write !== "function") throw new TypeError("httpLog: `write` must be a function");

  return createMiddleware<AppEnv>(async function httpLog(c, next) {
    const started = Date.now();
    await next();
    // Without a valid config (only /api/health runs then) the default applies.
    const mode = c.var.config?.HTTP_LOG ?? "basic";
    if (mode === "none") return;
    const ms = Date.now() - started;
    const cache = c.res.headers.get("X-Cache-Status");
    if (mode === "json") {
      write(
        JSON.stringify({
          t: new Date(started).toISOString(),
          id: c.var.requestId,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms,
          ...(cache ? { cache } : {}),
          ...(c.var.user ? { sub: c.var.user.sub, role: c.var.user.role } : {}),
        }),
      );
    } else {
      write(`${c.req.method} ${c.req.path} ${c.res.status} ${ms}ms${cache ? ` ${cache}` : ""}`);
    }
  });
}
