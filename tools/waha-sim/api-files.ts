// GET /api/files/{session}/{name}.{ext}: a saved media file, while its lifetime lasts. WEBJS names
// files by the serialised message id, NOWEB and GOWS by the bare key.
// WAHA: src/core/media/local/MediaLocalStorage.ts, the engines' getMessageId (media processors)
// WAHA serves its files folder as static files (express.static), so a single byte range is
// answered 206, as any static file server does.
import { Readable } from "node:stream";
import type { Ctx } from "./context.ts";
import { mediaContent } from "./media.ts";
import { extensionOf } from "./model.ts";
import { fileNotFound, type Reply } from "./reply.ts";

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` within `size`; null for anything else (whole file). */
export function byteRange(header: string | undefined, size: number): [number, number] | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? "");
  if (!match || (match[1] === "" && match[2] === "") || size === 0) return null;
  const [, first = "", last = ""] = match;
  if (first === "") return [Math.max(0, size - Number(last)), size - 1];
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return start <= end && start < size ? [start, end] : null;
}

/** The bytes from `start` to `end` (inclusive) of a body, read lazily. */
function slice(body: Buffer | Readable, start: number, end: number): Buffer | Readable {
  if (Buffer.isBuffer(body)) return body.subarray(start, end + 1);
  let offset = 0;
  return Readable.from(
    (async function* () {
      for await (const chunk of body) {
        const piece = chunk as Buffer;
        const from = Math.max(0, start - offset);
        const to = Math.min(piece.length, end + 1 - offset);
        offset += piece.length;
        if (to > from) yield piece.subarray(from, to);
        if (offset > end) break;
      }
    })(),
  );
}

export function getFile(ctx: Ctx, session: string, file: string): Reply {
  const { sim } = ctx;
  const dot = file.lastIndexOf(".");
  if (session !== sim.config.session || dot <= 0) return fileNotFound();
  const base = file.slice(0, dot);
  const message = sim.store.message(base);
  const media = message?.media;
  if (!message || !media || media.missing || sim.engine.fileBase(message) !== base) {
    return fileNotFound();
  }
  if (extensionOf(media.kind) !== file.slice(dot + 1)) return fileNotFound();
  if (!sim.store.isSaved(message.key, Date.now(), sim.lifetimeMs())) return fileNotFound();
  const savedAt = sim.store.savedAt(message.key) ?? sim.startedAt;
  const content = mediaContent(message.id, media);
  const headers: Record<string, string | number> = {
    "Content-Type": content.contentType,
    "Content-Length": content.length,
    "Accept-Ranges": "bytes",
    "Cache-Control": "public, max-age=0",
    "Last-Modified": new Date(savedAt).toUTCString(),
    ETag: `W/"${content.length.toString(16)}-${savedAt.toString(16)}"`,
  };
  if (ctx.method === "HEAD") return { status: 200, headers, body: Buffer.alloc(0) };
  const range = byteRange(ctx.range, content.length);
  if (!range) return { status: 200, headers, body: content.open() };
  const [start, end] = range;
  return {
    status: 206,
    headers: {
      ...headers,
      "Content-Length": end - start + 1,
      "Content-Range": `bytes ${start}-${end}/${content.length}`,
    },
    body: slice(content.open(), start, end),
  };
}
