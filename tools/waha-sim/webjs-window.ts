// What WEBJS can list of a chat: only the messages WhatsApp Web has loaded, plus at most one
// earlier batch per call, and a TypeError (500) when a batch came and nothing in it matched.
// WAHA: src/core/engines/webjs/WebjsClientCore.ts (getMessages: the loadEarlierMsgs loop),
// src/nestjs/AllExceptionsFilter.ts (a non-HTTP error is a 500 with the exception)
import { type MessageFilter, matches, selectMessages } from "./message-query.ts";
import type { SimChat, SimMessage } from "./model.ts";

export type WindowAnswer = { ok: true; messages: SimMessage[] } | { ok: false; error: TypeError };

/**
 * WAHA's loop: while fewer than `offset + limit` loaded messages match, load one earlier
 * batch; stop after it unless `gte` is set and the earliest match is still within it. The
 * earliest match is read without a check, so a batch that brings nothing matching (a `lte`
 * older than all that is loaded) throws. Each batch stays loaded for the next call.
 */
export function webjsWindow(
  chat: SimChat,
  listed: SimMessage[],
  filter: MessageFilter,
  offset: number,
  limit: number,
  batch: number,
): WindowAnswer {
  // Opening the chat loads its newest batch.
  let loaded = Math.min(chat.loaded ?? batch, listed.length);
  let picked = listed.slice(listed.length - loaded).filter((m) => matches(m, filter));
  const wanted = limit === 0 ? Number.POSITIVE_INFINITY : offset + limit;
  while (picked.length < wanted) {
    const earlier = listed.slice(
      Math.max(0, listed.length - loaded - batch),
      listed.length - loaded,
    );
    if (earlier.length === 0) break;
    loaded += earlier.length;
    picked = [...earlier.filter((m) => matches(m, filter)), ...picked];
    const earliest = picked.reduce<SimMessage | undefined>(
      (min, m) => (min === undefined || m.timestamp < min.timestamp ? m : min),
      undefined,
    );
    if (earliest === undefined) {
      chat.loaded = loaded;
      return {
        ok: false,
        error: new TypeError("Cannot read properties of undefined (reading 't')"),
      };
    }
    if (earliest.timestamp < (filter.gte ?? Number.POSITIVE_INFINITY)) break;
  }
  chat.loaded = loaded;
  // Newest first; same-second messages in the order they were loaded (a stable sort).
  return { ok: true, messages: selectMessages(picked, {}, false, offset, limit) };
}
