/**
 * The inbox lists and actions, per number: GET /api/wa/chats (without `number` and with
 * several numbers: every number the user may use, merged newest first) and
 * /api/wa/messages (cached once for everyone; who may see what is decided after the
 * cache, from D1), and POST
 * /api/wa/mark-read (passed through once, or with the stored messages named where WAHA's
 * NOWEB store is off). Sending is in outbox.ts.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import type { ChatSummary } from "../lib/contracts/api.ts";
import { chatOwner } from "../lib/db.ts";
import { apiError, failureError } from "../lib/errors.ts";
import { chatJidSchema, messageIdSchema } from "../lib/ids/id-schemas.ts";
import { byLastMessage } from "../lib/store/browser-shapes.ts";
import { markChatRead, markReadBy } from "../lib/store/chats.ts";
import { chatList, messagePage } from "../lib/store/lists.ts";
import { recentIncomingIds } from "../lib/store/messages.ts";
import { LABEL_MAX_CHARS } from "../lib/team/labels.ts";
import { CHAT_STATUSES } from "../lib/team/status.ts";
import { readSendsSeen } from "../lib/team/take-chat.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { invalidateChat } from "../lib/waha/cached-reads.ts";
import { callWaha } from "../lib/waha/client.ts";
import { isStoreDisabled } from "../lib/waha/noweb-store.ts";
import { numbersOf } from "../lib/waha/numbers.ts";
import { wahaPaths } from "../lib/waha/wire.ts";
import { assertChatAccess, requireChatAccess } from "../middleware/chat-access.ts";
import { requireNumber, resolveNumber, viewerNumbers } from "../middleware/number.ts";
import { wahaReadLimit } from "../middleware/rate-limit.ts";

const chatJid = chatJidSchema;

/** WAHA's own page size for messages; more in one request is refused. */
const MESSAGES_MAX_LIMIT = 100;
const MESSAGES_DEFAULT_LIMIT = 50;
const LIMIT_ERROR = `must be a whole number from 1 to ${MESSAGES_MAX_LIMIT}`;

const messagesQuery = z.object({
  jid: chatJid,
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

const markReadBody = z.object({ jid: chatJid });

const chatsQuery = z.object({
  status: z.optional(
    z.enum(CHAT_STATUSES, { error: `must be one of ${CHAT_STATUSES.join(", ")}` }),
  ),
  label: z.optional(
    z
      .string()
      .check(
        z.trim(),
        z.minLength(1, { error: "must not be empty" }),
        z.maxLength(LABEL_MAX_CHARS, { error: `must be at most ${LABEL_MAX_CHARS} characters` }),
      ),
  ),
  queue: z.optional(z.enum(["unassigned"], { error: "must be unassigned" })),
});

/** Staff see every queue; agents the unassigned one while they may take from it. */
function mayListUnassigned(c: Context<AppEnv>): boolean {
  return c.var.user.role !== "agent" || c.var.config.WA_AGENTS_TAKE_UNASSIGNED === "on";
}

/** Lists come from the message store; browsers ask again when they need to. */
const STORE_HEADERS = { "X-Cache-Status": "STORE", "Cache-Control": "no-store" };

const chatAccess = requireChatAccess({ from: "query" });

/** A JSON body, or undefined when it is not JSON (parseInput then names the problem). */
async function jsonBody(req: { json: () => Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    return undefined;
  }
}

/** How far back and how many messages WAHA itself marks read when told a chat was read. */
// WAHA: src/api/chatting.controller.ts (sendSeen: days 7), src/core/utils/convertors.ts
// (MessagesForRead)
const READ_DAYS = 7;
const READ_MAX = { direct: 30, group: 100 };

/**
 * sendSeen for one chat: the user must have the chat, the call is made once (never
 * retried), and on success the chat's cached lists are dropped. WAHA picks the unread
 * messages itself, except NOWEB without its store, which cannot list them (400): then the
 * messages webhooks brought are named.
 */
async function markSeen(c: Context<AppEnv>, jid: string): Promise<void> {
  const wa = c.var.number;
  const seen = (fields: Record<string, unknown>) =>
    callWaha(c.env, wa, {
      endpoint: "sendSeen",
      method: "POST",
      path: wahaPaths.sendSeen(),
      body: { session: wa.session, chatId: jid, ...fields },
    });
  let result = await seen({});
  if (!result.ok && isStoreDisabled(result.failure)) {
    const since = Math.floor(Date.now() / 1000) - READ_DAYS * 86_400;
    const max = jid.endsWith("@g.us") ? READ_MAX.group : READ_MAX.direct;
    const ids = await recentIncomingIds(c.env.DB, wa.id, jid, since, max);
    // Nothing from others stored: nothing WhatsApp could be told was read.
    if (ids.length === 0) return;
    result = await seen({ messageIds: ids });
  }
  if (!result.ok) throw failureError(result.failure);
  await afterWaha(`sendSeen ${jid}: cache invalidation`, invalidateChat(c.env, wa.id, jid));
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
    const { config } = c.var;
    const query = parseInput(chatsQuery, c.req.query());
    if (query.queue === "unassigned" && !mayListUnassigned(c)) {
      throw apiError(403, "forbidden", "agents may not see unassigned chats here");
    }
    const filter = { ...query, reader: c.var.user.sub };
    const raw = c.req.query("number");
    const several = raw === undefined && numbersOf(config).length > 1;
    const numbers = several ? await viewerNumbers(c) : [await resolveNumber(c, raw)];
    const lists = await Promise.all(
      numbers.map((wa) => chatList(c.env, config, wa, c.var.user, filter)),
    );
    const chats: ChatSummary[] = [];
    for (const listed of lists) {
      // One number's WAHA failing leaves the others' lists (merged) as the answer.
      if (!listed.ok) {
        if (!several) throw failureError(listed.failure);
        continue;
      }
      chats.push(...listed.value);
    }
    if (several) chats.sort(byLastMessage);
    return c.json(chats, 200, STORE_HEADERS);
  })

  .get("/wa/messages", wahaReadLimit("messages"), chatAccess, async (c) => {
    const { jid, limit, beforeId } = parseInput(messagesQuery, c.req.query());
    const page = await messagePage(c.env, c.var.config, c.var.number, jid, limit, beforeId ?? null);
    if (!page.ok) throw failureError(page.failure);
    return c.json(page.value, 200, STORE_HEADERS);
  })

  .post("/wa/mark-read", requireNumber(), async (c) => {
    const { jid } = parseInput(markReadBody, await jsonBody(c.req));
    await assertChatAccess(c, jid);
    // Read for this reader alone; the customer is told (sendSeen) per WA_SEND_SEEN: by
    // default only when the chat's own agent reads it, never by staff browsing.
    const number = c.var.number.id;
    await markReadBy(c.env.DB, number, jid, c.var.user.sub, Date.now());
    const owner = await chatOwner(c.env.DB, number, jid);
    const seen = readSendsSeen(c.var.config.WA_SEND_SEEN, c.var.user.sub, owner);
    if (seen) {
      await markSeen(c, jid);
      await afterWaha(`sendSeen ${jid}: unread count`, markChatRead(c.env.DB, number, jid));
    }
    return c.json({ read: true, seen });
  });
