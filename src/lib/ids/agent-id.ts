/**
 * What an agent id may look like. Agent ids become WebSocket tags and the owner of
 * chats, so they stay short and plain; legacy ids (Mongo ObjectIds, e-mails) fit.
 */
import * as z from "zod/mini";

export const AGENT_ID_MAX = 64;

export const agentIdSchema = z
  .string({ error: "is required" })
  .check(
    z.minLength(1, { error: "is required" }),
    z.maxLength(AGENT_ID_MAX, { error: `must be at most ${AGENT_ID_MAX} characters` }),
    z.regex(/^[A-Za-z0-9@._:+-]+$/, { error: "may hold only letters, digits and @ . _ : + -" }),
  );
