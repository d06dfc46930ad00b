/**
 * The WAHA resources wa-edge caches, and how each one is loaded: which WAHA calls it
 * takes and the shape it is kept in. Loaders run inside the resource's WahaResource
 * object; they see WAHA only through a `Fetch` (the upstream gate).
 */

import type { Config } from "../config.ts";
import type { ResourceSpec } from "../contracts/resources.ts";
import type { Failure, Result } from "../contracts/result.ts";
import { canonicalJid, isInboxJid } from "../ids/jids.ts";
import { lastPreview } from "../store/preview.ts";
import type { WahaAnswer, WahaRequest } from "./client.ts";
import { loadHistory } from "./history.ts";
import {
  chatSchema,
  pingSchema,
  sessionSchema,
  versionSchema,
  type WahaChat,
  wahaPaths,
} from "./wire.ts";

export type { ResourceSpec } from "../contracts/resources.ts";

export interface SessionValue {
  name: string;
  status: string;
  me: { id: string; pushName?: string | null } | null;
}

export interface StatusValue {
  /** The session's status, repeated at the top for pollers. */
  status: string;
  session: SessionValue;
  server: { version: string; engine: string; tier: string };
}

export interface HealthValue {
  ok: boolean;
  /** "health": WAHA Plus's own check; "ping": WAHA Core, which has no /health. */
  source: "health" | "ping";
  details: unknown;
  note?: string;
}

export type Fetch = (request: WahaRequest) => Promise<Result<WahaAnswer>>;

type LoadResult = Result<unknown>;
type Failed = { ok: false; failure: Failure };

export interface LoadContext {
  session: string;
  fetch: Fetch;
  /** The value this resource held before, if any, and when it was fetched. */
  previous: { value: unknown; fetchedAt: number } | undefined;
  /** Message id → its time (seconds), as last seen: pages back from `beforeId` start there. */
  seen: Map<string, number>;
  now: number;
}

/** How long an answer of this kind stays fresh. */
export function resourceTtl(kind: ResourceSpec["kind"], config: Config): number {
  switch (kind) {
    case "status":
      return config.WAHA_STATUS_CACHE_DURATION;
    case "session":
      return config.WAHA_SESSION_CACHE_DURATION;
    case "health":
      return config.WAHA_HEALTH_CACHE_DURATION;
    case "chats":
      return config.WA_CHATS_TTL_MS;
    case "messages":
      return config.WA_MESSAGES_TTL_MS;
  }
}

/** Where a number's resource lives: its object (one per name) and its key within that object. */
export function resourceAddress(
  number: string,
  spec: ResourceSpec,
): { object: string; variant: string } {
  if (spec.kind === "messages") {
    return {
      object: `${number}\nmessages\n${spec.jid}`,
      variant: `limit=${spec.limit}&before=${spec.beforeId ?? ""}${spec.findStart ? "&start" : ""}`,
    };
  }
  return { object: `${number}\n${spec.kind}`, variant: "" };
}

/** The object holding a number's chat's message lists, for invalidation. */
export function messagesObject(number: string, jid: string): string {
  return `${number}\nmessages\n${jid}`;
}

export function loadResource(spec: ResourceSpec, ctx: LoadContext): Promise<Result<unknown>> {
  switch (spec.kind) {
    case "status":
      return loadStatus(ctx);
    case "session":
      return loadSession(ctx);
    case "health":
      return loadHealth(ctx);
    case "chats":
      return loadChats(ctx);
    case "messages":
      return loadHistory(spec, ctx);
  }
}

/** A GET's JSON body. */
async function get(ctx: LoadContext, request: Omit<WahaRequest, "method">): Promise<LoadResult> {
  const result = await ctx.fetch({ ...request, method: "GET" });
  return result.ok ? { ok: true, value: result.value.body } : result;
}

function invalid(what: string, detail: string): Failed {
  return {
    ok: false,
    failure: {
      status: 502,
      error: "upstream-invalid",
      message: `WAHA's ${what} answer is not as expected: ${detail}`,
    },
  };
}

function parseSession(body: unknown): SessionValue | string {
  const parsed = sessionSchema.safeParse(body);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? "invalid";
  const { name, status, me } = parsed.data;
  return {
    name,
    status,
    me: me ? { id: me.id, pushName: me.pushName ?? null } : null,
  };
}

/**
 * WAHA has no session by this name: Plus answers 404; Core, which runs only `default`,
 * answers 422 "WAHA Core support only 'default' session" (seen on WAHA 2026.2.1). Said as
 * such, not as a refusal like a wrong key's.
 * WAHA: src/core/manager.core.ts (onlyDefault), src/core/abc/manager.abc.ts (getSession).
 */
