/**
 * Realtime events and how they reach browsers: the frames SPEC.md names, who may see
 * each one, and the calls into the RealtimeHub Durable Object.
 */

import type { RealtimeEvent } from "../contracts/api.ts";
import type { Audience, IssuedTicket } from "../contracts/hub.ts";
import type { User } from "../types.ts";

export type { RealtimeEvent } from "../contracts/api.ts";
export type { Audience } from "../contracts/hub.ts";

function hub(env: Env) {
  return env.REALTIME_HUB.get(env.REALTIME_HUB.idFromName("global"));
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
export async function broadcastAll(env: Env, frames: Fanout): Promise<void> {
  if (frames.length === 0) return;
  try {
    await hub(env).broadcastAll(frames);
  } catch (err) {
    const types = frames.map((f) => f.event.type).join(", ");
    console.error(
      `[realtime] broadcast of ${types} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** One event to its audience; never throws (see broadcastAll). */
export function broadcast(env: Env, event: RealtimeEvent, audience: Audience): Promise<void> {
  return broadcastAll(env, [{ event, audience }]);
}

/** A one-use ticket for this user's next socket, or why there is none. */
export function issueTicket(env: Env, user: User, tokenExpiresAt: number): Promise<IssuedTicket> {
  return hub(env).issueTicket({ role: user.role, sub: user.sub, validUntil: tokenExpiresAt });
}

/** Hands a WebSocket upgrade with its ticket to the hub; 401 there if the ticket is no good. */
export function connect(
  env: Env,
  ticket: string,
  maxMessageBytes: number,
  since: number | null,
): Promise<Response> {
  const url = new URL("https://realtime-hub/connect");
  url.searchParams.set("ticket", ticket);
  url.searchParams.set("maxMessageBytes", String(maxMessageBytes));
  if (since !== null) url.searchParams.set("since", String(since));
  return hub(env).fetch(url, { headers: { Upgrade: "websocket" } });
}

/** The newest frame's seq. */
export function currentSeq(env: Env): Promise<number> {
  return hub(env).currentSeq();
}

/** Open WebSocket connections, for the monitoring stats. */
export async function realtimeConnections(env: Env): Promise<number> {
  return (await hub(env).connections()).total;
}
