/** Counts every request by route pattern and flushes the isolate's counters when due. */
import { createMiddleware } from "hono/factory";
import { count, flushMetrics } from "../lib/monitoring/metrics.ts";
import type { AppEnv } from "../lib/types.ts";

export function requestMetrics() {
  return createMiddleware<AppEnv>(async function requestMetrics(c, next) {
    await next();
    count("requests.total");
    count(`requests.route:${c.req.method} ${c.req.routePath}`);
    void flushMetrics(c.env, c.executionCtx);
  });
}
