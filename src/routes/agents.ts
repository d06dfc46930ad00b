/**
 * Agents: the people auto-assign rotates over. Anyone signed in may list them (the
 * inbox shows who owns a chat); only admins and users add, rename or (de)activate.
 */
import { Hono } from "hono";
import { z } from "zod";
import { agentIdSchema } from "../lib/agent-id.ts";
import { requireRole } from "../lib/auth.ts";
import { createAgent, listAgents, updateAgent } from "../lib/db.ts";
import { apiError } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput, readJsonBody } from "../lib/validate.ts";

const nameSchema = z
  .string({ error: "is required" })
  .trim()
  .min(1, { error: "is required" })
  .max(100, { error: "must be at most 100 characters" });

const createSchema = z.object({ name: nameSchema, id: agentIdSchema.optional() });

const patchSchema = z
  .object({
    name: nameSchema.optional(),
    active: z.boolean({ error: "must be true or false" }).optional(),
  })
  .refine((p) => p.name !== undefined || p.active !== undefined, {
    error: "needs name or active",
  });

const writers = requireRole("admin", "user");

export const agents = new Hono<AppEnv>()
  .get("/agents", async (c) => c.json(await listAgents(c.env.DB)))
  .post("/agents", writers, async (c) => {
    const { name, id } = parseInput(createSchema, await readJsonBody(c.req.raw));
    const agent = await createAgent(
      c.env.DB,
      id ?? `agent-${crypto.randomUUID().slice(0, 8)}`,
      name,
    );
    if (!agent) throw apiError(409, "agent-exists", `an agent with id ${id} exists`);
    return c.json(agent, 201);
  })
  .patch("/agents/:id", writers, async (c) => {
    const { id } = parseInput(z.object({ id: agentIdSchema }), c.req.param());
    const patch = parseInput(patchSchema, await readJsonBody(c.req.raw));
    const agent = await updateAgent(c.env.DB, id, patch);
    if (!agent) throw apiError(404, "not-found", `no agent ${id}`);
    return c.json(agent);
  });
