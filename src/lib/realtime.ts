/**
 * Realtime events and how they reach browsers: the frames SPEC.md names, who may see
 * each one, and the calls into the RealtimeHub Durable Object.
 */

import type { RealtimeEvent } from "./contracts/api.ts";
import type { Audience } from "./contracts/hub.ts";
import type { User } from "./types.ts";

export type { RealtimeEvent } from "./contracts/api.ts";
export type { Audience } from "./contracts/hub.ts";

function hub(env: Env) {
  return env.REALTIME_HUB.get(env.REALTIME_HUB.idFromName("global"));
}

/** Staff and the listed owners (null and duplicates dropped). */
export function chatAudience(...owners: Array<string | null | undefined>): Audience {
  return { agents: owners.filter((o): o is string => typeof o === "string") };
}

export const EVERYONE: Audience = { everyone: true };

/**
 * Sends an event to its audience. Never throws: it runs after the response, and a
 * failed broadcast must not fail the request that caused it.
 */
export async function broadcast(env: Env, event: RealtimeEvent, audience: Audience): Promise<void> {
  try {
    await hub(env).broadcast(event, audience);
  } catch (err) {
    console.error(
      `[realtime] broadcast of ${event.type} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export function issueTicket(
  env: Env,
  user: User,
  tokenExpiresAt: number,
): Promise<{ ticket: string; expiresAt: number; seq: number }> {
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
