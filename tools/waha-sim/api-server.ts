// WAHA's session and observability endpoints: session info, update and restart, server version,
// environment and status, ping, health.
import type { SessionStatus } from "./config.ts";
import type { Ctx } from "./context.ts";
import { json, nestError, plusOnly, type Reply } from "./reply.ts";
import { parseSessionUpdate } from "./session-config.ts";
import { environment, healthReport, serverStatus, sessionInfo } from "./shapes.ts";
import type { SimState } from "./state.ts";

export function getSession(ctx: Ctx, name: string): Reply {
  const { sim } = ctx;
  if (name !== sim.config.session) return nestError(404, "Session not found");
  return json(200, info(sim));
}

function info(sim: SimState) {
  return sessionInfo(
    sim.config.session,
    sim.sessionStatus,
    sim.sessionConfig,
    sim.engine,
    sim.lastActivityMs,
  );
}

/**
 * The session stops and starts again: STARTING now, and once the answer is out the status it
 * had (a paired session is WORKING again), each with its session.status webhook.
 */
// WAHA: src/core/abc/manager.abc.ts (restart: stop, then start), src/core/abc/session.abc.ts
function stopAndStart(ctx: Ctx, after: SessionStatus): void {
  const { sim } = ctx;
  const starting = sim.setSessionStatus("STARTING");
  // WAHA's webhooks leave from its event stream, never holding up the API's answer.
  if (starting) void sim.emit("session.status", starting);
  ctx.afterAnswer(() => {
    const back = sim.setSessionStatus(after);
    if (back) void sim.emit("session.status", back);
  });
}

/** Where a running session comes back to once started again. */
function statusAfterStart(status: SessionStatus): SessionStatus {
  return status === "SCAN_QR_CODE" ? "SCAN_QR_CODE" : "WORKING";
}

/**
 * PUT /api/sessions/{session} {config}: the whole config is replaced (fields WAHA does not know
 * are dropped, a bad one is a 400 naming it), and a running session is restarted with it.
 */
// WAHA: src/api/sessions.controller.ts (update: stop, upsert, start if it was running)
export async function updateSession(ctx: Ctx, name: string): Promise<Reply> {
  const { sim } = ctx;
  let body: unknown;
  try {
    body = await ctx.readBody();
  } catch {
    return nestError(400, "Bad Request");
  }
  if (name !== sim.config.session) return nestError(404, "Session not found");
  const parsed = parseSessionUpdate(body);
  if (!parsed.ok) return nestError(400, parsed.errors);
  sim.sessionConfig = parsed.config;
  const was = sim.sessionStatus;
  if (was !== "STOPPED") stopAndStart(ctx, statusAfterStart(was));
  return json(200, info(sim));
}

/** POST /api/sessions/{session}/restart: answers the session, STARTING, then back to work. */
// WAHA: src/api/sessions.controller.ts (restart), src/core/abc/manager.abc.ts (restart)
export function restartSession(ctx: Ctx, name: string): Reply {
  const { sim } = ctx;
  if (name !== sim.config.session) return nestError(404, "Session not found");
  stopAndStart(ctx, statusAfterStart(sim.sessionStatus));
  return json(201, info(sim));
}

/**
 * GET /api/server/environment: WAHA's own WAHA_* and WHATSAPP_* variables, sorted by name (the
 * API key among them, as WAHA shows it; a client must keep it to itself).
 */
// WAHA: src/api/server.controller.ts (environment), src/core/media/local/MediaLocalStorageConfig.ts
export function getEnvironment(ctx: Ctx): Reply {
  const { config, engine } = ctx.sim;
  const vars: Record<string, string> = {
    WAHA_API_KEY: config.apiKey,
    WHATSAPP_DEFAULT_ENGINE: engine.name,
    WHATSAPP_FILES_LIFETIME: String(config.filesLifetimeSec),
    ...config.environment,
  };
  const sorted = Object.keys(vars)
    .sort()
    .map((key) => [key, vars[key]]);
  return json(200, Object.fromEntries(sorted));
}

export function getVersion(ctx: Ctx): Reply {
  return json(200, environment(ctx.sim.config.tier, ctx.sim.engine));
}

export function getServerStatus(ctx: Ctx): Reply {
  return json(200, serverStatus(ctx.sim.startedAt, Date.now()));
}

export function ping(): Reply {
  return json(200, { message: "pong" });
}

/** Core answers the Plus-only feature error; Plus runs its health checks. */
// WAHA: src/core/health/WAHAHealthCheckServiceCore.ts
export function health(ctx: Ctx): Reply {
  if (ctx.sim.config.tier !== "PLUS") return plusOnly(ctx.sim.engine.name);
  return json(200, healthReport());
}
