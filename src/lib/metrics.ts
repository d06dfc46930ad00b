/**
 * Counters for the monitoring stats. Each isolate adds up deltas in memory and flushes
 * them to the Stats Durable Object in `waitUntil`, at most every FLUSH_MS, so a cache
 * hit never waits on a Durable Object call.
 */
import type { StatsSnapshot } from "./contracts/stats.ts";

const FLUSH_MS = 1_000;

let pending = new Map<string, number>();
let lastFlush = 0;
/** Flushes still on their way, so a reader can wait for all of them to land. */
const sending = new Set<Promise<void>>();

/** Adds `by` to the counter `name` ("media.served", "upstream.calls:session", …). */
export function count(name: string, by = 1): void {
  pending.set(name, (pending.get(name) ?? 0) + by);
}

function statsStub(env: Env) {
  return env.STATS.get(env.STATS.idFromName("global"));
}

/** Takes the isolate's pending deltas; sends them unless the last flush was recent. */
export function flushMetrics(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  force = false,
): Promise<void> {
  const now = Date.now();
  if (pending.size === 0 || (!force && now - lastFlush < FLUSH_MS)) return Promise.resolve();
  const batch = Object.fromEntries(pending);
  pending = new Map();
  lastFlush = now;
  const sent = statsStub(env)
    .add(batch, now)
    .catch((err: unknown) => {
      // Put the deltas back so the next flush carries them.
      for (const [name, by] of Object.entries(batch)) count(name, by);
      console.error(`[stats] flush failed: ${err instanceof Error ? err.message : String(err)}`);
    })
    .then(() => {
      sending.delete(sent);
    });
  sending.add(sent);
  ctx.waitUntil(sent);
  return sent;
}

/** Every counter, after this isolate's pending deltas have landed. */
export async function readCounters(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<StatsSnapshot> {
  await flushMetrics(env, ctx, true);
  await Promise.all(sending);
  return statsStub(env).snapshot(Date.now());
}
