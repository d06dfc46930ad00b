/**
 * What the outage benchmarks share: their options (agents, duration, when WAHA goes down and
 * for how long), their pace, and the chat each agent works.
 */
import { parseArgs } from "node:util";

export function outageOptions() {
  const { values } = parseArgs({
    options: {
      agents: { type: "string", default: "50" },
      seconds: { type: "string", default: "180" },
      "down-from": { type: "string", default: "60" },
      "down-for": { type: "string", default: "60" },
      /** The same run with WAHA never down: what the load alone does. */
      "no-fault": { type: "boolean", default: false },
    },
  });
  return {
    AGENTS: Number(values.agents),
    SECONDS: Number(values.seconds),
    DOWN_FROM: Number(values["down-from"]) * 1000,
    DOWN_FOR: Number(values["down-for"]) * 1000,
    FAULT: !values["no-fault"],
  };
}

/** How often each agent reads its lists and sends. */
export const READ_EVERY_MS = 3_000;
export const SEND_EVERY_MS = 6_000;

/** An inbox's reads: how many were answered 200, how many not, and how long each took. */
export interface ReadTally {
  ok: number;
  failed: number;
  ms: number[];
}

export const readTally = (): ReadTally => ({ ok: 0, failed: 0, ms: [] });

/** One GET as an agent's inbox makes it, timed and counted in `tally`. */
export async function timedRead(
  url: string,
  headers: Record<string, string>,
  tally: ReadTally,
): Promise<void> {
  const t0 = performance.now();
  const res = await fetch(url, { headers }).catch(() => null);
  await res?.arrayBuffer();
  tally.ms.push(performance.now() - t0);
  if (res?.status === 200) tally.ok++;
  else tally.failed++;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The chat agent `i` works. */
export const jidOf = (i: number) => `1555300${String(i).padStart(4, "0")}@c.us`;

/** Waits (up to a minute) until the outbox (`query`: a number's) has nothing waiting. */
export async function drained(base: string, token: string, query = ""): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const res = await fetch(`${base}/api/wa/outbox${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (((await res.json()) as unknown[]).length === 0) return;
    await sleep(500);
  }
}
