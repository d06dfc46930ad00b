/**
 * WAHA's NOWEB engine without its store (session config `noweb.store.enabled` off) refuses
 * every read of chats, messages, one message and lids with a 400 naming the setting. The
 * gateway tells that refusal apart from other answers: the inbox then lives on what webhooks
 * brought, and says why where they brought nothing.
 * WAHA: src/core/engines/noweb/store/NowebInMemoryStore.ts (errorMessage),
 * src/core/engines/noweb/session.noweb.core.ts (ensureStore).
 */
import type { Failure } from "../contracts/result.ts";

const SETTING = /noweb\.store\.enabled/i;

/** What a browser is told about WAHA's store, after what it could not get. */
export const STORE_OFF =
  "WAHA's NOWEB store is off (session config noweb.store.enabled), so WAHA cannot list chats, history, messages or lids; turn it on (with fullSync) to have them";

/** WAHA's 400 for a read its NOWEB engine cannot make without its store. */
export function isStoreDisabled(failure: Failure): boolean {
  return failure.upstreamStatus === 400 && SETTING.test(failure.message);
}

/** The same, read from WAHA's answer as it came (a status and its body). */
export function isStoreDisabledAnswer(status: number, body: string): boolean {
  return status === 400 && SETTING.test(body);
}

/** Nothing stored to stand in for what WAHA refused: the refusal, said plainly. */
export function storeDisabledFailure(what: string): Failure {
  return {
    status: 409,
    error: "waha-store-disabled",
    message: `${what}: nothing has come by webhook yet, and ${STORE_OFF}`,
  };
}
