// NOWEB (Baileys): from = the chat on every message, ours included; `to` and `participant` only
// where the message key names a participant (others' group messages); Baileys records in `_data`.
// WAHA: src/core/engines/noweb/session.noweb.core.ts (toWAMessage, getFromToParticipant,
// buildMessageId, convertMessageUpdateToMessageAck, convertMessageReceiptUpdateToMessageAck,
// processMessageReaction, subscribeEngineEvents2, getChats, getChatMessage)
import { hasParticipants, isGroupId, isLidId, isNewsletterId, toCus, toJid } from "../jids.ts";
import type { SimChat, SimMessage, SimReaction, SimReceipt } from "../model.ts";
import { ME_ID, ME_LID, ME_NAME } from "../model.ts";
import type { Store } from "../store.ts";
import {
  ackNameOf,
  type ChatQuery,
  type EngineShapes,
  type Json,
  lastTime,
  type ProtoSpelling,
  page,
  protoContent,
  quotedOf,
  serializeId,
  sortedBy,
  sourceOf,
  type View,
  type WahaMedia,
} from "./engine.ts";

interface Key {
  remoteJid: string;
  fromMe: boolean;
  id: string;
  participant?: string;
  remoteJidAlt?: string;
}

interface NowebRecord {
  key: Key;
  message: Json;
  messageTimestamp: number;
  status: number;
  [field: string]: unknown;
}

/** The sender a key names: others' messages in groups and status updates. */
function participantOf(m: SimMessage): string | undefined {
  return hasParticipants(m.chatId) && !m.fromMe ? m.participant : undefined;
}

function keyOf(m: SimMessage, store: Store): Key {
  const participant = participantOf(m);
  const key: Key = { remoteJid: toJid(m.chatId), fromMe: m.fromMe, id: m.key };
  if (participant) key.participant = toJid(participant);
  const pn = isLidId(m.chatId) ? store.pnOfLid(m.chatId) : undefined;
  if (pn) key.remoteJidAlt = toJid(pn);
  return key;
}

function senderJid(m: SimMessage): string {
  return toJid(m.fromMe ? ME_ID : (m.participant ?? m.chatId));
}

/** Baileys' message content: the protobuf's own camelCase. */
const SPELLING: ProtoSpelling = {
  stanzaId: "stanzaId",
  ptt: "ptt",
  participant: senderJid,
};

function record(m: SimMessage, store: Store): NowebRecord {
  const data: NowebRecord = {
    key: keyOf(m, store),
    message: protoContent(m, store, SPELLING),
    messageTimestamp: m.timestamp,
    status: m.ack + 1,
  };
  // A person's push name is their own: a direct chat is named after them, a group is not.
  const chat = store.chat(m.chatId);
  if (!m.fromMe) data.pushName = m.senderName ?? (chat && !chat.isGroup ? chat.name : "");
  if (m.reactions?.length) {
    data.reactions = m.reactions.map((r) => ({
      key: reactionKey(m, r),
      text: r.text,
      senderTimestampMs: r.timestamp * 1000,
    }));
  }
  if (m.receipts?.length) data.userReceipt = m.receipts.map(userReceipt);
  return data;
}

function reactionKey(target: SimMessage, r: SimReaction): Key {
  const key: Key = { remoteJid: toJid(target.chatId), fromMe: r.fromMe, id: r.key };
  if (hasParticipants(target.chatId) && !r.fromMe) key.participant = toJid(r.by);
  return key;
}

// WAHA: convertMessageReceiptUpdateToMessageAck reads receiptTimestamp (→ SERVER) before
// readTimestamp (READ) and playedTimestamp (PLAYED).
function userReceipt(r: SimReceipt): Json {
  const field =
    r.ack === 3 ? "readTimestamp" : r.ack === 4 ? "playedTimestamp" : "receiptTimestamp";
  return { userJid: toJid(r.participant), [field]: r.timestamp };
}

/** Text as WAHA's extractBody finds it: plain text, extended text, a caption or an edit. */
function bodyOf(message: Json | undefined): string | null {
  if (!message) return null;
  if (typeof message.conversation === "string" && message.conversation) return message.conversation;
  for (const value of Object.values(message)) {
    if (typeof value !== "object" || value === null) continue;
    const inner = value as Json;
    if (typeof inner.text === "string" && inner.text) return inner.text;
    if (typeof inner.caption === "string" && inner.caption) return inner.caption;
    if (inner.editedMessage) return bodyOf(inner.editedMessage as Json);
  }
  return null;
}

