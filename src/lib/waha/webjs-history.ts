/**
 * How WEBJS answers for a chat's history, which is whatever WhatsApp Web has loaded: each
 * call lists the loaded messages plus at most one earlier batch, so a short page is no sign
 * of the chat's start, and when that batch brings nothing at or before
 * `filter.timestamp.lte` WAHA fails with a TypeError (500) that only means "not loaded that
 * far yet": asking again loads the next batch. Only an empty answer is the start.
 * WAHA: src/core/engines/webjs/WebjsClientCore.ts (getMessages), src/nestjs/
 * AllExceptionsFilter.ts (a thrown TypeError becomes a 500 with `exception`).
 */

/** The failure code a browser never sees: the walk back asks again. */
export const NOT_LOADED_YET = "webjs-not-loaded-yet";

/** WEBJS's 500 for a history page whose loaded batch had nothing at or before the time asked. */
export function isNotLoadedYet(status: number, text: string): boolean {
  if (status !== 500) return false;
  try {
    const body: unknown = JSON.parse(text);
    const exception = (body as { exception?: { name?: unknown; message?: unknown } } | null)
      ?.exception;
    return (
      exception?.name === "TypeError" &&
      typeof exception.message === "string" &&
      exception.message.includes("reading 't'")
    );
  } catch {
    return false;
  }
}

/**
 * A message WEBJS listed: whatsapp-web.js's raw model rides along as `_data`, with WhatsApp
 * Web's own `t` (NOWEB's Baileys record and GOWS's whatsmeow record have none).
 * WAHA: src/core/engines/webjs/session.webjs.core.ts (toWAMessage: `_data: rawData`).
 */
export function isWhatsAppWebRecord(raw: unknown): boolean {
  const data = (raw as { _data?: unknown } | null)?._data;
  return typeof (data as { t?: unknown } | null)?.t === "number";
}