function sessionNotFound(ctx: LoadContext, result: LoadResult): LoadResult {
  if (result.ok) return result;
  const { upstreamStatus, message } = result.failure;
  const missing =
    upstreamStatus === 404 || (upstreamStatus === 422 && /only 'default' session/i.test(message));
  if (!missing) return result;
  return {
    ok: false,
    failure: {
      status: 404,
      error: "session-not-found",
      message: `WAHA has no session "${ctx.session}" (check the number's session; WAHA Core runs only "default")`,
      upstreamStatus,
    },
  };
}

async function loadSession(ctx: LoadContext): Promise<LoadResult> {
  const got = sessionNotFound(
    ctx,
    await get(ctx, { endpoint: "session", path: wahaPaths.session(ctx.session) }),
  );
  if (!got.ok) return got;
  const session = parseSession(got.value);
  return typeof session === "string" ? invalid("session", session) : { ok: true, value: session };
}

async function loadStatus(ctx: LoadContext): Promise<LoadResult> {
  // One after the other: after the circuit's cool-off only one probe goes to WAHA, and
  // the second call must find the circuit closed again, not answer 503.
  const session = sessionNotFound(
    ctx,
    await get(ctx, { endpoint: "session", path: wahaPaths.session(ctx.session) }),
  );
  if (!session.ok) return session;
  const version = await get(ctx, { endpoint: "server-version", path: wahaPaths.version() });
  if (!version.ok) return version;
  const parsedSession = parseSession(session.value);
  if (typeof parsedSession === "string") return invalid("session", parsedSession);
  const server = versionSchema.safeParse(version.value);
  if (!server.success)
    return invalid("server version", server.error.issues[0]?.message ?? "invalid");
  const { version: v, engine, tier } = server.data;
  const value: StatusValue = {
    status: parsedSession.status,
    session: parsedSession,
    server: { version: v, engine, tier },
  };
  return { ok: true, value };
}

/** After WAHA said it has no /health, /ping stands in for this long before /health is tried again. */
const HEALTH_RECHECK_MS = 3_600_000;

async function loadHealth(ctx: LoadContext): Promise<LoadResult> {
  const before = ctx.previous?.value as HealthValue | undefined;
  const knownCore =
    before?.source === "ping" &&
    ctx.previous !== undefined &&
    ctx.now - ctx.previous.fetchedAt < HEALTH_RECHECK_MS;
  if (!knownCore) {
    const result = await get(ctx, { endpoint: "health", path: wahaPaths.health() });
    if (result.ok) {
      const status = (result.value as { status?: unknown } | null)?.status;
      const value: HealthValue = { ok: status === "ok", source: "health", details: result.value };
      return { ok: true, value };
    }
    // WAHA Core answers /health with an error (422); a key problem (401/403) is no reason to try /ping.
    const upstream = result.failure.upstreamStatus;
    const core = upstream !== undefined && upstream !== 401 && upstream !== 403;
    if (!core) return result;
  }
  const got = await get(ctx, { endpoint: "ping", path: wahaPaths.ping() });
  if (!got.ok) return got;
  const pong = pingSchema.safeParse(got.value);
  const value: HealthValue = {
    ok: pong.success,
    source: "ping",
    details: got.value,
    note: "WAHA Core has no /health; this answer comes from /ping",
  };
  return { ok: true, value };
}

/** A chat as WAHA lists it, in the store's terms; null where the engine does not say. */
export interface ListedChat {
  jid: string;
  name: string | null;
  isGroup: boolean;
  unreadCount: number | null;
  /** ms */
  lastMessageAt: number | null;
  preview: string | null;
}

function toListedChat(chat: WahaChat): ListedChat {
  const jid = canonicalJid(chat.id);
  const last = chat.lastMessage;
  const seconds = last?.timestamp ?? chat.timestamp ?? chat.conversationTimestamp ?? 0;
  return {
    jid,
    name: chat.name?.trim() || null,
    isGroup: chat.isGroup ?? jid.endsWith("@g.us"),
    unreadCount: typeof chat.unreadCount === "number" ? Math.max(0, chat.unreadCount) : null,
    lastMessageAt: seconds > 0 ? seconds * 1000 : null,
    preview: lastPreview(last),
  };
}

/** The gateway lists this many chats, newest first. */
const CHATS_LIMIT = 200;

async function loadChats(ctx: LoadContext): Promise<LoadResult> {
  const got = await get(ctx, {
    endpoint: "chats",
    path: wahaPaths.chats(ctx.session, CHATS_LIMIT),
  });
  if (!got.ok) return got;
  if (!Array.isArray(got.value)) return invalid("chats", "not an array");
  const chats: ListedChat[] = [];
  for (const raw of got.value) {
    const parsed = chatSchema.safeParse(raw);
    // One odd chat must not hide the others; channels and status broadcasts are no inbox.
    if (!parsed.success) continue;
    const chat = toListedChat(parsed.data);
    if (isInboxJid(chat.jid)) chats.push(chat);
  }
  return { ok: true, value: chats };
}
