// WAHA's session and observability endpoints: session info, server version and status, ping, health.
import type { Ctx } from "./context.ts";
import { json, nestError, type Reply } from "./reply.ts";
import { environment, healthReport, serverStatus, sessionInfo } from "./shapes.ts";

export function getSession(ctx: Ctx, name: string): Reply {
  const { sim } = ctx;
  if (name !== sim.config.session) return nestError(404, "Session not found");
  return json(200, sessionInfo(name, sim.sessionStatus, sim.config.webhookUrl));
}

export function getVersion(ctx: Ctx): Reply {
  return json(200, environment(ctx.sim.config.tier));
}

export function getServerStatus(ctx: Ctx): Reply {
  return json(200, serverStatus(ctx.sim.startedAt, Date.now()));
}

export function ping(): Reply {
  return json(200, { message: "pong" });
}

/** Core answers the Plus-only feature error; Plus runs its health checks. */
export function health(ctx: Ctx): Reply {
  if (ctx.sim.config.tier !== "PLUS") {
    return nestError(
      422,
      "The feature is available only in Plus version. Check this out: https://waha.devlike.pro/",
    );
  }
  return json(200, healthReport());
}
