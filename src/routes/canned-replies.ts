/**
 * Canned replies (SPEC.md, "The team inbox"): everyone signed in reads them (the composer
 * offers them after `/`); admins and users add, change and remove them.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import {
  type CannedWrite,
  createCannedReply,
  deleteCannedReply,
  listCannedReplies,
  updateCannedReply,
} from "../lib/canned-replies.ts";
import { apiError } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput, readJsonBody } from "../lib/validate.ts";
import { requireRole } from "../middleware/auth.ts";

export const SHORTCUT_MAX = 32;
export const CANNED_TEXT_MAX = 4096;

/** Typed after `/` in the composer: one word, stored lowercase. */
const shortcutSchema = z
  .string({ error: "is required" })
  .check(
    z.trim(),
    z.toLowerCase(),
    z.minLength(1, { error: "is required" }),
    z.maxLength(SHORTCUT_MAX, { error: `must be at most ${SHORTCUT_MAX} characters` }),
    z.regex(/^[a-z0-9_-]+$/, { error: "may hold only letters, digits, - and _" }),
  );

const textSchema = z.string({ error: "is required" }).check(
  z.minLength(1, { error: "is required" }),
  z.refine((t) => t.trim() !== "", { error: "is required" }),
  z.maxLength(CANNED_TEXT_MAX, { error: `must be at most ${CANNED_TEXT_MAX} characters` }),
);

const createSchema = z.object({ shortcut: shortcutSchema, text: textSchema });

const patchSchema = z
  .object({ shortcut: z.optional(shortcutSchema), text: z.optional(textSchema) })
  .check(
    z.refine((p) => p.shortcut !== undefined || p.text !== undefined, {
      error: "needs shortcut or text",
    }),
  );

const idSchema = z.object({
  id: z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, { error: "is not a canned reply id" })),
});

const writers = requireRole("admin", "user");

function written(result: CannedWrite, shortcut: string | undefined, id: string) {
  if (result.status === "shortcut-taken")
    throw apiError(409, "shortcut-exists", `shortcut: /${shortcut ?? ""} is taken`);
  if (result.status === "not-found") throw apiError(404, "not-found", `no canned reply ${id}`);
  return result.reply;
}

export const cannedReplies = new Hono<AppEnv>()
  .get("/canned-replies", async (c) =>
    c.json(await listCannedReplies(c.env.DB), 200, { "Cache-Control": "no-store" }),
  )
  .post("/canned-replies", writers, async (c) => {
    const { shortcut, text } = parseInput(createSchema, await readJsonBody(c.req.raw));
    const id = crypto.randomUUID();
    const result = await createCannedReply(c.env.DB, id, shortcut, text);
    return c.json(written(result, shortcut, id), 201);
  })
  .patch("/canned-replies/:id", writers, async (c) => {
    const { id } = parseInput(idSchema, c.req.param());
    const patch = parseInput(patchSchema, await readJsonBody(c.req.raw));
    const result = await updateCannedReply(c.env.DB, id, patch);
    return c.json(written(result, patch.shortcut, id));
  })
  .delete("/canned-replies/:id", writers, async (c) => {
    const { id } = parseInput(idSchema, c.req.param());
    if (!(await deleteCannedReply(c.env.DB, id)))
      throw apiError(404, "not-found", `no canned reply ${id}`);
    return c.body(null, 204);
  });
