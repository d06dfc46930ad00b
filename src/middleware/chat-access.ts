/**
 * An agent may touch only the chats assigned to it, on its own numbers; admins and users
 * every chat. The middleware reads the number (middleware/number.ts) and the jid from the
 * query or a path parameter; a route that takes the jid from a JSON body calls
 * `assertChatAccess` after parsing the body.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod/mini";
import { scopedAgent } from "../lib/auth/access.ts";
import { grantedLately, rememberGrant } from "../lib/auth/access-grants.ts";
import { canAccessChat } from "../lib/db.ts";
import { apiError } from "../lib/errors.ts";
import { chatJidSchema } from "../lib/ids/id-schemas.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { queryNumberUnchecked, requestNumber } from "./number.ts";

export interface ChatAccessOptions {
  /** Where the `jid` is: the query string (`?jid=`) or a path parameter (`:jid`). */
  from: "query" | "param";
  /** Keep an agent's grant this long (ms) so repeat requests skip D1; 0 (default): ask each time. */
  rememberGrantsMs?: number;
}

const jidInput = z.object({ jid: chatJidSchema });

/**
 * 403 unless the signed-in user may use the request's number and touch its chat `jid`
 * (already validated).
 */
export async function assertChatAccess(c: Context<AppEnv>, jid: string): Promise<void> {
  const number = await requestNumber(c);
  if (!(await canAccessChat(c.env.DB, c.var.user, number.id, jid))) {
    throw apiError(403, "forbidden", "this chat is not assigned to you");
  }
}

/**
 * After requireAuth: 400 naming the field for a bad number or jid, then 403 for another's
 * number or chat.
 */
export function requireChatAccess(options: ChatAccessOptions) {
  const { from, rememberGrantsMs = 0 } = options;
  if (from !== "query" && from !== "param") {
    throw new TypeError(
      `requireChatAccess: \`from\` must be "query" or "param", got ${JSON.stringify(from)}`,
    );
  }
  if (!Number.isInteger(rememberGrantsMs) || rememberGrantsMs < 0) {
    throw new TypeError(
      `requireChatAccess: \`rememberGrantsMs\` must be a whole number ≥ 0, got ${rememberGrantsMs}`,
    );
  }

  return createMiddleware<AppEnv>(async function requireChatAccess(c, next) {
    const raw = from === "query" ? c.req.query("jid") : c.req.param("jid");
    const { jid } = parseInput(jidInput, { jid: raw });
    // Staff need no lookup; an agent's grant may be remembered, and it vouches for the
    // number too (it was only given once the agent might use it): no D1 read either way.
    const agent = rememberGrantsMs > 0 ? scopedAgent(c.var.user) : null;
    if (agent !== null) {
      const named = queryNumberUnchecked(c);
      if (grantedLately(agent, { number: named.id, jid })) {
        c.set("number", named);
        await next();
        return;
      }
    }
    const number = await requestNumber(c);
    const chat = { number: number.id, jid };
    if (agent === null || !grantedLately(agent, chat)) {
      await assertChatAccess(c, jid);
      if (agent !== null) rememberGrant(agent, chat, rememberGrantsMs);
    }
    await next();
  });
}