function hasMediaContent(message: Json): boolean {
  return ["imageMessage", "videoMessage", "audioMessage", "documentMessage", "stickerMessage"].some(
    (type) => type in message,
  );
}

function buildId(key: Key): string {
  return serializeId(
    key.fromMe,
    toCus(key.remoteJid),
    key.id,
    key.participant ? toCus(key.participant) : undefined,
  );
}

/** WAHA's toWAMessage over a Baileys record. */
function fromRecord(
  data: NowebRecord,
  media: WahaMedia | null,
  source: string,
  replyTo: Json | null,
): Json {
  const group = data.key.participant !== undefined;
  const ack = data.status - 1;
  return {
    id: buildId(data.key),
    timestamp: data.messageTimestamp,
    from: toCus(data.key.remoteJid),
    fromMe: data.key.fromMe,
    source,
    body: bodyOf(data.message),
    ...(group
      ? { to: toCus(data.key.remoteJid), participant: toCus(data.key.participant ?? "") }
      : {}),
    hasMedia: hasMediaContent(data.message),
    media,
    ack,
    ackName: ackNameOf(ack),
    location: null,
    vCards: null,
    replyTo,
    _data: data,
  };
}

function replyTo(m: SimMessage, store: Store): Json | null {
  const quoted = quotedOf(m, store);
  if (!quoted) return null;
  return {
    id: quoted.key,
    participant: toCus(senderJid(quoted)),
    body: quoted.body || null,
    _data: protoContent(quoted, store, SPELLING, 1),
  };
}

function message(m: SimMessage, media: WahaMedia | null, view: View): Json {
  return fromRecord(record(m, view.store), media, sourceOf(m), replyTo(m, view.store));
}

/** A protocol message (revoke, edit) sent by `by` into the chat of `target`. */
function protocolRecord(target: SimMessage, by: string, key: string, protocol: Json): NowebRecord {
  const fromMe = by === ME_ID;
  const own: Key = { remoteJid: toJid(target.chatId), fromMe, id: key };
  if (hasParticipants(target.chatId) && !fromMe) own.participant = toJid(by);
  const targetKey: Json = {
    remoteJid: toJid(target.chatId),
    fromMe: target.fromMe,
    id: target.key,
  };
  const participant = participantOf(target);
  if (participant) targetKey.participant = toJid(participant);
  return {
    key: own,
    message: { protocolMessage: { key: targetKey, ...protocol } },
    messageTimestamp: Math.floor(Date.now() / 1000),
    // Someone else's edit or deletion comes with their push name, as any of their messages
    // (seen from real WAHA 2026.2.1, test/fixtures/waha-2026.2.1/noweb/webhook-message.edited.json).
    ...(fromMe ? {} : { pushName: target.senderName ?? "" }),
    status: fromMe ? 2 : 3,
  };
}

/**
 * Baileys chats from the store: `…@s.whatsapp.net` ids, no unreadCount (WAHA deletes it) and no
 * last message; broadcasts and channels included. Newest first unless asked otherwise.
 */
// WAHA: src/core/engines/noweb/store/NowebPersistentStore.ts (getChats), sql/SqlChatMethods.ts
function chats(list: SimChat[], query: ChatQuery): Json[] {
  const descending = (query.sortOrder ?? "desc") === "desc";
  const named = (c: SimChat) => isGroupId(c.id) || isNewsletterId(c.id);
  let shown = list.filter((c) => c.messages.length > 0);
  if (query.sortBy === "id") shown = sortedBy(shown, (c) => toJid(c.id), descending);
  else if (query.sortBy === "name")
    shown = sortedBy(shown, (c) => (named(c) ? c.name : null), descending);
  else shown = sortedBy(shown, lastTime, descending);
  return page(shown, query.offset, query.limit).map((c) => ({
    id: toJid(c.id),
    conversationTimestamp: lastTime(c),
    ...(named(c) ? { name: c.name } : {}),
  }));
}

function sentRecord(m: SimMessage, store: Store): Json {
  // Baileys' WebMessageInfo as protobuf.js serialises it: longs as strings, enums by name.
  const data: Json = {
    key: { remoteJid: toJid(m.chatId), fromMe: true, id: m.key },
    message: protoContent(m, store, SPELLING),
    messageTimestamp: String(m.timestamp),
    status: "PENDING",
  };
  if (isGroupId(m.chatId)) data.participant = toJid(ME_ID);
  return data;
}

