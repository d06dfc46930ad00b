/** What a middleware under test expects earlier middleware to have put on the context. */
import { env } from "cloudflare:workers";
import { createMiddleware } from "hono/factory";
import type { Config } from "../../src/lib/config.ts";
import { loadConfig } from "../../src/lib/config.ts";
import type { AppEnv, User } from "../../src/lib/types.ts";

export { ORIGIN } from "../helpers.ts";

/** The test env's config with some vars replaced, as a deployment with other settings has it. */
export function configWith(vars: Record<string, string> = {}): Config {
  const result = loadConfig({ ...env, ...vars });
  if (!result.ok) throw new Error(`test config is invalid: ${result.errors.join("; ")}`);
  return result.config;
}

/** Sets `c.var.requestId` and `c.var.config`, as requestContext does. */
export function withConfig(config: Config = configWith()) {
  return createMiddleware<AppEnv>(async function withConfig(c, next) {
    c.set("requestId", "test-request");
    c.set("config", config);
    await next();
  });
}

/** Sets `c.var.user`, as requireAuth does. */
export function signedIn(user: User) {
  return createMiddleware<AppEnv>(async function signedIn(c, next) {
    c.set("user", user);
    await next();
  });
}
