/**
 * /admin's chart history kept server-side, so the charts open filled: the Stats object keeps
 * a sample of its counters when the stats are read and on each cron run, at most every
 * WA_STATS_SAMPLE_MS, a day back at most.
 */
import type { Config } from "../config.ts";
import type { StatsSample } from "./stats-sample.ts";

function statsStub(env: Env) {
  return env.STATS.get(env.STATS.idFromName("global"));
}

/** Keeps a sample unless one is recent; never throws (a reading must not fail for it). */
export async function keepStatsSample(env: Env, config: Config, at = Date.now()): Promise<void> {
  try {
    await statsStub(env).keepSample(at, config.WA_STATS_SAMPLE_MS);
  } catch (err) {
    console.error(
      `[monitoring] history sample failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** The samples of the last `minutes`, oldest first. */
export function statsHistory(env: Env, minutes: number, now = Date.now()): Promise<StatsSample[]> {
  return statsStub(env).history(now - minutes * 60_000);
}
