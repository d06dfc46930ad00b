/**
 * What WAHA is asked for an outbox entry: the request that sends it (text, media with WAHA
 * Plus, a reaction), and after an answer that never came, the search for it in the chat.
 */
import type { BrowserMessage } from "./contracts/api.ts";
import type { Failure, Result } from "./contracts/result.ts";
import { canonicalMessageId } from "./jids.ts";
import { markSentStatement, type OutboxRow } from "./outbox-db.ts";
import type { Fanout } from "./realtime.ts";
import { recordSent } from "./sent-message.ts";
import { type StoredRow, storedMessage } from "./store-db.ts";
import { messageSchema, wahaPaths } from "./waha.ts";
import type { WahaAnswer, WahaRequest } from "./waha-client.ts";

/** How one try of an outbox entry ended. */
export type Attempt =
  | {
      kind: "sent";
      id: string | null;
      message?: BrowserMessage;
      /** The chat's owner, when the send's batch answered it. */
      owner?: string | null;
      /** The entry was marked sent in the same batch as the message was stored. */
      recorded?: boolean;
      /** What browsers hear with the entry's status (the stored message). */
      frames?: Fanout;
      /** The chat's next entry, taken in the same batch as this one was marked sent. */
      next?: OutboxRow | null;
    }
  | { kind: "rejected"; failure: Failure }
  | { kind: "retry"; ambiguous: boolean; reason: string };

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

/**
 * After a timeout: our message with this text in the chat since the entry was made, as
 * sent (stored, and the entry marked sent in the same batch); null when WAHA has none
 * (send it); a retry while WAHA cannot be asked. `call` is how the outbox reaches WAHA.
 */
export async function findSent(
  env: Env,
  session: string,
  row: OutboxRow,
  call: (request: WahaRequest) => Promise<Result<WahaAnswer>>,
): Promise<Attempt | null> {
  if (row.kind === "reaction") return null;
  const answer = await call({
    endpoint: "messages",
    method: "GET",
    // A minute's slack for WAHA's clock; messages already stored are other sends.
    path: wahaPaths.recentOwn(session, row.jid, Math.floor(row.created_at / 1000) - 60),
  });
  if (!answer.ok) {
    return { kind: "retry", ambiguous: true, reason: answer.failure.message };
  }
  if (!Array.isArray(answer.value.body)) {
    return { kind: "retry", ambiguous: true, reason: "WAHA's message list was not a list" };
  }
  for (const raw of answer.value.body) {
    const parsed = messageSchema.safeParse(raw);
    if (!parsed.success || !parsed.data.fromMe) continue;
    if ((parsed.data.body ?? null) !== (row.body ?? null)) continue;
    const id = canonicalMessageId(parsed.data.id);
    if (await storedMessage(env.DB, session, row.jid, id)) continue;
    const recorded = await recordSent(
      env,
      session,
      { jid: row.jid, text: row.body, answer: { id: parsed.data.id } },
      (stored) => [markSentStatement(env.DB, session, row.client_id, stored)],
    );
    return {
      kind: "sent",
      id,
      owner: recorded?.owner ?? null,
      recorded: recorded !== null,
      frames: recorded?.frames ?? [],
    };
  }
  return null;
}
