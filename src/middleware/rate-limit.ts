/**
 * Per-user rate limiting with a Workers Rate Limiting binding: past the binding's limit
 * a user gets `429 {error:"rate-limited"}` with Retry-After of the binding's period.
 */
import { createMiddleware } from "hono/factory";
import { apiError } from "../lib/errors.ts";
import { count } from "../lib/monitoring/metrics.ts";
import type { AppEnv } from "../lib/types.ts";

export interface RateLimitOptions {
  /** The binding, e.g. `(env) => env.WAHA_STATUS_LIMITER`. */
  limiter: (env: Env) => RateLimit;
  /** The binding's `simple.period` in wrangler.toml (10 or 60), for Retry-After. */
  periodSeconds: 10 | 60;
  /** Groups the routes that share one budget per user; kebab-case, it names a counter. */
  scope: string;
}

const SCOPE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** After requireAuth: counts requests per user (`sub`) and scope. */
export function rateLimit(options: RateLimitOptions) {
  const { limiter, periodSeconds, scope } = options;
  if (typeof limiter !== "function") {
    throw new TypeError("rateLimit: `limiter` must be a function returning the binding");
  }
  if (periodSeconds !== 10 && periodSeconds !== 60) {
    throw new TypeError(`rateLimit: \`periodSeconds\` must be 10 or 60, got ${periodSeconds}`);
  }
  if (typeof scope !== "string" || !SCOPE.test(scope)) {
    throw new TypeError(`rateLimit: \`scope\` must be kebab-case, got ${JSON.stringify(scope)}`);
  }
  const message = `too many ${scope} requests from this user; try again in ${periodSeconds} s`;

  return createMiddleware<AppEnv>(async function rateLimit(c, next) {
    const { success } = await limiter(c.env).limit({ key: `${scope}:${c.var.user.sub}` });
    if (!success) {
      count(`ratelimit.rejections:${scope}`);
      throw apiError(429, "rate-limited", message, periodSeconds * 1000);
    }
    await next();
  });
}

/**
 * The per-user budget on reads that may reach WAHA (status routes, message pages): the
 * WAHA_STATUS_LIMITER binding, whose simple.period in wrangler.toml is 10 s.
 */
export function wahaReadLimit(scope: string) {
  return rateLimit({ limiter: (env) => env.WAHA_STATUS_LIMITER, periodSeconds: 10, scope });
}
