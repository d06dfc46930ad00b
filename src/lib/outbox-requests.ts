/** The WAHA request that sends an outbox entry: text, media (WAHA Plus) or a reaction. */
import type { Failure } from "./contracts/result.ts";
import type { OutboxRow } from "./outbox-db.ts";
import type { StoredRow } from "./store-db.ts";
import { wahaPaths } from "./waha.ts";
import type { WahaRequest } from "./waha-client.ts";

function mediaEndpoint(mimetype: string): "sendImage" | "sendVoice" | "sendFile" {
  if (/^image\/(jpeg|png|webp|gif)$/.test(mimetype)) return "sendImage";
  if (mimetype.startsWith("audio/")) return "sendVoice";
  return "sendFile";
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** `target`: the stored message replied or reacted to; `media`: the file kept for the entry. */
export function sendRequest(
  row: OutboxRow,
  session: string,
  target: StoredRow | null,
  media: Uint8Array | null,
): WahaRequest | Failure {
  const replyTo = target ? { reply_to: target.waha_id } : {};
  switch (row.kind) {
    case "text":
      return {
        endpoint: "sendText",
        method: "POST",
        path: wahaPaths.sendText(),
        body: { session, chatId: row.jid, text: row.body ?? "", ...replyTo },
      };
    case "media": {
      if (!media) return gaveUp("the file was lost before it could be sent");
      const mimetype = row.media_mimetype ?? "application/octet-stream";
      const endpoint = mediaEndpoint(mimetype);
      return {
        endpoint,
        method: "POST",
        path: wahaPaths.sendMedia(endpoint),
        body: {
          session,
          chatId: row.jid,
          file: { mimetype, filename: row.media_name ?? "file", data: base64(media) },
          ...(row.body ? { caption: row.body } : {}),
          ...replyTo,
        },
      };
    }
    case "reaction":
      if (!target) return gaveUp("the message reacted to is not stored");
      return {
        endpoint: "reaction",
        method: "PUT",
        path: wahaPaths.reaction(),
        body: { session, messageId: target.waha_id, reaction: row.body ?? "" },
      };
  }
}

export function gaveUp(message: string): Failure {
  return { status: 502, error: "outbox-failed", message };
}

/** WAHA Core answers media sends 422 "available only in Plus". */
export function plusOrAnswer(failure: Failure): Failure {
  if (failure.upstreamStatus === 422 && /plus/i.test(failure.message)) {
    return { status: 422, error: "waha-plus-required", message: "sending media needs WAHA Plus" };
  }
  return failure;
}
