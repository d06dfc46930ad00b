/**
 * The media archive: an R2 bucket (binding MEDIA_ARCHIVE) behind the edge cache, so media
 * outlives WAHA's files and WhatsApp's own. Objects are keyed `<store>/<jid>/<messageId>`
 * (the store is the WAHA session today), so a chat or a store can be listed and deleted by
 * prefix; `archivedAt` in the custom metadata is what the daily retention reads.
 * WA_MEDIA_ARCHIVE_DAYS=0 turns every function here into a no-op.
 */
import { type Config, loadConfig } from "../config.ts";
import type { MediaMeta } from "../contracts/media.ts";
import { count } from "../monitoring/metrics.ts";

type ArchiveConfig = Pick<Config, "WA_MEDIA_ARCHIVE_DAYS" | "WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES">;

export function archiveOn(config: ArchiveConfig): boolean {
  return config.WA_MEDIA_ARCHIVE_DAYS > 0;
}

/** May an item of `size` bytes be archived? Unknown sizes cannot be put as a stream. */
export function archivable(config: ArchiveConfig, size: number | null): size is number {
  return archiveOn(config) && size !== null && size <= config.WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES;
}

const part = (s: string) => encodeURIComponent(s);

/** The prefix of one store's objects, or of one chat's in it. */
export function archivePrefix(store: string, jid?: string): string {
  return jid === undefined ? `${part(store)}/` : `${part(store)}/${part(jid)}/`;
}

export function archiveKey(store: string, jid: string, id: string): string {
  return `${archivePrefix(store, jid)}${part(id)}`;
}

/**
 * Puts one item: bytes in hand, or a stream of exactly `meta.size` bytes (R2 needs the
 * length up front; a FixedLengthStream carries it). A failed put leaves nothing behind.
 */
export async function archivePut(
  bucket: R2Bucket,
  key: string,
  body: ArrayBuffer | ReadableStream<Uint8Array>,
  meta: MediaMeta & { size: number },
): Promise<void> {
  let value: ArrayBuffer | ReadableStream<Uint8Array> = body;
  if (!(body instanceof ArrayBuffer)) {
    const fixed = new FixedLengthStream(meta.size);
    const piped = body.pipeTo(fixed.writable);
    value = fixed.readable;
    await Promise.all([put(bucket, key, value, meta), piped]);
  } else {
    await put(bucket, key, value, meta);
  }
  count("media.archiveWrites");
  count("media.archiveBytesWritten", meta.size);
}

function put(
  bucket: R2Bucket,
  key: string,
  value: ArrayBuffer | ReadableStream<Uint8Array>,
  meta: MediaMeta,
): Promise<R2Object | null> {
  return bucket.put(key, value, {
    httpMetadata: { contentType: meta.mimetype },
    customMetadata: { archivedAt: String(Date.now()), filename: meta.filename },
  });
}

/** One archived item: its meta, and the whole body or the part asked for. */
export interface ArchivedItem {
  meta: MediaMeta & { size: number };
  body: ReadableStream<Uint8Array>;
}

/** The item whole, or the inclusive byte span `part` of it; null when it is not archived. */
export async function archiveGet(
  bucket: R2Bucket,
  key: string,
  part?: { start: number; end: number },
): Promise<ArchivedItem | null> {
  const range = part ? { offset: part.start, length: part.end - part.start + 1 } : undefined;
  const object = await bucket.get(key, range ? { range } : {});
  if (!object) return null;
  return {
    meta: {
      mimetype: object.httpMetadata?.contentType ?? "application/octet-stream",
      filename: object.customMetadata?.filename ?? "media",
      size: object.size,
    },
    body: object.body,
  };
}

/** Deletes these archived items. */
export async function archiveDelete(bucket: R2Bucket, keys: string[]): Promise<void> {
  // R2 deletes at most 1,000 keys a call.
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}

/**
 * The daily retention: deletes items archived more than `days` ago, listing the bucket a
 * page at a time. Answers how many it deleted.
 */
export async function pruneArchive(
  bucket: R2Bucket,
  days: number,
  now = Date.now(),
): Promise<number> {
  if (days <= 0) return 0;
  const cutoff = now - days * 86_400_000;
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      include: ["customMetadata"],
      ...(cursor ? { cursor } : {}),
    });
    const old = page.objects
      .filter((o) => Number(o.customMetadata?.archivedAt ?? o.uploaded.getTime()) < cutoff)
      .map((o) => o.key);
    await archiveDelete(bucket, old);
    deleted += old.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** Puts one item behind the answer; a failure is logged, never the caller's. */
export function archiveLater(
  ctx: { waitUntil(work: Promise<unknown>): void },
  bucket: R2Bucket,
  key: string,
  body: ArrayBuffer | ReadableStream<Uint8Array>,
  meta: MediaMeta & { size: number },
): void {
  ctx.waitUntil(
    archivePut(bucket, key, body, meta).catch((err: unknown) => {
      console.error(
        `[wa media] archive-failed key=${key} reason="${err instanceof Error ? err.message : String(err)}"`,
      );
    }),
  );
}

/**
 * Deletes items whose messages are gone (deleted for everyone, pruned). With the archive
 * off nothing is asked of R2; a failure is logged and left to the daily retention.
 */
export async function forgetArchived(env: Env, keys: string[]): Promise<void> {
  const loaded = loadConfig(env);
  if (keys.length === 0 || !loaded.ok || !archiveOn(loaded.config)) return;
  try {
    await archiveDelete(env.MEDIA_ARCHIVE, keys);
    count("media.archiveDeletes", keys.length);
  } catch (err) {
    console.error(
      `[wa media] archive-delete-failed keys=${keys.length} reason="${err instanceof Error ? err.message : String(err)}"`,
    );
  }
}
