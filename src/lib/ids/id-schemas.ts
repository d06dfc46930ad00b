/**
 * What a chat id (jid) and a message id may look like. Both end up in WAHA paths and
 * cache keys, so anything that could leave its path segment is refused at the edge.
 */
import * as z from "zod/mini";
import { canonicalJid } from "./jids.ts";

const SAFE = /^[A-Za-z0-9@._:+-]+$/;

export const jidSchema = z.string({ error: "is required" }).check(
  z.minLength(1, { error: "is required" }),
  z.maxLength(256, { error: "must be at most 256 characters" }),
  z.regex(/^[A-Za-z0-9._:+-]+@(c\.us|g\.us|s\.whatsapp\.net|lid|newsletter|broadcast)$/, {
    error: "must be a WhatsApp chat id like 15551234567@c.us",
  }),
);

/** A chat id in its one canonical form: `…@s.whatsapp.net` is the same chat as `…@c.us`. */
export const chatJidSchema = z.pipe(jidSchema, z.transform(canonicalJid));

export const messageIdSchema = z.string({ error: "is required" }).check(
  z.minLength(1, { error: "is required" }),
  z.maxLength(256, { error: "must be at most 256 characters" }),
  z.regex(SAFE, { error: "may hold only letters, digits and @ . _ : + -" }),
  z.refine((id) => !id.includes("..") && id !== ".", {
    error: "must not contain '..' nor be '.'",
  }),
);
