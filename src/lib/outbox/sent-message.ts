/**
 * A message this gateway sent, stored and announced as soon as WAHA took it, so the
 * chat's other watchers see it at once; WAHA's later `message.any` for the same id then
 * finds it stored and is not announced again. Each engine answers sendText in its own
 * shape: whatsapp-web.js's Message (`id._serialized`), a Baileys record (`key.id`), or
 * GOWS' `{id}`.
 * WAHA: the engines' sendText (session.webjs.core.ts, session.noweb.core.ts, session.gows.core.ts).
 */
import { addMessageEffects, chatOwnerStatement } from "../db.ts";
import { canonicalMessageId, keyOfMessageId, parseMessageId } from "../ids/jids.ts";
import { broadcast, chatAudience, type Fanout } from "../realtime/broadcast.ts";
import { storedToBrowser } from "../store/browser-shapes.ts";
import { applyReaction } from "../store/changes.ts";
import { applyEarly, type EarlyRow, earlyChangesStatement } from "../store/early-changes.ts";
import { addStoredMessage, onceFor } from "../store/messages.ts";
import { NamedBatch, type NamedResults } from "../store/named-batch.ts";
import type { StoredMessage } from "../store/stored-message.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The id WAHA gave the message it sent into `jid`, or null when its answer names none. */
export function sentMessageId(answer: unknown, jid: string): string | null {
  if (!isObject(answer)) return null;
  const { id, key } = answer;
  if (typeof id === "string" && parseMessageId(id)) return id;
  if (isObject(id) && typeof id._serialized === "string") return id._serialized;
  if (isObject(key) && typeof key.id === "string") return `true_${jid}_${key.id}`;
  return null;
}

/**
 * Stores what was sent, with firstResponseAt; `also(id, batch)` adds named statements to the
 * same batch (the outbox marking its entry sent, taking the next), run first. Answers the
 * message, the chat's owner, the `message.new` to announce (none when it was stored already)
 * and the batch's results, by name; null when WAHA named no id.
 */
export async function recordSent(
  env: Env,
  number: string,
  sent: {
    jid: string;
    text: string | null;
    answer: unknown;
    replyTo?: string | null;
    media?: { mimetype: string; filename: string } | null;
  },
  also: (id: string, batch: NamedBatch) => void = () => undefined,
  now = Date.now(),
): Promise<{
  message: StoredMessage;
  owner: string | null;
  frames: Fanout;
  results: NamedResults;
} | null> {
  const wahaId = sentMessageId(sent.answer, sent.jid);
  if (!wahaId) return null;
  const id = canonicalMessageId(wahaId);
  const message: StoredMessage = {
    jid: sent.jid,
    id,
    wahaId,
    key: parseMessageId(id)?.key ?? id,
    ts: Math.floor(now / 1000),
    fromMe: true,
    sender: null,
    senderName: null,
    body: sent.text,
    hasMedia: Boolean(sent.media),
    mediaMimetype: sent.media?.mimetype ?? null,
    mediaName: sent.media?.filename ?? null,
    // SERVER: WAHA has handed it to WhatsApp.
    ack: 1,
    replyTo: sent.replyTo ? keyOfMessageId(sent.replyTo) : null,
  };
  const batch = new NamedBatch();
  also(id, batch);
  addStoredMessage(batch, env.DB, number, message, now, (b) =>
    addMessageEffects(
      b,
      env.DB,
      { number, jid: sent.jid, fromMe: true, at: new Date(now).toISOString() },
      new Date(now).toISOString(),
      onceFor(number, message),
    ),
  ).add("early", earlyChangesStatement(env.DB, number, sent.jid, message.key));
  const results = await batch.run(env.DB);
  const kept = results.rows<EarlyRow>("early");
  const inserted = results.rows("message").length > 0;
  const owner = results.first<{ assigned_to: string | null }>("owner")?.assigned_to ?? null;
  const audience = chatAudience(owner);
  const frames: Fanout = inserted
    ? [
        {
          event: { type: "message.new", jid: sent.jid, message: storedToBrowser(message, number) },
          audience,
        },
      ]
    : [];
  // Its receipts may have come before WAHA's answer.
  for (const change of await applyEarly(env.DB, number, sent.jid, kept, now)) {
    frames.push({ event: change, audience });
  }
  return { message, owner, frames, results };
}

/** Our reaction, once WAHA took it: on the stored message, and announced. */
export async function recordReaction(
  env: Env,
  number: string,
  jid: string,
  targetId: string,
  text: string,
): Promise<void> {
  const changed = await applyReaction(env.DB, number, jid, keyOfMessageId(targetId), "me", text);
  if (!changed) return;
  const owner = await chatOwnerStatement(env.DB, number, jid).first<{
    assigned_to: string | null;
  }>();
  await broadcast(
    env,
    number,
    { type: "message.reaction", jid, id: changed.id, reaction: text, from: "me" },
    chatAudience(owner?.assigned_to ?? null),
  );
}
