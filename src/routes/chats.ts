/**
 * The inbox lists and actions: GET /api/wa/chats and /api/wa/messages (cached once for
 * everyone; who may see what is decided after the cache, from D1), and POST
 * /api/wa/send-text and /api/wa/mark-read (passed through, never retried when sending).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { jidSchema, messageIdSchema } from "../lib/chat-ids.ts";
import { assignmentOwners, recordFirstResponse } from "../lib/db.ts";
import {
  type BrowserMessage,
  type CachedChat,
  type ChatSummary,
  toBrowserMessage,
} from "../lib/inbox-shapes.ts";
import type { AppEnv } from "../lib/types.ts";
import { callWaha, failureOf, failureResponse, upstreamLimits } from "../lib/upstream.ts";
import { parseInput } from "../lib/validate.ts";
import { messageSchema, wahaPaths } from "../lib/waha.ts";
import { cacheHeaders, invalidateChat, readCached } from "../lib/waha-cache.ts";
import { assertChatAccess, requireChatAccess } from "../middleware/chat-access.ts";
import { wahaReadLimit } from "../middleware/rate-limit.ts";

/** WAHA's own page size for messages; more in one request is refused. */
const MESSAGES_MAX_LIMIT = 100;
const MESSAGES_DEFAULT_LIMIT = 50;
const LIMIT_ERROR = `must be a whole number from 1 to ${MESSAGES_MAX_LIMIT}`;
/** WhatsApp's own limit on a text message. */
const TEXT_MAX_CHARS = 4096;

const messagesQuery = z.object({
  jid: jidSchema,
  limit: z._default(
    z.coerce.number({ error: LIMIT_ERROR }).check(
      z.refine((n) => Number.isInteger(n), { error: LIMIT_ERROR }),
      z.minimum(1, { error: LIMIT_ERROR }),
      z.maximum(MESSAGES_MAX_LIMIT, { error: LIMIT_ERROR }),
    ),
    MESSAGES_DEFAULT_LIMIT,
  ),
  beforeId: z.optional(messageIdSchema),
});

const sendTextBody = z.object({
  jid: jidSchema,
  text: z.string({ error: "is required" }).check(
    z.refine((t) => t.trim() !== "", { error: "must not be empty" }),
    z.refine((t) => t.length <= TEXT_MAX_CHARS, {
      error: `must be at most ${TEXT_MAX_CHARS} characters`,
    }),
  ),
});

const markReadBody = z.object({ jid: jidSchema });
const chatAccess = requireChatAccess({ from: "query" });

/** A JSON body, or undefined when it is not JSON (parseInput then names the problem). */
async function jsonBody(req: { json: () => Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    return undefined;
  }
}

/**
 * A POST to WAHA about one chat (sendText, sendSeen): the user must have the chat, the
 * call is made once (never retried), and on success the chat's cached lists are dropped.
 */
async function chatAction(
  c: Context<AppEnv>,
  jid: string,
  endpoint: "sendText" | "sendSeen",
  fields: Record<string, string>,
): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  const { config } = c.var;
  await assertChatAccess(c, jid);
  const result = await callWaha(
    c.env,
    {
      endpoint,
      method: "POST",
      path: endpoint === "sendText" ? wahaPaths.sendText() : wahaPaths.sendSeen(),
      body: { session: config.WAHA_SESSION, chatId: jid, ...fields },
    },
    upstreamLimits(config),
  );
  if (result.kind !== "ok") return { ok: false, response: failureResponse(failureOf(result)) };
  await afterWaha(`${endpoint} ${jid}: cache invalidation`, invalidateChat(c.env, jid));
  return { ok: true, body: result.body };
}

/**
 * Work after WAHA has accepted an action. A failure here is logged, never answered as
 * an error: the browser would retry and WhatsApp would get the text twice.
 */
async function afterWaha(what: string, work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    console.error(`[chats] ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const chats = new Hono<AppEnv>()
  .get("/wa/chats", async (c) => {
    const { config, user } = c.var;
    const answer = await readCached(
      c.env,
      { kind: "chats" },
      {
        session: config.WAHA_SESSION,
        ttlMs: config.WA_CHATS_TTL_MS,
        limits: upstreamLimits(config),
      },
    );
    if (!answer.ok) return failureResponse(answer.failure);
    const owners = await assignmentOwners(c.env.DB);
    const list: ChatSummary[] = (answer.value as CachedChat[]).map((chat) => ({
      ...chat,
      owner: owners.get(chat.id) ?? null,
    }));
    const visible = user.role === "agent" ? list.filter((chat) => chat.owner === user.sub) : list;
    return c.json(visible, 200, cacheHeaders(answer));
  })

  .get("/wa/messages", wahaReadLimit("messages"), chatAccess, async (c) => {
    const { jid, limit, beforeId } = parseInput(messagesQuery, c.req.query());
    const { config } = c.var;
    const answer = await readCached(
      c.env,
      { kind: "messages", jid, limit, beforeId: beforeId ?? null },
      {
        session: config.WAHA_SESSION,
        ttlMs: config.WA_MESSAGES_TTL_MS,
        limits: upstreamLimits(config),
      },
    );
    if (!answer.ok) return failureResponse(answer.failure);
    return c.json(answer.value as BrowserMessage[], 200, cacheHeaders(answer));
  })

  .post("/wa/send-text", async (c) => {
    const { jid, text } = parseInput(sendTextBody, await jsonBody(c.req));
    const sent = await chatAction(c, jid, "sendText", { text });
    if (!sent.ok) return sent.response;
    await afterWaha(`sendText ${jid}: firstResponseAt`, recordFirstResponse(c.env.DB, jid));
    // Engines answer sendText differently; the message is passed on when it has WAHA's message shape.
    const message = messageSchema.safeParse(sent.body);
    return c.json(
      { sent: true, message: message.success ? toBrowserMessage(message.data, jid) : null },
      201,
    );
  })

  .post("/wa/mark-read", async (c) => {
    const { jid } = parseInput(markReadBody, await jsonBody(c.req));
    const read = await chatAction(c, jid, "sendSeen", {});
    if (!read.ok) return read.response;
    return c.json({ read: true });
  });
