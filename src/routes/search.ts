/**
 * GET /api/wa/search?number&q&jid?&limit: the store's full-text search over one number's
 * message text (D1 FTS5), newest first; agents search only the chats assigned to them.
 */

import { Hono } from "hono";
import * as z from "zod/mini";
import { scopedAgent } from "../lib/auth/access.ts";
import { chatJidSchema } from "../lib/ids/id-schemas.ts";
import { searchMessages } from "../lib/store/search.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { assertChatAccess } from "../middleware/chat-access.ts";
import { requireNumber } from "../middleware/number.ts";

const LIMIT_ERROR = "must be a whole number from 1 to 100";
// Control characters (NUL above all) cannot reach an FTS5 query: D1 cuts its SQL text
// at a NUL and answers "unterminated string". They separate words instead, so a query of
// nothing else is as empty as one of spaces.
const CONTROL_CHARACTERS = /\p{Cc}+/gu;

const searchQuery = z.object({
  q: z.string({ error: "is required" }).check(
    z.overwrite((q) => q.replace(CONTROL_CHARACTERS, " ")),
    z.trim(),
    z.minLength(1, { error: "is required" }),
    z.maxLength(200, { error: "must be at most 200 characters" }),
  ),
  jid: z.optional(chatJidSchema),
  limit: z._default(
    z.coerce.number({ error: LIMIT_ERROR }).check(
      z.refine((n) => Number.isInteger(n), { error: LIMIT_ERROR }),
      z.minimum(1, { error: LIMIT_ERROR }),
      z.maximum(100, { error: LIMIT_ERROR }),
    ),
    20,
  ),
});

export const search = new Hono<AppEnv>().get("/wa/search", requireNumber(), async (c) => {
  const { q, jid, limit } = parseInput(searchQuery, c.req.query());
  const number = c.var.number.id;
  if (jid) await assertChatAccess(c, jid);
  const hits = await searchMessages(c.env.DB, number, q, {
    ...(jid ? { jid } : {}),
    agent: scopedAgent(c.var.user),
    limit,
  });
  return c.json(
    hits.map((hit) => ({ ...hit, number })),
    200,
    { "Cache-Control": "no-store" },
  );
});
