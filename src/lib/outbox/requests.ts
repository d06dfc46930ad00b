/**
 * What WAHA is asked for an outbox entry: the request that sends it (text, media with WAHA
 * Plus, a reaction), and after an answer that never came, the search for it in the chat.
 */
import type { BrowserMessage } from "../contracts/api.ts";
import type { Failure, Result } from "../contracts/result.ts";
import { chatOwnerStatement } from "../db.ts";
import { canonicalMessageId } from "../ids/jids.ts";
import type { Fanout } from "../realtime/broadcast.ts";
import type { StoredRow } from "../store/messages.ts";
import type { WahaAnswer, WahaRequest } from "../waha/client.ts";
import type { WaNumber } from "../waha/numbers.ts";
import { messageSchema, wahaPaths } from "../waha/wire.ts";
import { markSentStatement, type OutboxRow } from "./db.ts";
import { recordSent } from "./sent-message.ts";

/** How one try of an outbox entry ended. */
export type SendOutcome =
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
  /** `afterMs`: not before then (the session is not WORKING, or WAHA asked to wait). */
  | { kind: "retry"; ambiguous: boolean; reason: string; afterMs?: number };

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
  number: WaNumber,
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
        body: { session: number.session, chatId: row.jid, text: row.body ?? "", ...replyTo },
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
          session: number.session,
          chatId: row.jid,
          file: { mimetype, filename: row.media_name ?? "file", data: base64(media) },
          ...(row.body ? { caption: row.body } : {}),
          ...replyTo,
          // A browser records WebM or MP4 audio; WhatsApp plays voice notes only as OGG/Opus,
          // and WAHA Plus converts only when asked (videos go as files, so need no such flag).
          // WAHA: src/structures/chatting.dto.ts (MessageVoiceRequest.convert)
          ...(endpoint === "sendVoice" ? { convert: true } : {}),
        },
      };
    }
    case "reaction":
      if (!target) return gaveUp("the message reacted to is not stored");
      return {
        endpoint: "reaction",
        method: "PUT",
        path: wahaPaths.reaction(),
        body: { session: number.session, messageId: target.waha_id, reaction: row.body ?? "" },
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
 * Our own message with this entry's text in its chat since the entry was made (a minute's
 * slack for WAHA's clock) that no other entry has claimed: the oldest, since a chat's
 * entries go one at a time in order. WAHA's own `message.any` for the send may have stored
 * it already, before, with or instead of WAHA's answer; a message stored is not a message
 * some other send made.
 */
function unclaimedOwnStatement(
  db: D1Database,
  number: string,
  row: OutboxRow,
): D1PreparedStatement {
  return db
    .prepare(
      `SELECT m.id, m.waha_id FROM messages m
       WHERE m.number = ?1 AND m.jid = ?2 AND m.from_me = 1 AND m.body IS ?3 AND m.ts >= ?4
         AND m.has_media = ?6
         AND NOT EXISTS (SELECT 1 FROM outbox o
           WHERE o.number = ?1 AND o.message_id = m.id AND o.client_id <> ?5)
       ORDER BY m.ts, m.ord LIMIT 1`,
    )
    .bind(
      number,
      row.jid,
      row.body,
      Math.floor(row.created_at / 1000) - 60,
      row.client_id,
      row.kind === "media" ? 1 : 0,
    );
}

/** The entry marked sent as `id`, a message already stored (its frame went out when it was). */
async function claimStored(
  env: Env,
  number: string,
  row: OutboxRow,
  id: string,
): Promise<SendOutcome> {
  const [, owner] = await env.DB.batch<{ assigned_to: string | null }>([
    markSentStatement(env.DB, number, row.client_id, id),
    chatOwnerStatement(env.DB, number, row.jid),
  ]);
  return {
    kind: "sent",
    id,
    owner: owner?.results[0]?.assigned_to ?? null,
    recorded: true,
    frames: [],
  };
}

/**
 * After an answer that never came (a timeout, a cut connection, a restart mid-send): the
 * message if WhatsApp has it, as sent; null when neither the store nor WAHA has it (send
 * it); a retry while WAHA cannot be asked. The store is asked first (WAHA's echo may have
 * arrived while WAHA is now away), then WAHA's recent messages of the chat. `call` is how
 * the outbox reaches WAHA.
 */
export async function findSent(
  env: Env,
  number: WaNumber,
  row: OutboxRow,
  call: (request: WahaRequest) => Promise<Result<WahaAnswer>>,
): Promise<SendOutcome | null> {
  // Setting a reaction again is harmless: it is simply sent again.
  if (row.kind === "reaction") return null;
  const stored = await unclaimedOwnStatement(env.DB, number.id, row).first<{ id: string }>();
  if (stored) return claimStored(env, number.id, row, stored.id);
  const answer = await call({
    endpoint: "messages",
    method: "GET",
    path: wahaPaths.recentOwn(number.session, row.jid, Math.floor(row.created_at / 1000) - 60),
  });
  if (!answer.ok) {
    return { kind: "retry", ambiguous: true, reason: answer.failure.message };
  }
  if (!Array.isArray(answer.value.body)) {
    return { kind: "retry", ambiguous: true, reason: "WAHA's message list was not a list" };
  }
  const candidates = answer.value.body
    .map((raw) => messageSchema.safeParse(raw))
    .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
    .filter(
      (m) =>
        m.fromMe &&
        (m.body ?? null) === (row.body ?? null) &&
        m.hasMedia === (row.kind === "media"),
    )
    // Oldest first: WAHA lists newest first, and a chat's entries went in order.
    .sort((a, b) => a.timestamp - b.timestamp);
  const claimed = new Set(
    (
      await env.DB.prepare(
        `SELECT message_id FROM outbox WHERE number = ? AND client_id <> ?
           AND message_id IN (SELECT value FROM json_each(?))`,
      )
        .bind(
          number.id,
          row.client_id,
          JSON.stringify(candidates.map((m) => canonicalMessageId(m.id))),
        )
        .all<{ message_id: string }>()
    ).results.map((r) => r.message_id),
  );
  const found = candidates.find((m) => !claimed.has(canonicalMessageId(m.id)));
  if (!found) return null;
  const recorded = await recordSent(
    env,
    number.id,
    { jid: row.jid, text: row.body, answer: { id: found.id } },
    (id, batch) => {
      batch.add("marked-sent", markSentStatement(env.DB, number.id, row.client_id, id));
    },
  );
  return {
    kind: "sent",
    id: canonicalMessageId(found.id),
    owner: recorded?.owner ?? null,
    recorded: recorded !== null,
    frames: recorded?.frames ?? [],
  };
}
