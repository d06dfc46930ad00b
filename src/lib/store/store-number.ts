/**
 * The store key of the WhatsApp number a request is about. One place, so that routes taking
 * `number` change here only: today the gateway serves one number under the key its other
 * routes use.
 */
import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

export function storeNumber(c: Context<AppEnv>): string {
  return c.var.config.WAHA_SESSION;
}
