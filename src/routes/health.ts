/** Gateway liveness and config validity; never calls WAHA. */
import { Hono } from "hono";
import pkg from "../../package.json" with { type: "json" };
import { loadConfig } from "../lib/config.ts";
import type { AppEnv } from "../lib/types.ts";

export const health = new Hono<AppEnv>().get("/health", (c) => {
  const result = loadConfig(c.env);
  return c.json(
    { ok: result.ok, version: pkg.version, config: result.ok ? "valid" : result.errors },
    result.ok ? 200 : 503,
  );
});
