/**
 * Realtime events and how they reach browsers: the frames SPEC.md names, who may see
 * each one, and the calls into the RealtimeHub Durable Objects, one per WhatsApp number
 * (seq and replay are per number). Every frame carries its `number`.
 */

import type { RealtimeEvent } from "../contracts/api.ts";
import {
  type Audience,
  HOLDER_HEADER,
  type IssuedTicket,
  type TicketHolder,
} from "../contracts/hub.ts";
import type { User } from "../types.ts";
import { DEFAULT_NUMBER } from "../waha/numbers.ts";

export type { RealtimeEvent } from "../contracts/api.ts";
export type { Audience } from "../contracts/hub.ts";

/**
 * The hub of a number. The number `default` keeps the name of the one hub there was before
 * there were numbers, so its replay log survives the upgrade.
 */
export function hubName(number: string): string {
  return number === DEFAULT_NUMBER ? "global" : `number:${number}`;
}

function hub(env: Env, number: string) {
  return env.REALTIME_HUB.get(env.REALTIME_HUB.idFromName(hubName(number)));
}

/** Staff and the listed owners (null and duplicates dropped). */
export function chatAudience(...owners: Array<string | null | undefined>): Audience {
  return { agents: owners.filter((o): o is string => typeof o === "string") };
}

export const EVERYONE: Audience = { everyone: true };

/** Events with who may see each, sent to the hub together and stamped in this order. */
export type Fanout = Array<{ event: RealtimeEvent; audience: Audience }>;

/**
 * Sends events to their audiences in one call to the hub. Never throws: it runs after the
 * response, and a failed broadcast must not fail the request that caused it.
 */
export async function broadcastAll(env: Env, number: string, frames: Fanout): Promise<void> {
  if (frames.length === 0) return;
  try {
    await hub(env, number).broadcastAll(
      frames.map(({ event, audience }) => ({ event: { ...event, number }, audience })),
    );
  } catch (err) {
    const types = frames.map((f) => f.event.type).join(", ");
    console.error(
      `[realtime] broadcast of ${types} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** One event to its audience; never throws (see broadcastAll). */
export function broadcast(
  env: Env,
  number: string,
  event: RealtimeEvent,
  audience: Audience,
): Promise<void> {
  return broadcastAll(env, number, [{ event, audience }]);
}

/** A one-use ticket for this user's next socket on a number's hub, or why there is none. */
export function issueTicket(
  env: Env,
  number: string,
  user: User,
  tokenExpiresAt: number,
): Promise<IssuedTicket> {
  return hub(env, number).issueTicket({
    role: user.role,
    sub: user.sub,
    validUntil: tokenExpiresAt,
  });
}

/**
 * Who may connect: a one-use ticket the hub redeems, or a user the Worker has just signed
 * in on the upgrade itself.
 */
export type Admission = { ticket: string } | { holder: TicketHolder };

/** Hands a WebSocket upgrade to the hub; 401 there if the ticket is no good. */
export function connect(
  env: Env,
  number: string,
  admission: Admission,
  maxMessageBytes: number,
  since: number | null,
): Promise<Response> {
  const url = new URL("https://realtime-hub/connect");
  const headers = new Headers({ Upgrade: "websocket" });
  if ("ticket" in admission) url.searchParams.set("ticket", admission.ticket);
  else headers.set(HOLDER_HEADER, JSON.stringify(admission.holder));
  url.searchParams.set("maxMessageBytes", String(maxMessageBytes));
  url.searchParams.set("number", number);
  if (since !== null) url.searchParams.set("since", String(since));
  return hub(env, number).fetch(url, { headers });
}

/** Closed by the gateway: the user may no longer use this number (its agent row changed). */
export const NUMBER_WITHDRAWN_CLOSE = 4003;

/**
 * Ends an agent's sockets on the numbers it no longer works, so that it hears no more of
 * them (a reconnect is refused 403, as any request for those numbers).
 */
export async function closeWithdrawn(env: Env, numbers: string[], agent: string): Promise<void> {
  await Promise.all(
    numbers.map((number) =>
      hub(env, number).closeAgentSockets(
        agent,
        NUMBER_WITHDRAWN_CLOSE,
        `number ${number} is no longer one of your numbers`,
      ),
    ),
  );
}

/** The newest frame's seq on a number's hub. */
export function currentSeq(env: Env, number: string): Promise<number> {
  return hub(env, number).currentSeq();
}

/** Open WebSocket connections on these numbers' hubs, for the monitoring stats. */
export async function realtimeConnections(env: Env, numbers: string[]): Promise<number> {
  const counts = await Promise.all(
    numbers.map(async (n) => (await hub(env, n).connections()).total),
  );
  return counts.reduce((a, b) => a + b, 0);
}
