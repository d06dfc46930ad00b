// WAHA's session and observability endpoints: session info, server version and status, ping, health.
import type { Ctx } from "./context.ts";
import { json, nestError, plusOnly, type Reply } from "./reply.ts";
import { environment, healthReport, serverStatus, sessionInfo } from "./shapes.ts";

export function getSession(ctx: Ctx, name: string): Reply {
  const { sim } = ctx;
  if (name !== sim.config.session) return nestError(404, "Session not found");
  return json(
    200,
    sessionInfo(name, sim.sessionStatus, sim.config, sim.engine, sim.lastActivityMs),
  );
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
