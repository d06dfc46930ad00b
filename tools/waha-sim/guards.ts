// Checks WAHA makes before session-scoped work, and its validation answers for bad query values.

import { setTimeout as sleep } from "node:timers/promises";
import type { SessionStatus } from "./config.ts";
import type { Ctx } from "./context.ts";
import { json, nestError, type Reply } from "./reply.ts";

/** Unknown session → 404; a session that is not WORKING → WAHA's 422, after WAHA's wait. */
export function requireWorking(ctx: Ctx, session: string): Promise<Reply | undefined> {
  return requireStatus(ctx, session, "WORKING");
}

/** WAHA looks at the session every half second while it waits (WAIT_STATUS_INTERVAL). */
const WAIT_INTERVAL_MS = 500;

/**
 * As requireWorking, for a route that waits for another status (the QR waits for
 * SCAN_QR_CODE). WAHA holds the call until the session is in the status it needs, up to
 * 10 s (a session that is not running at all, STOPPED: 5 s), and takes it if the status
 * comes meanwhile; the simulator waits `sessionWaitMs` (WAHA's 10 s by default; half for
 * STOPPED), so a send while the session restarts meets what it meets at a real WAHA.
 */
// WAHA: src/nestjs/pipes/SessionPipe.ts, src/core/abc/manager.abc.ts (waitUntilStatus:
// WAIT_SESSION_RUNNING_TIMEOUT 5 s, WAIT_STATUS_TIMEOUT 10 s, both polled every 500 ms)
export async function requireStatus(
  ctx: Ctx,
  session: string,
  expected: SessionStatus,
): Promise<Reply | undefined> {
  const { sim } = ctx;
  if (session !== sim.config.session) {
    return nestError(
      404,
      `We didn't find a session with name '${session}'.\nPlease start it first by using POST /api/sessions/${session}/start request`,
    );
  }
  const wait =
    sim.sessionStatus === "STOPPED" ? sim.config.sessionWaitMs / 2 : sim.config.sessionWaitMs;
  const until = Date.now() + wait;
  while (sim.sessionStatus !== expected && Date.now() < until) {
    await sleep(Math.min(WAIT_INTERVAL_MS, until - Date.now()));
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

/**
 * NOWEB without its store keeps chats, messages and lids nowhere it can list them: those reads
 * are refused with a 400 that says how to turn the store on.
 */
// WAHA: src/core/engines/noweb/store/NowebInMemoryStore.ts (errorMessage, BadRequestException)
export function storeRefusal(ctx: Ctx): Reply | undefined {
  const { sim } = ctx;
  if (sim.engine.name !== "NOWEB" || sim.nowebStore()) return undefined;
  return nestError(
    400,
    'Enable NOWEB store "config.noweb.store.enabled=True" and "config.noweb.store.full_sync=True" when starting a new session. Read more: https://waha.devlike.pro/docs/engines/noweb#store',
  );
}

export function badRequest(messages: string[]): Reply {
  return nestError(400, messages);
}
