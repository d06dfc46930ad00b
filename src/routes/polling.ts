/** The frontend's polling schedule, so browsers and gateway agree on one source. */
import { Hono } from "hono";
import type { PollingConfig } from "../lib/contracts/api.ts";
import type { AppEnv } from "../lib/types.ts";

export const polling = new Hono<AppEnv>().get("/config/polling", (c) => {
  const cfg = c.var.config;
  const polling: PollingConfig = {
    initialCheckDelay: 5000,
    baseInterval: cfg.WAHA_POLLING_INTERVAL,
    authenticatedInterval: cfg.WAHA_AUTH_POLLING_INTERVAL,
    maxInterval: cfg.WAHA_MAX_POLLING_INTERVAL,
    backoffMultiplier: 2,
    pingInterval: cfg.SOCKET_PING_INTERVAL_MS,
  };
  return c.json(polling);
});
