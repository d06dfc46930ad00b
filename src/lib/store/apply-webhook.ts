/**
 * What a WAHA event does to the message store and the assignments, one handler per kind,
 * and what browsers should hear of it. A delivery's keys (`claims`) go first in the batch
 * that stores a message, so a delivery claimed before fails the batch (`isDuplicateClaim`)
 * and changes nothing; a change whose message is not stored yet is `kept` for it.
 */

import { pushNameStatement } from "../contacts/contacts-db.ts";
import { addMessageEffects, chatOwner } from "../db.ts";
import { canonicalJid } from "../ids/jids.ts";
import { resolveChat } from "../ids/resolve-chat.ts";
import { archiveKey, forgetArchived } from "../media/archive.ts";
import { chatAudience, EVERYONE, type Fanout } from "../realtime/broadcast.ts";
import { addReopen } from "../team/status.ts";
import { wahaGate } from "../waha/client.ts";
import type { WaNumber } from "../waha/numbers.ts";
import type { WebhookEvent } from "../waha/webhook-events.ts";
import { rowToBrowser, storedToBrowser } from "./browser-shapes.ts";
import { nameChatStatement } from "./chats.ts";
import {
  applyEarly,
  applyOrKeep,
  type EarlyRow,
  earlyChangesStatement,
  type MessageChange,
} from "./early-changes.ts";
import { saveLid } from "./lids.ts";
import { addStoredMessage, onceFor, quotedMessage, storedMessage } from "./messages.ts";
import { NamedBatch } from "./named-batch.ts";

type Applied = Fanout | "kept";
type MessageEvent = Extract<WebhookEvent, { kind: "message" }>;
type ChangeEvent = Extract<WebhookEvent, { kind: "ack" | "revoked" | "edited" | "reaction" }>;

export async function applyEvent(
  env: Env,
  number: WaNumber,
  event: WebhookEvent,
  now: number,
  claims: D1PreparedStatement[],
): Promise<Applied> {
  if (event.kind === "call") return applyCall(env, number, event, now, claims);
  if (event.kind === "message") {
    // A deletion for everyone that came before its message is applied with it.
    return forgetRevokedMedia(env, number.id, await applyMessage(env, number, event, now, claims));
  }
  await env.DB.batch(claims);
  switch (event.kind) {
    case "ack":
    case "revoked":
    case "edited":
    case "reaction":
      return forgetRevokedMedia(env, number.id, await applyChange(env, number, event, now));
    case "session":
      // The gate holds calls that need a WORKING session, and wakes the outboxes when it is.
      await wahaGate(env, number).sessionHeard(event.status, number.session);
      return [{ event: { type: "session.status", status: event.status }, audience: EVERYONE }];
    case "ignored":
      return [];
  }
}

/** Media of a message deleted for everyone leaves the archive with it. */
async function forgetRevokedMedia(env: Env, number: string, applied: Applied): Promise<Applied> {
  if (applied === "kept") return applied;
  const revoked = applied.flatMap(({ event }) =>
    event.type === "message.revoked" ? [archiveKey(number, event.jid, event.id)] : [],
  );
  if (revoked.length > 0) await forgetArchived(env, revoked);
  return applied;
}

