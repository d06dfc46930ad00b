/**
 * Agents: the people auto-assign rotates over. Anyone signed in may list them (the
 * inbox shows who owns a chat); only admins and users add, rename or (de)activate, and
 * only admins set the sign-in e-mail that lets an identity without a role in as an agent.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import {
  type AgentWrite,
  createAgent,
  createAgentWithEmail,
  listAgents,
  setAgentEmail,
  updateAgent,
} from "../lib/agents-db.ts";
import { usableNumbers } from "../lib/auth/access.ts";
import { forgetNumbers } from "../lib/auth/access-grants.ts";
import { forgetAgentEmails } from "../lib/auth/roles.ts";
import type { Config } from "../lib/config.ts";
import { apiError } from "../lib/errors.ts";
import { agentIdSchema } from "../lib/ids/agent-id.ts";
import { closeWithdrawn } from "../lib/realtime/broadcast.ts";
import type { AppEnv, User } from "../lib/types.ts";
import { parseInput, readJsonBody } from "../lib/validate.ts";
import { numberById, numbersOf } from "../lib/waha/numbers.ts";
import { requireRole } from "../middleware/auth.ts";

const nameSchema = z
  .string({ error: "is required" })
  .check(
    z.trim(),
    z.minLength(1, { error: "is required" }),
    z.maxLength(100, { error: "must be at most 100 characters" }),
  );

/** Stored and matched lowercase: identity providers do not agree on the case of addresses. */
const emailSchema = z.pipe(
  z
    .string({ error: "must be an e-mail address" })
    .check(z.trim(), z.maxLength(254, { error: "must be at most 254 characters" })),
  z.email({ error: "must be an e-mail address" }).check(z.toLowerCase()),
);

const createSchema = z.object({
  name: nameSchema,
  id: z.optional(agentIdSchema),
  email: z.optional(emailSchema),
});

const patchSchema = z
  .object({
    name: z.optional(nameSchema),
    active: z.optional(z.boolean({ error: "must be true or false" })),
    /** null removes the e-mail. */
    email: z.optional(z.nullable(emailSchema)),
    /** The numbers the agent works (ids); null: every number. */
    numbers: z.optional(
      z.nullable(
        z
          .array(z.string({ error: "must be a list of numbers' ids" }), {
            error: "must be a list of numbers' ids, or null for every number",
          })
          .check(z.maxLength(100, { error: "must list at most 100 numbers" })),
      ),
    ),
  })
  .check(
    z.refine(
      (p) =>
        p.name !== undefined ||
        p.active !== undefined ||
        p.email !== undefined ||
        p.numbers !== undefined,
      { error: "needs name, active, email or numbers" },
    ),
  );

/** 400 naming `numbers` for an id the gateway does not serve; the list without repeats. */
function knownNumbers(config: Config, numbers: string[] | null): string[] | null {
  if (numbers === null) return null;
  for (const id of numbers) {
    if (numberById(config, id) === undefined) {
      throw apiError(
        400,
        "invalid-request",
        `numbers: no number ${JSON.stringify(id.slice(0, 40))}`,
      );
    }
  }
  return [...new Set(numbers)];
}

const writers = requireRole("admin", "user");

/** Mapping an e-mail grants a sign-in, so it is an admin's call. */
function requireAdminForEmail(user: User): void {
  if (user.role !== "admin") throw apiError(403, "forbidden", "email: only an admin sets it");
}

function emailTaken(email: string): never {
  throw apiError(409, "agent-email-exists", `email: another agent has ${email}`);
}

export const agents = new Hono<AppEnv>()
  .get("/agents", async (c) => c.json(await listAgents(c.env.DB)))
  .post("/agents", writers, async (c) => {
    const { name, id, email } = parseInput(createSchema, await readJsonBody(c.req.raw));
    const agentId = id ?? `agent-${crypto.randomUUID().slice(0, 8)}`;
    if (email === undefined) {
      const agent = await createAgent(c.env.DB, agentId, name);
      if (!agent) throw apiError(409, "agent-exists", `an agent with id ${id} exists`);
      return c.json(agent, 201);
    }
    requireAdminForEmail(c.var.user);
    const result = await createAgentWithEmail(c.env.DB, agentId, name, email);
    if (result.status === "id-taken")
      throw apiError(409, "agent-exists", `an agent with id ${id} exists`);
    if (result.status !== "done") emailTaken(email);
    forgetAgentEmails();
    return c.json(result.agent, 201);
  })
  .patch("/agents/:id", writers, async (c) => {
    const { id } = parseInput(z.object({ id: agentIdSchema }), c.req.param());
    const { email, numbers, ...named } = parseInput(patchSchema, await readJsonBody(c.req.raw));
    const rest =
      numbers === undefined ? named : { ...named, numbers: knownNumbers(c.var.config, numbers) };
    let written: AgentWrite | undefined;
    if (email !== undefined) {
      requireAdminForEmail(c.var.user);
      written = await setAgentEmail(c.env.DB, id, email);
      if (written.status === "not-found") throw apiError(404, "not-found", `no agent ${id}`);
      if (written.status !== "done") emailTaken(email ?? "");
    }
    // Off or renamed agents must not stay signed in by an isolate's memory of them.
    forgetAgentEmails();
    if (
      rest.name === undefined &&
      rest.active === undefined &&
      numbers === undefined &&
      written?.status === "done"
    ) {
      return c.json(written.agent);
    }
    const agent = await updateAgent(c.env.DB, id, rest);
    if (!agent) throw apiError(404, "not-found", `no agent ${id}`);
    if ("numbers" in rest) {
      // After the write: a reconnect in between would remember the numbers from before it.
      forgetNumbers(id);
      const all = numbersOf(c.var.config).map((n) => n.id);
      const kept = new Set(usableNumbers({ role: "agent", sub: id, numbers: rest.numbers }, all));
      await closeWithdrawn(
        c.env,
        all.filter((n) => !kept.has(n)),
        id,
      );
    }
    return c.json(agent);
  });
