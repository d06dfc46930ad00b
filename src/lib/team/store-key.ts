/**
 * The key the team inbox's rows are filed under (column `number`): which WhatsApp number a
 * chat belongs to. One number today, the configured session; read here and nowhere else.
 */
import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

export function storeKey(c: Context<AppEnv>): string {
  return c.var.config.WAHA_SESSION;
}
