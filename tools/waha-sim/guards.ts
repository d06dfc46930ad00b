// Checks WAHA makes before session-scoped work, and its validation answers for bad query values.
import type { SessionStatus } from "./config.ts";
import type { Ctx } from "./context.ts";
import { json, nestError, type Reply } from "./reply.ts";

/** Unknown session → 404; a session that is not WORKING → WAHA's 422 (without its 5 s wait). */
export function requireWorking(ctx: Ctx, session: string): Reply | undefined {
  return requireStatus(ctx, session, "WORKING");
}

/** As requireWorking, for a route that waits for another status (the QR waits for SCAN_QR_CODE). */
// WAHA: src/nestjs/pipes/SessionPipe.ts, src/core/abc/manager.abc.ts (waitUntilStatus)
export function requireStatus(
  ctx: Ctx,
  session: string,
  expected: SessionStatus,
): Reply | undefined {
  const { sim } = ctx;
  if (session !== sim.config.session) {
    return nestError(
      404,
      `We didn't find a session with name '${session}'.\nPlease start it first by using POST /api/sessions/${session}/start request`,
    );
  }
  if (sim.sessionStatus !== expected) {
    return json(422, {
      error: "Session status is not as expected. Try again later or restart the session",
      session,
      status: sim.sessionStatus,
      expected: [expected],
    });
  }
  return undefined;
}

/** class-validator style: a missing value gives the fallback, a bad one an error message. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number | string {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    return `${name} must be a number conforming to the specified constraints`;
  return value;
}

/** WAHA's parseBool: true/1 and false/0, case-insensitive; anything else is refused. */
export function boolParam(
  query: URLSearchParams,
  name: string,
  fallback: boolean,
): boolean | string {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const v = raw.toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0" || v === "") return false;
  return `${name} must be a boolean value`;
}

export function badRequest(messages: string[]): Reply {
  return nestError(400, messages);
}
