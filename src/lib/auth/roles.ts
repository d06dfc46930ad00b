/**
 * Who the holder of a verified JWKS or Access token is. A role claim (JWT_ROLE_CLAIM,
 * with the subject from JWT_SUB_CLAIM) decides when the token has one; otherwise its
 * e-mail does: ADMIN_EMAILS, USER_EMAILS, else the active agent with that e-mail in D1.
 * Anyone else is refused with 403 `not-an-agent`, told whom to ask.
 */

import { type Agent, findAgentByEmail } from "../agents-db.ts";
import type { Config } from "../config.ts";
import type { Role, User } from "../types.ts";

export type Identity =
  | { ok: true; user: User }
  /** 401: the token is not usable as a sign-in; 403: a real person this inbox does not know. */
  | { ok: false; status: 401; reason: string }
  | { ok: false; status: 403; message: string };

/** Most privileged first: a token listing several roles gets the highest it names. */
const RANKED: Role[] = ["admin", "user", "agent"];
const SUB_MAX = 256;
const NAME_MAX = 256;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** E-mail → agent lookups, briefly: agents' requests should not each cost a D1 query. */
const AGENT_MEMO_MS = 30_000;
const AGENT_MEMO_MAX = 1_000;
const agentsByEmail = new Map<string, { agent: Agent | null; until: number }>();

/** Drops remembered e-mail → agent lookups (after an agent's e-mail or state changed). */
export function forgetAgentEmails(): void {
  agentsByEmail.clear();
}

export async function identify(
  claims: Record<string, unknown>,
  config: Config,
  db: D1Database,
): Promise<Identity> {
  const name = text(claims.name, NAME_MAX);
  const role = roleOf(claimValue(claims, config.JWT_ROLE_CLAIM));
  if (role) {
    const sub = text(claimValue(claims, config.JWT_SUB_CLAIM), SUB_MAX);
    if (!sub) {
      return { ok: false, status: 401, reason: `role claim without a ${config.JWT_SUB_CLAIM}` };
    }
    return { ok: true, user: withName({ sub, role }, name) };
  }

  const email = text(claims.email, 320)?.toLowerCase();
  if (!email || !EMAIL.test(email)) {
    return {
      ok: false,
      status: 403,
      message:
        "this sign-in carries neither a role nor an e-mail address: ask an admin of this inbox to give you a role",
    };
  }
  if (claims.email_verified === false) {
    return {
      ok: false,
      status: 403,
      message: `${email} is not verified by your identity provider: verify it there, or ask an admin of this inbox for a role`,
    };
  }
  if (config.ADMIN_EMAILS.includes(email)) {
    return { ok: true, user: withName({ sub: email, role: "admin" }, name ?? email) };
  }
  if (config.USER_EMAILS.includes(email)) {
    return { ok: true, user: withName({ sub: email, role: "user" }, name ?? email) };
  }
  const agent = await agentFor(db, email);
  if (!agent) {
    return {
      ok: false,
      status: 403,
      message: `${email} is not an agent of this inbox: ask an admin to add you at /api/agents`,
    };
  }
  if (!agent.active) {
    return {
      ok: false,
      status: 403,
      message: `the agent ${agent.id} (${email}) is switched off: ask an admin to turn it on at /api/agents`,
    };
  }
  return { ok: true, user: { sub: agent.id, role: "agent", name: agent.name } };
}

async function agentFor(db: D1Database, email: string): Promise<Agent | null> {
  const now = Date.now();
  const known = agentsByEmail.get(email);
  if (known && known.until > now) return known.agent;
  const agent = await findAgentByEmail(db, email);
  if (agentsByEmail.size >= AGENT_MEMO_MAX) agentsByEmail.clear();
  agentsByEmail.set(email, { agent, until: now + AGENT_MEMO_MS });
  return agent;
}

/**
 * A claim by its exact name (`https://example.com/roles` style names included), else by a
 * dotted path into nested objects (`realm_access.roles`).
 */
export function claimValue(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** `"agent"` or `["offline_access", "admin"]` → the most privileged role named, if any. */
function roleOf(value: unknown): Role | undefined {
  const named = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  return RANKED.find((role) => named.includes(role));
}

function text(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= max ? trimmed : undefined;
}

function withName(user: User, name: string | undefined): User {
  return name === undefined ? user : { ...user, name };
}
