/**
 * Sending through the outbox: POST /api/wa/send-text, /api/wa/send-media (multipart) and
 * /api/wa/react go to the chat's Outbox object, which sends them in order. 200 `sent`
 * when WAHA took it now, 202 `queued` when WAHA could not confirm it (it is sent when
 * WAHA is back), WAHA's own refusal as the error. The browser's `clientId` makes a retry
 * the same send. GET /api/wa/outbox lists what waits or failed; a failed entry can be
 * sent again with POST /api/wa/outbox/{clientId}/retry.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { scopedAgent } from "../lib/auth/access.ts";
import type { OutboxAnswer, OutboxKind } from "../lib/contracts/outbox.ts";
import { apiError, failureError } from "../lib/errors.ts";
import { chatJidSchema, messageIdSchema } from "../lib/ids/id-schemas.ts";
import { getOutbox, listOutbox, outboxEntry, outboxOf, requeueOutbox } from "../lib/outbox/db.ts";
import { storedMessage } from "../lib/store/messages.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { readCached } from "../lib/waha/cached-reads.ts";
import type { WaNumber } from "../lib/waha/numbers.ts";
import { assertChatAccess } from "../middleware/chat-access.ts";
import { requireNumber, resolveNumber } from "../middleware/number.ts";

/** WhatsApp's own limit on a text message. */
const TEXT_MAX_CHARS = 4096;
const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

const clientIdSchema = z.optional(
  z
    .string()
    .check(z.regex(CLIENT_ID, { error: "must be 8–64 of A–Z a–z 0–9 _ - (a UUID will do)" })),
);

const textSchema = z.string({ error: "is required" }).check(
  z.refine((t) => t.trim() !== "", { error: "must not be empty" }),
  z.refine((t) => t.length <= TEXT_MAX_CHARS, {
    error: `must be at most ${TEXT_MAX_CHARS} characters`,
  }),
);

const sendTextBody = z.object({
  jid: chatJidSchema,
  text: textSchema,
  clientId: clientIdSchema,
  replyTo: z.optional(messageIdSchema),
});

const reactBody = z.object({
  jid: chatJidSchema,
  id: messageIdSchema,
  // "" takes a reaction back.
  reaction: z
    .string({ error: "is required" })
    .check(z.maxLength(16, { error: "must be one emoji, or empty to remove it" })),
  clientId: clientIdSchema,
});

async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    return undefined;
  }
}

function answer(c: Context<AppEnv>, result: OutboxAnswer): Response {
  switch (result.status) {
    case "sent":
      return c.json({
        clientId: result.clientId,
        id: result.id,
        status: "sent",
        ...(result.message ? { message: result.message } : {}),
      });
    case "queued":
      return c.json({ clientId: result.clientId, status: "queued" }, 202);
    case "failed":
      throw failureError(result.failure);
  }
}

async function submit(
  c: Context<AppEnv>,
  request: {
    jid: string;
    kind: OutboxKind;
    body: string | null;
    target: string | null;
    clientId: string | undefined;
    media?: { mimetype: string; filename: string; data: ArrayBuffer };
  },
): Promise<Response> {
  const { user } = c.var;
  const number = c.var.number.id;
  if (request.target && !(await storedMessage(c.env.DB, number, request.jid, request.target))) {
    const field = request.kind === "reaction" ? "id" : "replyTo";
    throw apiError(
      400,
      "invalid-request",
      `${field}: chat ${request.jid} has no message ${request.target}`,
    );
  }
  const result = await outboxOf(c.env, number, request.jid).submit({
    clientId: request.clientId ?? crypto.randomUUID(),
    jid: request.jid,
    sender: user.sub,
    kind: request.kind,
    body: request.body,
    target: request.target,
    ...(request.media ? { media: request.media } : {}),
  });
  return answer(c, result);
}

/** WAHA Core has no media sending; its tier is in the number's (cached) status. */
async function requirePlus(env: Env, number: WaNumber): Promise<void> {
  const status = await readCached(env, number, { kind: "status" });
  const tier = status.ok ? status.value.server.tier : undefined;
  if (tier !== undefined && tier.toUpperCase() !== "PLUS") {
    throw apiError(422, "waha-plus-required", "sending media needs WAHA Plus; this WAHA is Core");
  }
}

function field(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" && value !== "" ? value : undefined;
}

export const sending = new Hono<AppEnv>()
  .post("/wa/send-text", requireNumber(), async (c) => {
    const { jid, text, clientId, replyTo } = parseInput(sendTextBody, await jsonBody(c.req.raw));
    await assertChatAccess(c, jid);
    return submit(c, { jid, kind: "text", body: text, target: replyTo ?? null, clientId });
  })

  .post("/wa/react", requireNumber(), async (c) => {
    const { jid, id, reaction, clientId } = parseInput(reactBody, await jsonBody(c.req.raw));
    await assertChatAccess(c, jid);
    return submit(c, { jid, kind: "reaction", body: reaction, target: id, clientId });
  })

  .post("/wa/send-media", async (c) => {
    const max = c.var.config.WA_UPLOAD_MAX_BYTES;
    if (Number(c.req.header("Content-Length") ?? 0) > max + 65_536) {
      throw apiError(413, "payload-too-large", `file: may be at most ${max} bytes`);
    }
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw apiError(400, "invalid-request", "body: must be multipart/form-data with jid and file");
    }
    const fields = parseInput(
      z.object({
        jid: chatJidSchema,
        caption: z.optional(z.string().check(z.maxLength(TEXT_MAX_CHARS))),
        clientId: clientIdSchema,
        replyTo: z.optional(messageIdSchema),
      }),
      {
        jid: field(form, "jid"),
        caption: field(form, "caption"),
        clientId: field(form, "clientId"),
        replyTo: field(form, "replyTo"),
      },
    );
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) {
      throw apiError(400, "invalid-request", "file: is required");
    }
    if (file.size > max)
      throw apiError(413, "payload-too-large", `file: may be at most ${max} bytes`);
    await resolveNumber(c, field(form, "number"));
    await assertChatAccess(c, fields.jid);
    await requirePlus(c.env, c.var.number);
    return submit(c, {
      jid: fields.jid,
      kind: "media",
      body: fields.caption ?? null,
      target: fields.replyTo ?? null,
      clientId: fields.clientId,
      media: {
        mimetype: file.type || "application/octet-stream",
        filename: file.name.slice(0, 200) || "file",
        data: await file.arrayBuffer(),
      },
    });
  })

  .get("/wa/outbox", requireNumber(), async (c) => {
    const number = c.var.number.id;
    const rows = await listOutbox(c.env.DB, number, scopedAgent(c.var.user));
    return c.json(
      rows.map((row) => ({ ...outboxEntry(row), number })),
      200,
      { "Cache-Control": "no-store" },
    );
  })

  .post("/wa/outbox/:clientId/retry", requireNumber(), async (c) => {
    const clientId = c.req.param("clientId");
    const number = c.var.number.id;
    const row = CLIENT_ID.test(clientId) ? await getOutbox(c.env.DB, number, clientId) : null;
    if (!row) throw apiError(404, "not-found", `no outbox entry ${clientId}`);
    await assertChatAccess(c, row.jid);
    if (row.status !== "failed")
      throw apiError(409, "not-failed", `entry ${clientId} is ${row.status}`);
    await requeueOutbox(c.env.DB, number, clientId, Date.now());
    return answer(c, await outboxOf(c.env, number, row.jid).kick(clientId));
  });