/** A message stored once with its assignment effects; the frames when it was new. */
async function applyMessage(
  env: Env,
  wa: WaNumber,
  event: MessageEvent,
  now: number,
  claims: D1PreparedStatement[],
): Promise<Applied> {
  const db = env.DB;
  const number = wa.id;
  // The phone number beside an @lid, when the engine's record has it: learnt for good.
  if (event.lidPhone) {
    await saveLid(db, number, event.message.jid, canonicalJid(event.lidPhone), now);
  }
  const jid = await resolveChat(env, wa, event.message.jid, now);
  const message = { ...event.message, jid };
  const batch = new NamedBatch().add("claims", ...claims);
  addStoredMessage(batch, db, number, message, now, (b) => {
    // A customer writing again reopens the conversation, before auto-assign looks at it.
    if (!message.fromMe) addReopen(b, db, number, jid, now, onceFor(number, message));
    addMessageEffects(
      b,
      db,
      {
        number,
        jid,
        fromMe: message.fromMe,
        at: new Date(message.ts * 1000).toISOString(),
      },
      new Date(now).toISOString(),
      onceFor(number, message),
    );
  });
  if (event.senderName && !jid.endsWith("@g.us")) {
    batch.add("name", nameChatStatement(db, number, jid, event.senderName));
  }
  // The person's latest push name, for the chat list and their group messages.
  const person = jid.endsWith("@g.us") ? message.sender : jid;
  if (event.senderName && person) {
    batch.add("contact", pushNameStatement(db, number, person, event.senderName, now));
  }
  batch.add("early", earlyChangesStatement(db, number, jid, message.key));
  const results = await batch.run(db);
  if (results.rows("message").length === 0) return [];
  // A reply is shown with what it quotes, as the lists show it.
  const quoted = message.replyTo ? await quotedMessage(db, number, jid, message.replyTo) : null;
  const owner = results.first<{ assigned_to: string | null }>("owner")?.assigned_to ?? null;
  const picked = results.first<{ assigned_to: string | null }>("picked")?.assigned_to ?? null;
  const audience = chatAudience(owner);
  const frames: Fanout = picked
    ? [{ event: { type: "chat.assigned", jid, agentId: picked }, audience }]
    : [];
  if (results.rows("reopened").length > 0) {
    frames.push({
      event: { type: "chat.status", jid, number, status: "open" },
      audience,
    });
  }
  frames.push({
    event: { type: "message.new", jid, message: storedToBrowser({ ...message, quoted }, number) },
    audience,
  });
  // Receipts, edits, reactions or a deletion that came before the message.
  for (const change of await applyEarly(db, number, jid, results.rows<EarlyRow>("early"), now)) {
    frames.push({ event: change, audience });
  }
  return frames;
}

/**
 * A call, shown in its chat: stored on the first event heard of it; a later one (answered,
 * missed) sets its outcome, never back to ringing, and the chat sees the item anew.
 */
async function applyCall(
  env: Env,
  wa: WaNumber,
  event: Extract<WebhookEvent, { kind: "call" }>,
  now: number,
  claims: D1PreparedStatement[],
): Promise<Applied> {
  const message = { kind: "message" as const, senderName: null, mediaUrl: null, lidPhone: null };
  const frames = await applyMessage(env, wa, { ...message, message: event.message }, now, claims);
  if (frames === "kept" || frames.length > 0) return frames;
  const db = env.DB;
  const number = wa.id;
  const jid = await resolveChat(env, wa, event.message.jid, now);
  const extra = event.message.extra;
  const outcome = extra && "outcome" in extra ? extra.outcome : "ringing";
  if (outcome === "ringing") return [];
  const changed = await db
    .prepare(
      `UPDATE messages SET extra = ? WHERE number = ? AND jid = ? AND id = ? AND kind = 'call'
         AND coalesce(json_extract(extra, '$.outcome'), 'ringing') = 'ringing'`,
    )
    .bind(JSON.stringify(extra), number, jid, event.message.id)
    .run();
  if (changed.meta.changes === 0) return [];
  const row = await storedMessage(db, number, jid, event.message.id);
  if (!row) return [];
  return [
    {
      event: { type: "message.new", jid, message: rowToBrowser(row, number) },
      audience: chatAudience(await chatOwner(db, number, jid)),
    },
  ];
}

/** A receipt, deletion, edit or reaction: applied, or kept until its message comes. */
async function applyChange(
  env: Env,
  wa: WaNumber,
  event: ChangeEvent,
  now: number,
): Promise<Applied> {
  const db = env.DB;
  const number = wa.id;
  const jid = await resolveChat(env, wa, event.jid, now);
  const { frame, kept } = await applyOrKeep(db, number, jid, event.key, changeOf(event), now);
  if (kept) return "kept";
  if (!frame) return [];
  return [{ event: frame, audience: chatAudience(await chatOwner(db, number, jid)) }];
}

function changeOf(event: ChangeEvent): MessageChange {
  switch (event.kind) {
    case "ack":
      return { kind: "ack", ack: event.ack };
    case "revoked":
      return { kind: "revoked" };
    case "edited":
      return { kind: "edited", body: event.body };
    case "reaction":
      return { kind: "reaction", sender: event.sender, text: event.text };
  }
}
