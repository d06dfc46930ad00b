/**
 * The team inbox's actions on one chat: its status (PATCH /api/wa/chats/{jid}), staff's
 * private notes and its labels. Each needs the chat (agents: their own); each change is
 * told to those who may see the chat.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import { chatOwner } from "../lib/db.ts";
import { apiError } from "../lib/errors.ts";
import { broadcast, chatAudience } from "../lib/realtime/broadcast.ts";
import { LABEL_MAX_CHARS, LABELS_MAX, setLabels } from "../lib/team/labels.ts";
import { addNote, listNotes } from "../lib/team/notes.ts";
import { CHAT_STATUSES, setChatStatus } from "../lib/team/status.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput, readJsonBody } from "../lib/validate.ts";
import { requireChatAccess } from "../middleware/chat-access.ts";

const NOTE_MAX_CHARS = 4_000;

const statusBody = z.object({
  status: z.enum(CHAT_STATUSES, { error: `must be one of ${CHAT_STATUSES.join(", ")}` }),
  snoozeUntil: z.optional(z.string({ error: "must be an ISO time" })),
});

const noteBody = z.object({
  text: z
    .string({ error: "is required" })
    .check(
      z.trim(),
      z.minLength(1, { error: "is required" }),
      z.maxLength(NOTE_MAX_CHARS, { error: `must be at most ${NOTE_MAX_CHARS} characters` }),
    ),
});

const labelsBody = z.object({
  labels: z
    .array(
      z.string({ error: "must be text" }).check(
        z.trim(),
        z.minLength(1, { error: "must not be empty" }),
        z.maxLength(LABEL_MAX_CHARS, {
          error: `must be at most ${LABEL_MAX_CHARS} characters`,
        }),
      ),
      { error: "must be an array of labels" },
    )
    .check(z.maxLength(LABELS_MAX, { error: `must hold at most ${LABELS_MAX} labels` })),
});

/** snoozeUntil: required with snoozed and then a future time; never with another status. */
function snoozeTime(status: string, raw: string | undefined, now: number): number | null {
  if (status !== "snoozed") {
    if (raw !== undefined) {
      throw apiError(400, "invalid-request", "snoozeUntil: is only for status snoozed");
    }
    return null;
  }
  if (raw === undefined) {
    throw apiError(400, "invalid-request", "snoozeUntil: is required when status is snoozed");
  }
  const at = /^\d{4}-\d\d-\d\dT/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(at)) throw apiError(400, "invalid-request", "snoozeUntil: must be an ISO time");
  if (at <= now) throw apiError(400, "invalid-request", "snoozeUntil: must be in the future");
  return at;
}

const chatAccess = requireChatAccess({ from: "param" });

export const team = new Hono<AppEnv>()
  .patch("/wa/chats/:jid", chatAccess, async (c) => {
    const jid = c.req.param("jid");
    const body = parseInput(statusBody, await readJsonBody(c.req.raw));
    const now = Date.now();
    const until = snoozeTime(body.status, body.snoozeUntil, now);
    const number = c.var.number.id;
    const change = await setChatStatus(
      c.env.DB,
      number,
      jid,
      body.status,
      until,
      c.var.user.sub,
      now,
    );
    const snoozeUntil = until === null ? null : new Date(until).toISOString();
    if (change.before !== change.status || change.status === "snoozed") {
      c.executionCtx.waitUntil(
        broadcast(
          c.env,
          number,
          {
            type: "chat.status",
            jid,
            number,
            status: change.status,
            ...(snoozeUntil ? { snoozeUntil } : {}),
          },
          chatAudience(change.owner),
        ),
      );
    }
    return c.json({ jid, number, status: change.status, snoozeUntil });
  })

  .get("/wa/chats/:jid/notes", chatAccess, async (c) => {
    const notes = await listNotes(c.env.DB, c.var.number.id, c.req.param("jid"));
    return c.json(notes, 200, { "Cache-Control": "no-store" });
  })

  .post("/wa/chats/:jid/notes", chatAccess, async (c) => {
    const jid = c.req.param("jid");
    const { text } = parseInput(noteBody, await readJsonBody(c.req.raw));
    const number = c.var.number.id;
    const note = await addNote(c.env.DB, number, jid, c.var.user, text, Date.now());
    const owner = await chatOwner(c.env.DB, number, jid);
    c.executionCtx.waitUntil(
      broadcast(c.env, number, { type: "note.new", jid, number, note }, chatAudience(owner)),
    );
    return c.json(note, 201);
  })

  .put("/wa/chats/:jid/labels", chatAccess, async (c) => {
    const jid = c.req.param("jid");
    const body = parseInput(labelsBody, await readJsonBody(c.req.raw));
    const number = c.var.number.id;
    const labels = await setLabels(c.env.DB, number, jid, body.labels);
    const owner = await chatOwner(c.env.DB, number, jid);
    c.executionCtx.waitUntil(
      broadcast(c.env, number, { type: "chat.labels", jid, number, labels }, chatAudience(owner)),
    );
    return c.json({ jid, number, labels });
  });
