/**
 * The gateway's side of the SessionWatch objects (one per number, named by its id): what one is told (a verified webhook, a send
 * WAHA took, messages a reconcile found unannounced) and what the status routes read (whether
 * the session is SILENT), remembered briefly per isolate so polling browsers cost it nothing.
 */

import { loadConfig } from "../config.ts";
import type { Result } from "../contracts/result.ts";
import type { SilenceState } from "../contracts/watch.ts";
import type { WahaAnswer, WahaRequest } from "./client.ts";

/** Calls that send a message: WAHA's `message.any` (or an ack) should follow each one. */
const ECHOED = new Set(["sendText", "sendImage", "sendFile", "sendVoice"]);
/** How long an isolate answers from the state it last read. */
const MEMO_MS = 2_000;

let memo: { number: string; at: number; until: number; state: SilenceState } | null = null;

function watch(env: Env, number: string) {
  return env.SESSION_WATCH.get(env.SESSION_WATCH.idFromName(number));
}

function logFailure(what: string): (err: unknown) => void {
  return (err) => {
    console.error(
      `[session watch] ${what} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  };
}

/** The state changed (this isolate heard of it): the next read asks the object again. */
export function forgetSilence(): void {
  memo = null;
}

/** A verified webhook for `number` arrived at `at`. Never throws: it runs after the answer. */
export async function webhookHeard(env: Env, number: string, at: number): Promise<void> {
  forgetSilence();
  await watch(env, number).webhook(at).catch(logFailure("a webhook's report"));
}

/**
 * Makes a call to WAHA through `call`; when it sent a message and WAHA took it, the watch
 * expects a webhook to follow. Timed from before the call: the echo may beat the answer.
 */
export async function watchedCall(
  env: Env,
  number: string,
  request: WahaRequest,
  call: () => Promise<Result<WahaAnswer>>,
): Promise<Result<WahaAnswer>> {
  const startedAt = Date.now();
  const answer = await call();
  if (answer.ok && ECHOED.has(request.endpoint)) {
    await watch(env, number).sendTaken(startedAt).catch(logFailure("a send's report"));
  }
  return answer;
}

/** A reconcile stored messages no webhook announced: `newestAt` is the newest one's time (ms). */
export async function reportUnannounced(
  env: Env,
  number: string,
  found: number,
  newestAt: number,
): Promise<void> {
  forgetSilence();
  await watch(env, number).unannounced(found, newestAt).catch(logFailure("a reconcile's report"));
}

/** Whether `number`'s session is SILENT, or null when the watch cannot say (never fails a route). */
export async function silenceOf(env: Env, number: string): Promise<SilenceState | null> {
  const now = Date.now();
  if (memo && memo.number === number && now >= memo.at && now < memo.until) return memo.state;
  try {
    const state = await watch(env, number).state();
    // Never past a waiting send's deadline: the state may change then.
    const loaded = loadConfig(env);
    const deadline =
      state.waitingSince && loaded.ok
        ? Date.parse(state.waitingSince) + loaded.config.WAHA_SILENCE_MS
        : Number.POSITIVE_INFINITY;
    memo = { number, at: now, until: Math.min(now + MEMO_MS, deadline), state };
    return state;
  } catch (err) {
    logFailure("reading the session's silence")(err);
    return null;
  }
}
