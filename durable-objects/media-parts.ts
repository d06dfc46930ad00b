/**
 * MediaKey's small parts: a file's length from its answer, a body to stream out and how to
 * drop it, a browser's range fetched from WAHA, bytes joined, a file name when WAHA gives none.
 */
import { type WahaTarget, wahaFetch } from "../src/lib/waha/client.ts";

export function partLength(res: Response): number | null {
  const length = res.headers.get("Content-Length");
  return length !== null && /^\d+$/.test(length) ? Number(length) : null;
}

/** A body to stream out: untouched, or with a reader that already took `prefix`. */
export interface StreamSource {
  body: ReadableStream<Uint8Array>;
  reader?: ReadableStreamDefaultReader<Uint8Array>;
  prefix: Uint8Array[];
}

export function cancel(source: StreamSource): Promise<void> {
  return (source.reader ?? source.body).cancel().catch(() => undefined);
}

/** The browser's range of an over-cap file, straight from WAHA; null when WAHA sends it whole. */
export async function fetchRange(
  file: { target: WahaTarget; url: string },
  range: string,
  signal: AbortSignal,
): Promise<{ body: ReadableStream<Uint8Array>; size: number; contentRange: string } | null> {
  const res = await wahaFetch(file.target, file.url, { signal, headers: { Range: range } });
  const contentRange = res.headers.get("Content-Range");
  const size = partLength(res);
  if (res.status !== 206 || !contentRange || size === null || !res.body) {
    await res.body?.cancel();
    return null;
  }
  return { body: res.body, size, contentRange };
}

export function concat(chunks: Uint8Array[], total: number): ArrayBuffer {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

export function defaultFilename(id: string, mimetype: string): string {
  const ext = mimetype.split("/")[1]?.split(/[;+]/)[0] ?? "bin";
  return `${id.slice(-20)}.${ext}`;
}
