/**
 * A message this gateway sent, stored and announced as soon as WAHA took it, so the
 * chat's other watchers see it at once; WAHA's later `message.any` for the same id then
 * finds it stored and is not announced again. Each engine answers sendText in its own
 * shape: whatsapp-web.js's Message (`id._serialized`), a Baileys record (`key.id`), or
 * GOWS' `{id}`.
 * WAHA: the engines' sendText (session.webjs.core.ts, session.noweb.core.ts, session.gows.core.ts).
 */
import { messageEffects } from "./db.ts";
import { storedToBrowser } from "./inbox-shapes.ts";
import { canonicalMessageId, keyOfMessageId, parseMessageId } from "./jids.ts";
import { applyEarly, type EarlyRow, earlyChangesStatement } from "./message-changes.ts";
import { broadcast, chatAudience, type Fanout } from "./realtime.ts";
import { applyReaction } from "./store-changes.ts";
import { chatOwnerStatement, onceFor, storeMessageStatements } from "./store-db.ts";
import type { StoredMessage } from "./stored-message.ts";

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
 * Stores what was sent, with firstResponseAt; `also(id)` are statements for the same batch
 * (the outbox marking its entry sent), run first. Answers the message, the chat's owner,
 * the `message.new` to announce (none when it was stored already) and the results of
 * `also`; null when WAHA named no id.
 */
export async function recordSent(
  env: Env,
  session: string,
  sent: {
    jid: string;
    text: string | null;
    answer: unknown;
    replyTo?: string | null;
    media?: { mimetype: string; filename: string } | null;
  },
  also: (id: string) => D1PreparedStatement[] = () => [],
  now = Date.now(),
): Promise<{
  message: StoredMessage;
  owner: string | null;
  frames: Fanout;
  also: D1Result[];
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
    body: sent.text,
    hasMedia: Boolean(sent.media),
    mediaMimetype: sent.media?.mimetype ?? null,
    mediaName: sent.media?.filename ?? null,
    // SERVER: WAHA has handed it to WhatsApp.
    ack: 1,
    replyTo: sent.replyTo ? keyOfMessageId(sent.replyTo) : null,
  };
  const effects = messageEffects(
    env.DB,
    { jid: sent.jid, fromMe: true, at: new Date(now).toISOString() },
    new Date(now).toISOString(),
    onceFor(session, message),
  );
  const extra = also(id);
  const all = await env.DB.batch<{ assigned_to?: string | null; id?: string }>([
    ...extra,
    ...storeMessageStatements(env.DB, session, message, now, effects.statements),
    earlyChangesStatement(env.DB, session, sent.jid, message.key),
  ]);
  const kept = (all.at(-1)?.results ?? []) as unknown as EarlyRow[];
  const results = all.slice(0, -1);
  const inserted = (results.at(-1)?.results.length ?? 0) > 0;
  const owner = results[extra.length + effects.statements.length]?.results[0]?.assigned_to ?? null;
  const audience = chatAudience(owner);
  const frames: Fanout = inserted
    ? [
        {
          event: { type: "message.new", jid: sent.jid, message: storedToBrowser(message) },
          audience,
        },
      ]
    : [];
  // Its receipts may have come before WAHA's answer.
  for (const change of await applyEarly(env.DB, session, sent.jid, kept, now)) {
    frames.push({ event: change, audience });
  }
  return { message, owner, frames, also: results.slice(0, extra.length) };
}

/** Our reaction, once WAHA took it: on the stored message, and announced. */
export async function recordReaction(
  env: Env,
  session: string,
  jid: string,
  targetId: string,
  text: string,
): Promise<void> {
  const changed = await applyReaction(env.DB, session, jid, keyOfMessageId(targetId), "me", text);
  if (!changed) return;
  const owner = await chatOwnerStatement(env.DB, jid).first<{ assigned_to: string | null }>();
  await broadcast(
    env,
    { type: "message.reaction", jid, id: changed.id, reaction: text, from: "me" },
    chatAudience(owner?.assigned_to ?? null),
  );
}
