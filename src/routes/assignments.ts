/**
 * Chat assignments (who answers which chat of a number) and the auto-assign switch. Everyone may
 * read what they may see; only admins and users change owners, and every change is
 * announced as `chat.assigned` to staff and to the agents it concerns.
 */

import { Hono } from "hono";
import * as z from "zod/mini";
import { getAgent } from "../lib/agents-db.ts";
import { mayUseNumber, scopedAgent } from "../lib/auth/access.ts";
import type { ChatAssignment } from "../lib/contracts/api.ts";
import {
  autoAssignEnabled,
  changeChatOwner,
  getAssignment,
  listAssignments,
  setAutoAssign,
} from "../lib/db.ts";
import { apiError } from "../lib/errors.ts";
import { agentIdSchema } from "../lib/ids/agent-id.ts";
import { jidSchema } from "../lib/ids/id-schemas.ts";
import { canonicalJid } from "../lib/ids/jids.ts";
import { broadcast, chatAudience } from "../lib/realtime/broadcast.ts";
import { takeChat } from "../lib/team/take-chat.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput, readJsonBody } from "../lib/validate.ts";
import { requireRole } from "../middleware/auth.ts";
import { requireChatAccess } from "../middleware/chat-access.ts";
import { requireNumber } from "../middleware/number.ts";

const listQuerySchema = z
  .object({
    agent: z.optional(agentIdSchema),
    unassigned: z.optional(z.enum(["true", "false"], { error: "must be true or false" })),
  })
  .check(
    z.refine((q) => !(q.agent !== undefined && q.unassigned === "true"), {
      error: "cannot be combined with agent",
      path: ["unassigned"],
    }),
  );

const jidParamSchema = z.object({ jid: jidSchema });
const putBodySchema = z.object({ agentId: agentIdSchema });
const autoAssignSchema = z.object({
  enabled: z.boolean({ error: "must be true or false" }),
});

const writers = requireRole("admin", "user");

/** An assignment as answered: it names its number. */
function withNumber(number: string, assignment: ChatAssignment): ChatAssignment {
  return { ...assignment, number };
}

export const assignments = new Hono<AppEnv>()
  .get("/wa/assignments", requireNumber(), async (c) => {
    const number = c.var.number.id;
    const tag = (list: ChatAssignment[]) => list.map((a) => withNumber(number, a));
    const query = parseInput(listQuerySchema, c.req.query());
    const { user } = c.var;
    const agent = scopedAgent(user);
    if (agent !== null) {
      // An agent's list is its own chats; asking for anyone else's is refused, not emptied.
      if (query.unassigned === "true" || (query.agent !== undefined && query.agent !== agent)) {
        throw apiError(403, "forbidden", "agents see only the chats assigned to them");
      }
      return c.json(tag(await listAssignments(c.env.DB, number, { agentId: agent })));
    }
    return c.json(
      tag(
        await listAssignments(
          c.env.DB,
          number,
          query.agent !== undefined
            ? { agentId: query.agent }
            : { unassigned: query.unassigned === "true" },
        ),
      ),
    );
  })
  .get("/wa/assignments/:jid", requireChatAccess({ from: "param" }), async (c) => {
    const { jid } = parseInput(jidParamSchema, c.req.param());
    const number = c.var.number.id;
    const assignment = await getAssignment(c.env.DB, number, jid);
    if (!assignment) throw apiError(404, "not-found", `chat ${jid} has no assignment`);
    return c.json(withNumber(number, assignment));
  })
  .put("/wa/assignments/:jid", writers, requireNumber(), async (c) => {
    const { jid } = parseInput(jidParamSchema, c.req.param());
    const { agentId } = parseInput(putBodySchema, await readJsonBody(c.req.raw));
    const agent = await getAgent(c.env.DB, agentId);
    if (!agent) throw apiError(400, "invalid-request", `agentId: no agent ${agentId}`);
    if (!agent.active)
      throw apiError(400, "invalid-request", `agentId: agent ${agentId} is inactive`);
    const number = c.var.number.id;
    if (!mayUseNumber({ role: "agent", sub: agent.id, numbers: agent.numbers ?? null }, number)) {
      throw apiError(400, "invalid-request", `agentId: agent ${agentId} does not work ${number}`);
    }
    const change = await changeChatOwner(c.env.DB, number, jid, agentId);
    if (!change) throw new Error(`assigning ${jid} returned no row`);
    c.executionCtx.waitUntil(
      broadcast(
        c.env,
        number,
        { type: "chat.assigned", jid, agentId },
        chatAudience(agentId, change.previousOwner),
      ),
    );
    return c.json(withNumber(number, change.assignment));
  })
  .delete("/wa/assignments/:jid", writers, requireNumber(), async (c) => {
    const { jid } = parseInput(jidParamSchema, c.req.param());
    const number = c.var.number.id;
    const change = await changeChatOwner(c.env.DB, number, jid, null);
    if (!change) throw apiError(404, "not-found", `chat ${jid} has no assignment`);
    c.executionCtx.waitUntil(
      broadcast(
        c.env,
        number,
        { type: "chat.assigned", jid, agentId: null },
        chatAudience(change.previousOwner),
      ),
    );
    return c.json(withNumber(number, change.assignment));
  })
  // An agent takes an unassigned chat for itself (WA_AGENTS_TAKE_UNASSIGNED).
  .post("/wa/assignments/:jid/take", requireNumber(), async (c) => {
    const { jid } = parseInput(jidParamSchema, c.req.param());
    const agent = scopedAgent(c.var.user);
    if (agent === null) {
      throw apiError(403, "forbidden", "only agents take chats; staff assign them with PUT");
    }
    if (c.var.config.WA_AGENTS_TAKE_UNASSIGNED !== "on") {
      throw apiError(
        403,
        "taking-disabled",
        "agents may not take chats here (WA_AGENTS_TAKE_UNASSIGNED is off)",
      );
    }
    const taken = await takeChat(c.env.DB, c.var.number.id, canonicalJid(jid), agent);
    if (!taken) throw apiError(409, "already-assigned", `chat ${jid} is assigned already`);
    c.executionCtx.waitUntil(
      broadcast(
        c.env,
        c.var.number.id,
        { type: "chat.assigned", jid: taken.jid, agentId: agent },
        chatAudience(agent),
      ),
    );
    return c.json(taken);
  })
  .get("/wa/auto-assign", async (c) => c.json({ enabled: await autoAssignEnabled(c.env.DB) }))
  .put("/wa/auto-assign", writers, async (c) => {
    const { enabled } = parseInput(autoAssignSchema, await readJsonBody(c.req.raw));
    await setAutoAssign(c.env.DB, enabled);
    return c.json({ enabled });
  });