export const noweb: EngineShapes = {
  name: "NOWEB",
  browser: null,
  readsAll: false,
  messageId: (m) => m.id,
  // NOWEB's media processor names files by the bare key.
  fileBase: (m) => m.key,
  // Baileys drops a revoked message's content; WAHA's store then deletes the message.
  listed: (m) => m.revoked === undefined,
  message,
  chats,
  chat: (chatId, store) => store.chat(toCus(chatId.includes("@") ? chatId : `${chatId}@c.us`)),
  // By (chat, key): the chat must match, the id may be given in any form.
  findMessage: (chatId, messageId, store) => {
    const m = store.message(messageId);
    const chat = noweb.chat(chatId, store);
    return m && chat && m.chatId === chat.id && noweb.listed(m) ? m : undefined;
  },
  sent: (m, view) => sentRecord(m, view.store),
  reacted: (target, reaction) => ({
    key: { remoteJid: toJid(target.chatId), fromMe: true, id: reaction.key },
    message: {
      reactionMessage: {
        key: { remoteJid: toJid(target.chatId), fromMe: target.fromMe, id: target.key },
        text: reaction.text,
        senderTimestampMs: String(reaction.timestamp * 1000),
      },
    },
    messageTimestamp: String(reaction.timestamp),
    status: "PENDING",
  }),
  seen: (read) => (read === null ? undefined : { ids: read }),
  // messages.update: our direct messages' delivery and reads (a group's come per member, as
  // message-receipt.update; its own status is groupStatus).
  ack: (m) => {
    if (!m.fromMe || isGroupId(m.chatId)) return undefined;
    return {
      id: m.id,
      from: m.chatId,
      fromMe: true,
      ack: m.ack,
      ackName: ackNameOf(m.ack),
    };
  },
  // Baileys' messages.update for our group message (the server's ack, an error) becomes
  // message.ack too: WAHA filters those updates by isMine only, not by chat, unlike WEBJS.
  // WAHA: session.noweb.core.ts (messageAckDirect$, convertMessageUpdateToMessageAck)
  groupStatus: (m) => ({
    id: serializeId(true, m.chatId, m.key),
    from: m.chatId,
    fromMe: true,
    ack: m.ack,
    ackName: ackNameOf(m.ack),
  }),
  groupAck: (m, receipt) => {
    if (!m.fromMe || receipt.ack < 2 || receipt.ack > 4) return undefined;
    const ack = receipt.ack === 2 ? 1 : receipt.ack;
    const groupKey = {
      remoteJid: m.chatId,
      id: m.key,
      fromMe: true,
      participant: toJid(receipt.participant),
    };
    return {
      // The key's participant is replaced by ours for the id, but not for from/to/participant.
      id: serializeId(true, m.chatId, m.key, ME_ID),
      from: m.chatId,
      to: m.chatId,
      participant: receipt.participant,
      fromMe: true,
      ack,
      ackName: ackNameOf(ack),
      _data: { key: groupKey, receipt: userReceipt(receipt) },
    };
  },
  revoked: (m, _before, revokeKey) => {
    const data = protocolRecord(m, m.revoked?.by ?? ME_ID, revokeKey, { type: "REVOKE" });
    return {
      after: fromRecord(data, null, sourceOf({ fromMe: data.key.fromMe }), null),
      before: null,
      revokedMessageId: m.key,
      _data: data,
    };
  },
  edited: (m, _previous, editKey) => {
    const by = m.fromMe ? ME_ID : (m.participant ?? m.chatId);
    const data = protocolRecord(m, by, editKey, {
      type: "MESSAGE_EDIT",
      editedMessage: { conversation: m.body },
      timestampMs: (m.edited?.timestamp ?? 0) * 1000,
    });
    return {
      ...fromRecord(data, null, sourceOf({ fromMe: data.key.fromMe }), null),
      body: m.body,
      editedMessageId: m.key,
      _data: data,
    };
  },
  reaction: (target, reaction) => {
    const key = reactionKey(target, reaction);
    const group = key.participant !== undefined;
    return {
      id: buildId(key),
      timestamp: reaction.timestamp,
      from: target.chatId,
      fromMe: reaction.fromMe,
      source: sourceOf({ fromMe: reaction.fromMe, viaApi: reaction.fromMe }),
      ...(group ? { to: target.chatId, participant: reaction.by } : {}),
      reaction: { text: reaction.text, messageId: target.id },
    };
  },
  // NOWEB has no engine info beyond its name.
  sessionEngine: () => ({ engine: "NOWEB" }),
  me: () => ({ id: ME_ID, pushName: ME_NAME, lid: ME_LID }),
};
