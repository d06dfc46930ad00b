/**
 * The key the team inbox's rows are filed under (column `number`): the WhatsApp number a
 * chat-scoped request is for, as its chat-access middleware resolved it (middleware/number.ts).
 */
import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

export function storeKey(c: Context<AppEnv>): string {
  return c.var.number.id;
}
