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
    },
  });
  return {
    AGENTS: Number(values.agents),
    SECONDS: Number(values.seconds),
    DOWN_FROM: Number(values["down-from"]) * 1000,
    DOWN_FOR: Number(values["down-for"]) * 1000,
  };
}

/** How often each agent reads its lists and sends. */
export const READ_EVERY_MS = 3_000;
export const SEND_EVERY_MS = 6_000;

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
