/**
 * Editing and deleting our own messages: `PATCH /api/wa/messages/{id}?jid&number {text}` and
 * `DELETE /api/wa/messages/{id}?jid&number`, through WAHA's edit and delete calls. WhatsApp
 * lets the sender edit a text message for 15 minutes; a later edit, another's message, media
 * or a deleted message is refused here (409, naming why) rather than failing at WhatsApp. The
 * store and browsers hear the change at once, as WAHA's later `message.edited` /
 * `message.revoked` webhook would tell it (applying that again changes nothing).
 * WAHA: src/api/chats.controller.ts (editMessage PUT, deleteMessage DELETE
 * /api/{session}/chats/{chatId}/messages/{messageId}), src/structures/chatting.dto.ts
 * (EditMessageRequest {text}).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { chatOwner } from "../lib/db.ts";
import { apiError, failureError } from "../lib/errors.ts";
import { chatJidSchema, messageIdSchema } from "../lib/ids/id-schemas.ts";
import { canonicalMessageId } from "../lib/ids/jids.ts";
import { broadcast, chatAudience } from "../lib/realtime/broadcast.ts";
import { applyChange, type MessageChange } from "../lib/store/early-changes.ts";
import { type StoredRow, storedMessage } from "../lib/store/messages.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput, readJsonBody } from "../lib/validate.ts";
import { invalidateChat } from "../lib/waha/cached-reads.ts";
import { callWaha } from "../lib/waha/client.ts";
import { wahaPaths } from "../lib/waha/wire.ts";
import { requireChatAccess } from "../middleware/chat-access.ts";
import { requireNumber } from "../middleware/number.ts";

/** How long WhatsApp lets the sender edit a message. */
export const EDIT_WINDOW_MS = 15 * 60_000;

const target = z.object({
  jid: chatJidSchema,
  number: z.optional(z.string()),
});

const editBody = z.object({
  text: z.string({ error: "is required" }).check(
    z.refine((t) => t.trim() !== "", { error: "must not be empty" }),
    z.maxLength(4096, { error: "must be at most 4096 characters" }),
  ),
});

/** The stored message the request names: ours, not deleted; else 404 / 409 naming why. */
async function ownMessage(c: Context<AppEnv>): Promise<{ jid: string; row: StoredRow }> {
  const query = parseInput(target, c.req.query());
  const id = canonicalMessageId(parseInput(z.object({ id: messageIdSchema }), c.req.param()).id);
  const row = await storedMessage(c.env.DB, c.var.number.id, query.jid, id);
  if (!row) throw apiError(404, "message-not-found", "no such message in this chat");
  if (row.from_me !== 1) {
    throw apiError(409, "not-own-message", "only messages sent from this number can be changed");
  }
  if (row.revoked_at !== null) {
    throw apiError(409, "message-deleted", "the message was deleted already");
  }
  return { jid: query.jid, row };
}

/** Applies the change to the store and tells the chat's audience, as its webhook would. */
async function announce(c: Context<AppEnv>, jid: string, row: StoredRow, change: MessageChange) {
  const number = c.var.number.id;
  const now = Date.now();
  try {
    const frame = await applyChange(c.env.DB, number, jid, row.key, change, now);
    await invalidateChat(c.env, number, jid);
    if (frame) {
      const owner = await chatOwner(c.env.DB, number, jid);
      c.executionCtx.waitUntil(broadcast(c.env, number, frame, chatAudience(owner)));
    }
  } catch (err) {
    // WhatsApp has the change; WAHA's webhook will bring it to the store in any case.
    console.error(`[messages] storing the change of ${row.id} failed: ${String(err)}`);
  }
}

const chatAccess = requireChatAccess({ from: "query" });

export const ownMessages = new Hono<AppEnv>()
  .patch("/wa/messages/:id", requireNumber(), chatAccess, async (c) => {
    const { jid, row } = await ownMessage(c);
    const { text } = parseInput(editBody, await readJsonBody(c.req.raw));
    if (row.has_media === 1 || row.kind !== null) {
      throw apiError(409, "not-editable", "WhatsApp lets only text messages be edited");
    }
    const age = Date.now() - row.ts * 1000;
    if (age > EDIT_WINDOW_MS) {
      throw apiError(
        409,
        "edit-window-closed",
        `WhatsApp lets a message be edited for 15 minutes after it was sent; this one was sent ${Math.floor(age / 60_000)} minutes ago`,
      );
    }
    const result = await callWaha(c.env, c.var.number, {
      endpoint: "message-edit",
      method: "PUT",
      path: wahaPaths.chatMessage(c.var.number.session, jid, row.waha_id),
      body: { text },
    });
    if (!result.ok) throw failureError(result.failure);
    await announce(c, jid, row, { kind: "edited", body: text });
    return c.json({ id: row.id, edited: true });
  })

  .delete("/wa/messages/:id", requireNumber(), chatAccess, async (c) => {
    const { jid, row } = await ownMessage(c);
    const result = await callWaha(c.env, c.var.number, {
      endpoint: "message-delete",
      method: "DELETE",
      path: wahaPaths.chatMessage(c.var.number.session, jid, row.waha_id),
    });
    if (!result.ok) throw failureError(result.failure);
    await announce(c, jid, row, { kind: "revoked" });
    return c.json({ id: row.id, revoked: true });
  });
