/**
 * An agent may touch only the chats assigned to it; admins and users every chat. The
 * middleware reads the jid from the query or a path parameter; a route that takes it
 * from a JSON body calls `assertChatAccess` after parsing the body.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod/mini";
import { canAccessChat } from "../lib/db.ts";
import { apiError } from "../lib/errors.ts";
import { chatJidSchema } from "../lib/ids/id-schemas.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";

export interface ChatAccessOptions {
  /** Where the `jid` is: the query string (`?jid=`) or a path parameter (`:jid`). */
  from: "query" | "param";
}

const jidInput = z.object({ jid: chatJidSchema });

/** 403 unless the signed-in user may touch the chat `jid` (already validated). */
export async function assertChatAccess(c: Context<AppEnv>, jid: string): Promise<void> {
  if (!(await canAccessChat(c.env.DB, c.var.user, c.var.config.WAHA_SESSION, jid))) {
    throw apiError(403, "forbidden", "this chat is not assigned to you");
  }
}

/** After requireAuth: 400 naming the field for a bad jid, then 403 for another's chat. */
export function requireChatAccess(options: ChatAccessOptions) {
  const { from } = options;
  if (from !== "query" && from !== "param") {
    throw new TypeError(
      `requireChatAccess: \`from\` must be "query" or "param", got ${JSON.stringify(from)}`,
    );
  }

  return createMiddleware<AppEnv>(async function requireChatAccess(c, next) {
    const raw = from === "query" ? c.req.query("jid") : c.req.param("jid");
    const { jid } = parseInput(jidInput, { jid: raw });
    await assertChatAccess(c, jid);
    await next();
  });
}
