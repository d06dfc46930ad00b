/**
 * What a WAHA webhook asks of the gateway, decided from the payload alone and the same
 * on every engine: the chat from the message id, one canonical id per chat, receipts as
 * ack numbers (`ackName` where the number is missing, as on GOWS), and edits, deletions
 * and reactions by the target message's key (the part of an id all engines agree on).
 * Anything that cannot be used is `ignored` with a reason, never an error: WAHA retries
 * every answer that is not 2xx.
 * WAHA: src/structures/webhooks.dto.ts (WAMessageAckBody, WAMessageRevokedBody,
 * WAMessageEditedBody, WAMessageReaction), src/core/integrations/webhooks/WebhookSender.ts.
 */
import * as z from "zod/mini";
import {
  canonicalJid,
  chatOfMessage,
  isGroupJid,
  isInboxJid,
  keyOfMessageId,
  parseMessageId,
} from "../ids/jids.ts";
import { type StoredMessage, toStoredMessage } from "../store/stored-message.ts";
import { ACK_NAMES } from "./acks.ts";
import { messageSchema, SESSION_STATUSES } from "./wire.ts";

export type WebhookEvent =
  | {
      kind: "message";
      message: StoredMessage;
      senderName: string | null;
      mediaUrl: string | null;
      /** For a chat WhatsApp names by @lid: the phone jid the engine's record carries. */
      lidPhone: string | null;
    }
  | { kind: "ack"; jid: string; key: string; ack: number }
  | { kind: "revoked"; jid: string; key: string }
  | { kind: "edited"; jid: string; key: string; body: string }
  | { kind: "reaction"; jid: string; key: string; sender: string; text: string }
  | { kind: "call"; message: StoredMessage }
  | { kind: "session"; status: (typeof SESSION_STATUSES)[number] }
  | { kind: "ignored"; reason: string };

const serialized = z.union([
  z.string(),
  z.pipe(
    z.object({ _serialized: z.string() }),
    z.transform((id: { _serialized: string }) => id._serialized),
  ),
]);

const ackSchema = z.looseObject({
  id: serialized,
  from: z.string(),
  to: z.nullish(z.string()),
  fromMe: z.boolean(),
  ack: z.nullish(z.number()),
  ackName: z.nullish(z.string()),
});

const revokedSchema = z.looseObject({
  revokedMessageId: z.string(),
  after: z.nullish(z.looseObject({ id: serialized, from: z.string(), fromMe: z.boolean() })),
  before: z.nullish(z.looseObject({ id: serialized, from: z.string(), fromMe: z.boolean() })),
});

const editedSchema = z.looseObject({
  id: serialized,
  from: z.string(),
  to: z.nullish(z.string()),
  fromMe: z.boolean(),
  body: z.nullish(z.string()),
  editedMessageId: z.string(),
});

const reactionSchema = z.looseObject({
  id: serialized,
  from: z.string(),
  to: z.nullish(z.string()),
  fromMe: z.boolean(),
  participant: z.nullish(z.string()),
  reaction: z.looseObject({ text: z.string(), messageId: serialized }),
});

const sessionSchema = z.looseObject({ status: z.enum(SESSION_STATUSES) });

const callSchema = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  from: z.nullish(z.string()),
  timestamp: z.nullish(z.number()),
  isVideo: z.nullish(z.boolean()),
  isGroup: z.nullish(z.boolean()),
  _data: z.nullish(z.unknown()),
});

/** What each call event says of the call: ringing, then answered or missed (declined or ended). */
const CALL_OUTCOMES: Record<string, "ringing" | "answered" | "missed"> = {
  "call.received": "ringing",
  "call.accepted": "answered",
  "call.rejected": "missed",
};

const ACK_NUMBERS = new Map(Object.entries(ACK_NAMES).map(([n, name]) => [name, Number(n)]));

/**
 * NOWEB's record of a message in a chat WhatsApp names by @lid carries the phone jid beside
 * it (Baileys 7's `key.remoteJidAlt`; `key.senderPn` before), whether or not WAHA's own lid
 * table knows the pair: the one place the gateway can learn it for a number WAHA never
 * mapped. (Seen from real WAHA 2026.2.1; Baileys: src/Types/Message.ts, WAMessageKey.)
 */
function altPhone(data: unknown): string | null {
  if (typeof data !== "object" || data === null) return null;
  const key = (data as { key?: unknown }).key;
  if (typeof key !== "object" || key === null) return null;
  const { remoteJidAlt, senderPn } = key as { remoteJidAlt?: unknown; senderPn?: unknown };
  for (const alt of [remoteJidAlt, senderPn]) {
    if (typeof alt === "string" && /^\d+@s\.whatsapp\.net$/.test(alt)) return alt;
  }
  return null;
}

function ignored(reason: string): WebhookEvent {
  return { kind: "ignored", reason };
}

/** The chat of a target named by id or key, with the chat of the event as fallback. */
function targetChat(id: string, fallback: string): string {
  return parseMessageId(id)?.chat ?? fallback;
}

/**
 * The chat a reaction is filed under: its target's, unless the target names our own number.
 * GOWS builds the target's id from the reactor's own key, so a customer reacting in a direct
 * chat names *our* number as the chat; the reaction's own chat (`from`) is the customer's, as
 * WAHA's Chatwoot app takes it. Without `me` (an envelope that lacks it), a direct target
 * other than the reaction's own chat is taken for the same.
 * WAHA: src/core/engines/gows/session.gows.core.ts (processMessageReaction,
 * buildMessageIdFromKey), src/apps/chatwoot/consumers/waha/message.reaction.ts (GetChatId).
 */
