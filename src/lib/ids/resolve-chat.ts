/**
 * One person, one chat: an `@lid` id is mapped to the phone-number chat where WAHA can
 * tell (`GET /api/{session}/lids/{lid}`), remembered in D1, and asked again at most daily
 * while WAHA does not know it (or refuses to say: NOWEB without its store answers 400).
 * Without an answer the lid stays a chat of its own.
 * WAHA: src/api/lids.controller.ts (findPNByLid), src/structures/lids.dto.ts.
 */

import { lidPhone, saveLid } from "../store/lids.ts";
import { callWaha } from "../waha/client.ts";
import type { WaNumber } from "../waha/numbers.ts";
import { wahaPaths } from "../waha/wire.ts";
import { canonicalJid, isLidJid } from "./jids.ts";

const UNKNOWN_RECHECK_MS = 24 * 3_600_000;

/**
 * The chat `jid` is filed under. With a `budget`, WAHA is asked only while some is left
 * (each question spends one), and null answers that the lid's mapping is not known yet
 * (not asked, or WAHA did not answer): the caller leaves it for later rather than file
 * it under the lid.
 */
export async function resolveChat(
  env: Env,
  number: WaNumber,
  jid: string,
  now?: number,
): Promise<string>;
export async function resolveChat(
  env: Env,
  number: WaNumber,
  jid: string,
  now: number,
  budget: { left: number },
): Promise<string | null>;
export async function resolveChat(
  env: Env,
  number: WaNumber,
  jid: string,
  now = Date.now(),
  budget?: { left: number },
): Promise<string | null> {
  if (!isLidJid(jid)) return jid;
  const known = await lidPhone(env.DB, number.id, jid);
  if (known?.pn) return canonicalJid(known.pn);
  if (known && now - known.checkedAt < UNKNOWN_RECHECK_MS) return jid;
  if (budget) {
    if (budget.left <= 0) return null;
    budget.left--;
  }
  const answer = await callWaha(env, number, {
    endpoint: "lids",
    method: "GET",
    path: wahaPaths.lid(number.session, jid),
  });
  if (!answer.ok) {
    if (answer.failure.upstreamStatus === undefined) return budget ? null : jid;
    // WAHA refused the question (its NOWEB store off, say): remembered as a lid it does not
    // know, so it is asked again daily rather than on every event.
    await saveLid(env.DB, number.id, jid, null, now);
    return jid;
  }
  const pn = (answer.value.body as { pn?: unknown } | null)?.pn;
  const phone = typeof pn === "string" && pn.includes("@") ? canonicalJid(pn) : null;
  await saveLid(env.DB, number.id, jid, phone, now);
  return phone ?? jid;
}
