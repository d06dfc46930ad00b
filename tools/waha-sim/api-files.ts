// GET /api/files/{session}/{name}.{ext}: a saved media file, while its lifetime lasts. WEBJS names
// files by the serialised message id, NOWEB and GOWS by the bare key.
// WAHA: src/core/media/local/MediaLocalStorage.ts, the engines' getMessageId (media processors)
import type { Ctx } from "./context.ts";
import { mediaContent } from "./media.ts";
import { extensionOf } from "./model.ts";
import { fileNotFound, type Reply } from "./reply.ts";

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
  return {
    status: 200,
    headers: {
      "Content-Type": content.contentType,
      "Content-Length": content.length,
      "Cache-Control": "public, max-age=0",
      "Last-Modified": new Date(savedAt).toUTCString(),
      ETag: `W/"${content.length.toString(16)}-${savedAt.toString(16)}"`,
    },
    body: ctx.method === "HEAD" ? Buffer.alloc(0) : content.open(),
  };
}