function reactionChat(targetId: string, own: string, me: string | null): string {
  const target = parseMessageId(targetId)?.chat;
  if (target === undefined) return own;
  if (me !== null) return target === me ? own : target;
  return target === own || isGroupJid(target) ? target : own;
}

/** `me`: our own number (`@c.us`) as the envelope names it, when it does. */
export function decideEvent(
  event: string,
  payload: unknown,
  now: number,
  me: string | null = null,
): WebhookEvent {
  switch (event) {
    case "message":
    case "message.any": {
      const parsed = messageSchema.safeParse(payload);
      if (!parsed.success) return ignored("the payload is not a WAHA message");
      const message = toStoredMessage(parsed.data, now);
      if (!isInboxJid(message.jid)) return ignored(`chat ${message.jid} is not an inbox chat`);
      const url = parsed.data.media?.url;
      return {
        kind: "message",
        message,
        senderName: message.senderName,
        mediaUrl: typeof url === "string" && url !== "" ? url : null,
        lidPhone: message.jid.endsWith("@lid") ? altPhone(parsed.data._data) : null,
      };
    }
    case "message.ack":
    case "message.ack.group": {
      const parsed = ackSchema.safeParse(payload);
      if (!parsed.success) return ignored("the payload is not a WAHA ack");
      const { id, ackName } = parsed.data;
      const ack =
        typeof parsed.data.ack === "number"
          ? parsed.data.ack
          : ackName
            ? ACK_NUMBERS.get(ackName)
            : undefined;
      if (ack === undefined) return ignored(`ack ${ackName ?? "null"} says nothing`);
      const jid = chatOfMessage(parsed.data);
      if (!isInboxJid(jid)) return ignored(`chat ${jid} is not an inbox chat`);
      return { kind: "ack", jid, key: keyOfMessageId(id), ack };
    }
    case "message.revoked": {
      const parsed = revokedSchema.safeParse(payload);
      if (!parsed.success) return ignored("the payload is not a WAHA revoke");
      const around = parsed.data.before ?? parsed.data.after;
      if (!around) return ignored("the revoke names no chat");
      const jid = targetChat(parsed.data.revokedMessageId, chatOfMessage(around));
      if (!isInboxJid(jid)) return ignored(`chat ${jid} is not an inbox chat`);
      return { kind: "revoked", jid, key: keyOfMessageId(parsed.data.revokedMessageId) };
    }
    case "message.edited": {
      const parsed = editedSchema.safeParse(payload);
      if (!parsed.success || typeof parsed.data.body !== "string")
        return ignored("the payload is not a WAHA edit");
      const jid = targetChat(parsed.data.editedMessageId, chatOfMessage(parsed.data));
      if (!isInboxJid(jid)) return ignored(`chat ${jid} is not an inbox chat`);
      return {
        kind: "edited",
        jid,
        key: keyOfMessageId(parsed.data.editedMessageId),
        body: parsed.data.body,
      };
    }
    case "message.reaction": {
      const parsed = reactionSchema.safeParse(payload);
      if (!parsed.success) return ignored("the payload is not a WAHA reaction");
      const { reaction, fromMe, participant, from } = parsed.data;
      const jid = reactionChat(reaction.messageId, chatOfMessage(parsed.data), me);
      if (!isInboxJid(jid)) return ignored(`chat ${jid} is not an inbox chat`);
      const sender = fromMe ? "me" : canonicalJid(participant ?? from);
      return {
        kind: "reaction",
        jid,
        key: keyOfMessageId(reaction.messageId),
        sender,
        text: reaction.text,
      };
    }
    // WAHA: src/structures/calls.dto.ts (CallData), src/structures/webhooks.dto.ts (call.*);
    // WEBJS raises call.received only (call.rejected for a call rejected through its API),
    // NOWEB and GOWS received (offer), accepted, rejected (reject, or terminate unless
    // accepted): src/core/engines/{webjs,noweb,gows}/session.*.core.ts (calls, toCallData).
    case "call.received":
    case "call.accepted":
    case "call.rejected": {
      const parsed = callSchema.safeParse(payload);
      if (!parsed.success || !parsed.data.from) return ignored("the payload is not a WAHA call");
      const call = parsed.data;
      const data = call._data as { groupJid?: unknown; GroupJID?: unknown } | null | undefined;
      const group = typeof data?.groupJid === "string" ? data.groupJid : data?.GroupJID;
      const from = canonicalJid(call.from ?? "");
      const jid = call.isGroup && typeof group === "string" ? canonicalJid(group) : from;
      if (!isInboxJid(jid)) return ignored(`chat ${jid} is not an inbox chat`);
      const seconds =
        typeof call.timestamp === "number" &&
        call.timestamp > 0 &&
        call.timestamp * 1000 <= now + 60_000
          ? Math.floor(call.timestamp)
          : Math.floor(now / 1000);
      const id = `call_${call.id.replace(/[^A-Za-z0-9._:+-]/g, "")}`;
      return {
        kind: "call",
        message: {
          jid,
          id,
          wahaId: id,
          key: id,
          ts: seconds,
          fromMe: false,
          sender: jid === from ? null : from,
          senderName: null,
          body: null,
          hasMedia: false,
          mediaMimetype: null,
          mediaName: null,
          ack: null,
          replyTo: null,
          kind: "call",
          extra: { video: call.isVideo === true, outcome: CALL_OUTCOMES[event] ?? "ringing" },
        },
      };
    }
    case "session.status": {
      const parsed = sessionSchema.safeParse(payload);
      if (!parsed.success) return ignored("the payload is not a WAHA session status");
      return { kind: "session", status: parsed.data.status };
    }
    default:
      return ignored(`event ${event} is not used`);
  }
}
