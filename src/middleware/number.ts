/**
 * The WhatsApp number a chat-scoped request is for: `number` from the query string, the
 * JSON body, or (send-media) a multipart field. Absent: the only number when there is
 * one, else 400 naming `number`; an unknown id is 400 too; a number the user may not use
 * (the access rule, auth/access.ts) is 403. Routes read it as `c.var.number`.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { agentNumbers } from "../lib/agents-db.ts";
import { mayUseNumber, usableNumbers, type Viewer } from "../lib/auth/access.ts";
import { numbersLately, rememberNumbers } from "../lib/auth/access-grants.ts";
import { apiError } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";
import { numberById, numbersOf, type WaNumber } from "../lib/waha/numbers.ts";

/**
 * The signed-in user with the numbers it works (agents: read from D1 once per request, or
 * taken from this isolate's memory when `rememberMs` allows: access-grants.ts).
 */
export async function viewerOf(c: Context<AppEnv>, rememberMs = 0): Promise<Viewer> {
  const { user } = c.var;
  if (user.role !== "agent" || user.numbers !== undefined) return user;
  const kept = rememberMs > 0 ? numbersLately(user.sub) : undefined;
  const numbers = kept !== undefined ? kept : await agentNumbers(c.env.DB, user.sub);
  if (rememberMs > 0 && kept === undefined) rememberNumbers(user.sub, numbers, rememberMs);
  const viewer = { ...user, numbers };
  c.set("user", viewer);
  return viewer;
}

/** Every number this user may use, in the configured order. */
export async function viewerNumbers(c: Context<AppEnv>): Promise<WaNumber[]> {
  const viewer = await viewerOf(c);
  const all = numbersOf(c.var.config);
  const usable = new Set(
    usableNumbers(
      viewer,
      all.map((n) => n.id),
    ),
  );
  return all.filter((n) => usable.has(n.id));
}

/** The number `raw` names (or the only one); 400 naming `number` when there is none. */
function namedNumber(c: Context<AppEnv>, raw: unknown): WaNumber {
  const all = numbersOf(c.var.config);
  if (raw === undefined || raw === null || raw === "") {
    const only = all.length === 1 ? all[0] : undefined;
    if (only === undefined) {
      throw apiError(
        400,
        "invalid-request",
        `number: is required (this gateway serves ${all.map((n) => n.id).join(", ")})`,
      );
    }
    return only;
  }
  if (typeof raw !== "string")
    throw apiError(400, "invalid-request", "number: must be a number's id");
  const number = numberById(c.var.config, raw);
  if (number === undefined) {
    throw apiError(400, "invalid-request", `number: no number ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return number;
}

/**
 * The number `raw` names (or the only one), checked against the user; sets `c.var.number`.
 * `rememberMs`: how long the agent's numbers may be taken from memory (viewerOf).
 */
export async function resolveNumber(
  c: Context<AppEnv>,
  raw: unknown,
  rememberMs = 0,
): Promise<WaNumber> {
  const number = namedNumber(c, raw);
  if (!mayUseNumber(await viewerOf(c, rememberMs), number.id)) {
    throw apiError(403, "forbidden", `number: ${number.id} is not one of your numbers`);
  }
  c.set("number", number);
  return number;
}

/**
 * The number a GET names, not yet checked against the user: for a caller that holds a
 * remembered grant for it (a grant is only remembered once the number was allowed), so
 * that a repeat read does not wait on D1 for the agent's numbers. The caller sets
 * `c.var.number` only once the grant is found.
 */
export function queryNumberUnchecked(c: Context<AppEnv>): WaNumber {
  return namedNumber(c, c.req.query("number"));
}

/** `number` from a JSON body, read from a copy so the route still reads the body. */
async function bodyNumber(req: Request): Promise<unknown> {
  // A body the route read already cannot be read again: such a route resolves the number
  // before it reads (requireNumber).
  if (req.method === "GET" || req.method === "HEAD" || req.bodyUsed) return undefined;
  if (!(req.headers.get("Content-Type") ?? "").includes("application/json")) return undefined;
  try {
    const body: unknown = await req.clone().json();
    return typeof body === "object" && body !== null
      ? (body as { number?: unknown }).number
      : undefined;
  } catch {
    return undefined;
  }
}

/** The request's number, resolved once (query first, then the JSON body). */
export async function requestNumber(c: Context<AppEnv>): Promise<WaNumber> {
  const known = c.get("number") as WaNumber | undefined;
  if (known !== undefined) return known;
  return resolveNumber(c, c.req.query("number") ?? (await bodyNumber(c.req.raw)));
}

/** After requireAuth: resolves the request's number before the route runs. */
export function requireNumber() {
  return createMiddleware<AppEnv>(async function requireNumber(c, next) {
    await requestNumber(c);
    await next();
  });
}
