/**
 * Per-user rate limiting with a Workers Rate Limiting binding: past the binding's limit
 * a user gets `429 {error:"rate-limited"}` with Retry-After of the binding's period.
 */
import { createMiddleware } from "hono/factory";
import { apiError } from "./errors.ts";
import { count } from "./metrics.ts";
import type { AppEnv } from "./types.ts";

export interface RateLimitOptions {
  /** The binding, e.g. `(env) => env.WAHA_STATUS_LIMITER`. */
  limiter: (env: Env) => RateLimit;
  /** The binding's `simple.period` in wrangler.toml (10 or 60), for Retry-After. */
  periodSeconds: 10 | 60;
  /** Groups the routes that share one budget per user. */
  scope: string;
}

/** After requireAuth: counts requests per user (`sub`) and scope. */
export function rateLimit(options: RateLimitOptions) {
  return createMiddleware<AppEnv>(async function rateLimit(c, next) {
    const { success } = await options
      .limiter(c.env)
      .limit({ key: `${options.scope}:${c.var.user.sub}` });
    if (!success) {
      count(`ratelimit.rejections:${options.scope}`);
      throw apiError(
        429,
        "rate-limited",
        `too many ${options.scope} requests from this user; try again in ${options.periodSeconds} s`,
        options.periodSeconds * 1000,
      );
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
