/**
 * The store key of the WhatsApp number a request is about (resolved by requireNumber):
 * one place for the contacts, own-message and take routes.
 */
import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

export function storeNumber(c: Context<AppEnv>): string {
  return c.var.number.id;
}
