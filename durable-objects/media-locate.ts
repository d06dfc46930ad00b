/**
 * Where a message's media is: WAHA's message lookup gives its file URL (WAHA saves the file
 * again if it expired), or says why there is none.
 */
import { chatOfMessage, parseMessageId } from "../src/lib/ids/jids.ts";
import { resolveChat } from "../src/lib/ids/resolve-chat.ts";
import { type WahaTarget, wahaFetch } from "../src/lib/waha/client.ts";
import { isStoreDisabledAnswer, STORE_OFF } from "../src/lib/waha/noweb-store.ts";
import { mediaFetchUrl, messageSchema, wahaPaths } from "../src/lib/waha/wire.ts";
import type { Fetched, Job } from "./media-key.ts";

/** The message's file URL on WAHA's origin (WAHA saves the file again if it expired). */
export async function locate(
  env: Env,
  job: Job,
  signal: AbortSignal,
): Promise<
  | {
      kind: "located";
      target: WahaTarget;
      url: string;
      mimetype: string | null;
      filename: string | null;
    }
  | Exclude<Fetched, { kind: "file" }>
> {
  const target = { url: job.wa.url, apiKey: job.wa.apiKey };
  // WAHA files a message under the chat its id names (a lid, say, that the gateway maps).
  const wahaChat = parseMessageId(job.id)?.chat ?? job.jid;
  const msgRes = await wahaFetch(target, wahaPaths.message(job.wa.session, wahaChat, job.id), {
    signal,
  });
  if (msgRes.status === 400) {
    // NOWEB without its store refuses every lookup: the file cannot be fetched again.
    return isStoreDisabledAnswer(400, await msgRes.text())
      ? { kind: "not-found", message: `WAHA cannot look this message up again: ${STORE_OFF}` }
      : { kind: "upstream", message: "message lookup answered 400" };
  }
  if (!msgRes.ok) {
    await msgRes.body?.cancel();
    return msgRes.status === 404
      ? { kind: "not-found", message: "WAHA has no such message" }
      : { kind: "upstream", message: `message lookup answered ${msgRes.status}` };
  }
  const parsed = messageSchema.safeParse(await msgRes.json());
  if (!parsed.success) return { kind: "upstream", message: "WAHA sent a message of unknown shape" };
  // Access was checked for job.jid: never serve a message of another chat under it.
  const chat = await resolveChat(env, job.wa, chatOfMessage(parsed.data));
  if (chat !== job.jid) {
    return { kind: "not-found", message: "the message is not in this chat" };
  }
  const media = parsed.data.media;
  // WAHA sets media.error (and no url) when its download from WhatsApp failed: WhatsApp
  // no longer has the file (src/core/media/MediaManager.ts, processMedia).
  if (parsed.data.hasMedia && !media?.url && media?.error) {
    return { kind: "expired", message: "this media is no longer available on WhatsApp" };
  }
  if (!parsed.data.hasMedia || !media?.url) {
    return { kind: "not-found", message: "the message has no media WAHA can serve" };
  }
  const url = mediaFetchUrl(media.url, target.url);
  if (!url) {
    console.log(`[wa media] refuse key=${job.key} reason=media.url-not-a-waha-file`);
    return { kind: "upstream", message: "WAHA gave a media URL outside its files path" };
  }
  return {
    kind: "located",
    target,
    url,
    mimetype: media.mimetype ?? null,
    filename: media.filename ?? null,
  };
}
