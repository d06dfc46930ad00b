/**
 * Counters for the monitoring stats. Each isolate adds up deltas in memory and flushes
 * them to the Stats Durable Object in `waitUntil`, at most every FLUSH_MS, so a cache
 * hit never waits on a Durable Object call.
 */
import type { StatsSnapshot } from "../contracts/stats.ts";

const FLUSH_MS = 1_000;
/** Forced flushes (API calls, a stats read) are at least this far apart. */
const FORCED_GAP_MS = 100;

let pending = new Map<string, number>();
let lastFlush = 0;
/**
 * Per object or request (its `ctx`): a promise belongs to the context that made it, and
 * several Durable Objects (each WAHA server's gate, say) share one isolate's counters.
 */
interface Flushes {
  /** Flushes still on their way, so a reader can wait for all of them to land. */
  sending: Set<Promise<void>>;
  /** The one forced flush waiting for those on their way or for its gap: a burst of calls
   * costs a flush per gap, not one each. */
  followUp: Promise<void> | null;
}
const flushes = new WeakMap<object, Flushes>();

function flushesOf(ctx: object): Flushes {
  let own = flushes.get(ctx);
  if (own === undefined) {
    own = { sending: new Set(), followUp: null };
    flushes.set(ctx, own);
  }
  return own;
}

/** Adds `by` to the counter `name` ("media.served", "upstream.calls:session", …). */
export function count(name: string, by = 1): void {
  pending.set(name, (pending.get(name) ?? 0) + by);
}

function statsStub(env: Env) {
  return env.STATS.get(env.STATS.idFromName("global"));
}

/**
 * Takes the isolate's pending deltas; sends them unless the last flush was recent. A forced
 * flush (an API call's counters) goes at once, or, while another is on its way or went less
 * than FORCED_GAP_MS ago, right after it, carrying whatever came meanwhile.
 */
export function flushMetrics(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  force = false,
): Promise<void> {
  const now = Date.now();
  if (pending.size === 0 || (!force && now - lastFlush < FLUSH_MS)) return Promise.resolve();
  const own = flushesOf(ctx);
  if (!force || (own.sending.size === 0 && now - lastFlush >= FORCED_GAP_MS)) return send(env, ctx);
  if (own.followUp) return own.followUp;
  const followUp = (async () => {
    await Promise.all(own.sending);
    const gap = Math.min(lastFlush + FORCED_GAP_MS - Date.now(), FORCED_GAP_MS);
    if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
    own.followUp = null;
    await send(env, ctx);
  })();
  own.followUp = followUp;
  ctx.waitUntil(followUp);
  return followUp;
}

/** Sends the pending deltas now. */
function send(env: Env, ctx: Pick<ExecutionContext, "waitUntil">): Promise<void> {
  if (pending.size === 0) return Promise.resolve();
  const now = Date.now();
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
      flushesOf(ctx).sending.delete(sent);
    });
  flushesOf(ctx).sending.add(sent);
  ctx.waitUntil(sent);
  return sent;
}

/** Every counter, after this isolate's pending deltas have landed. */
export async function readCounters(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<StatsSnapshot> {
  await send(env, ctx);
  await Promise.all(flushesOf(ctx).sending);
  return statsStub(env).snapshot(Date.now());
}
