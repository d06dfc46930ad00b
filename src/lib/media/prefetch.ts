/**
 * Media fetched ahead: WAHA deletes a file WHATSAPP_FILES_LIFETIME seconds after saving
 * it and downloads it from WhatsApp again when asked later. Media a webhook announced is
 * therefore fetched into this data centre's cache while WAHA still holds it, up to the
 * item cap, in the background: it takes a download slot only while another stays free
 * for a browser, and gives up when the gate is busy. Nothing is retried.
 */

import { count } from "../monitoring/metrics.ts";
import { mediaCacheKey, mediaEtag, mediaHeaders, mediaKeyStub, storeMedia } from "./cache.ts";

export async function prefetchMedia(
  env: Env,
  where: { colo: string; origin: string },
  number: string,
  jid: string,
  id: string,
  maxBytes: number,
): Promise<void> {
  const key = mediaCacheKey(where.origin, number, jid, id);
  try {
    if (await caches.default.match(key)) return;
    const outcome = await mediaKeyStub(env, number, jid, id).serve({
      number,
      jid,
      id,
      prefetch: true,
    });
    if (outcome.kind !== "bytes" || outcome.shared) {
      count(
        outcome.kind === "error" && outcome.status === 429
          ? "media.prefetchSkipped"
          : "media.prefetchFailed",
      );
      return;
    }
    const headers = mediaHeaders(outcome.meta, await mediaEtag(number, jid, id), "MISS");
    await storeMedia(env, where.colo, key, outcome.body, headers, maxBytes);
    count("media.prefetched");
  } catch (err) {
    console.error(
      `[wa media] prefetch key=${jid}/${id} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
