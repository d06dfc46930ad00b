/** A browser message, or our own send, as the chat list and quotes name it (store/preview.ts). */
import { previewText } from "../lib/store/preview.ts";
import type { Message } from "./types.ts";

export function messagePreview(m: Pick<Message, "body" | "hasMedia" | "media">): string | null {
  return previewText({
    body: m.body,
    hasMedia: m.hasMedia,
    mimetype: m.media?.mimetype ?? null,
    filename: m.media?.filename ?? null,
  });
}

/** A send of ours: its text, or what its file is. */
export function sendPreview(body: string | null, file: { name: string; type: string } | null) {
  return (
    previewText({
      body,
      hasMedia: file !== null,
      mimetype: file?.type ?? null,
      filename: file?.name ?? null,
    }) ?? ""
  );
}
