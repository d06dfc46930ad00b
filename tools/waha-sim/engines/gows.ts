// GOWS (whatsmeow over gRPC): from = the chat; `to` and `participant` are null in direct chats
// and the *sender* in groups (so our own group message has to = our number); group ids always
// end with the sender; whatsmeow's {Info, Message, Status} record in `_data`.
// WAHA: src/core/engines/gows/session.gows.core.ts (toWAMessage, getFromToParticipant,
// buildMessageId, receiptToMessageAck, processMessageReaction, messageResponse, getChats,
// getChatMessage, subscribeEngineEvents2), src/core/engines/gows/helpers.ts (statusToAck)
import type { SessionStatus } from "../config.ts";
import { hasParticipants, isBroadcastId, isNewsletterId, toCus, toJid } from "../jids.ts";
import type { SimChat, SimMessage, SimReaction, SimReceipt } from "../model.ts";
import { ME_DEVICE_JID, ME_ID, ME_LID, ME_NAME } from "../model.ts";
import type { Store } from "../store.ts";
import {
  ackNameOf,
  type ChatQuery,
  type EngineShapes,
  isoTime,
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

interface Info {
  Chat: string;
  Sender: string;
  IsFromMe: boolean;
  IsGroup: boolean;
  ID: string;
  Type: string;
  PushName: string;
  Timestamp: string;
  MediaType?: string;
}

interface GowsRecord {
  Info: Info;
  Message: Json;
  Status: number;
}

function senderOf(m: SimMessage): string {
  return m.fromMe ? ME_ID : (m.participant ?? m.chatId);
}

function gowsId(chatId: string, fromMe: boolean, key: string, sender: string): string {
  // buildMessageId: groups (and broadcasts, which whatsmeow counts as groups) always add the sender.
  return serializeId(fromMe, chatId, key, hasParticipants(chatId) ? sender : undefined);
}

/** whatsmeow's message content: Go's protobuf field names (stanzaID, PTT). */
const SPELLING: ProtoSpelling = {
  stanzaId: "stanzaID",
  ptt: "PTT",
  participant: (quoted) => toJid(senderOf(quoted)),
};

const MEDIA_TYPES: Record<string, string> = {
  image: "image",
  video: "video",
  ptt: "ptt",
  document: "document",
};

function info(
  chatId: string,
  sender: string,
  fromMe: boolean,
  key: string,
  seconds: number,
  name: string,
  mediaType?: string,
): Info {
  const data: Info = {
    Chat: toJid(chatId),
    Sender: fromMe ? ME_DEVICE_JID : toJid(sender),
    IsFromMe: fromMe,
    IsGroup: hasParticipants(chatId),
    ID: key,
    Type: mediaType ? "media" : "text",
    PushName: name,
    Timestamp: isoTime(seconds),
  };
  if (mediaType) data.MediaType = mediaType;
  return data;
}

function record(m: SimMessage, store: Store): GowsRecord {
  // A person's push name is their own: a direct chat is named after them, a group is not.
  const chat = store.chat(m.chatId);
  const own = chat && !chat.isGroup ? chat.name : "";
  const name = m.fromMe ? ME_NAME : (m.senderName ?? own);
  return {
    Info: info(
      m.chatId,
      senderOf(m),
      m.fromMe,
      m.key,
      m.timestamp,
      name,
      m.media ? MEDIA_TYPES[m.type] : undefined,
    ),
    Message: protoContent(m, store, SPELLING),
    // whatsmeow's status is our ack plus one (0 = error).
    Status: m.ack + 1,
  };
}

function bodyOf(message: Json | undefined): string | undefined {
  if (!message) return undefined;
  if (typeof message.conversation === "string" && message.conversation) return message.conversation;
  for (const value of Object.values(message)) {
    if (typeof value !== "object" || value === null) continue;
    const inner = value as Json;
    if (typeof inner.text === "string" && inner.text) return inner.text;
    if (typeof inner.caption === "string" && inner.caption) return inner.caption;
    if (inner.editedMessage) return bodyOf(inner.editedMessage as Json);
  }
  return undefined;
}

// WAHA: src/core/engines/noweb/utils.ts (extractMediaContent, which GOWS uses too: stickers count)
const MEDIA_CONTENT = [
  "imageMessage",
  "videoMessage",
  "audioMessage",
  "documentMessage",
  "stickerMessage",
];

/** WAHA's toWAMessage over a whatsmeow record. */
function fromRecord(
  data: GowsRecord,
  media: WahaMedia | null,
  source: string,
  replyTo: Json | null,
): Json {
  const { Info: i } = data;
  const sender = toCus(i.Sender);
  // An error status would read as ERROR; WAHA reports it as null (UNKNOWN) instead.
  const status = data.Status - 1;
  const ack = status < 0 || status > 4 ? null : status;
  const body = bodyOf(data.Message);
  return {
    id: serializeId(i.IsFromMe, toCus(i.Chat), i.ID, i.IsGroup ? sender : undefined),
    timestamp: Math.floor(Date.parse(i.Timestamp) / 1000),
    from: toCus(i.Chat),
    fromMe: i.IsFromMe,
    source,
    // extractBody finds nothing for media without a caption: the field is left out.
    ...(body === undefined ? {} : { body }),
    to: i.IsGroup ? sender : null,
    participant: i.IsGroup ? sender : null,
    hasMedia: MEDIA_CONTENT.some((type) => type in data.Message),
    media,
    ack,
    location: null,
    vCards: null,
    ackName: ackNameOf(ack),
    replyTo,
    _data: data,
  };
}

function replyTo(m: SimMessage, store: Store): Json | null {
  const quoted = quotedOf(m, store);
  if (!quoted) return null;
  return {
    id: quoted.key,
    participant: senderOf(quoted),
    body: quoted.body || undefined,
    _data: protoContent(quoted, store, SPELLING, 1),
  };
}

function message(m: SimMessage, media: WahaMedia | null, view: View): Json {
  return fromRecord(record(m, view.store), media, sourceOf(m), replyTo(m, view.store));
}

function protocolRecord(target: SimMessage, by: string, key: string, protocol: Json): GowsRecord {
  const fromMe = by === ME_ID;
  const targetKey: Json = {
    remoteJID: toJid(target.chatId),
    fromMe: target.fromMe,
    ID: target.key,
  };
  if (hasParticipants(target.chatId)) targetKey.participant = toJid(senderOf(target));
  return {
    Info: info(
      target.chatId,
      by,
      fromMe,
      key,
      Math.floor(Date.now() / 1000),
      fromMe ? ME_NAME : "",
    ),
    Message: { protocolMessage: { key: targetKey, ...protocol } },
    Status: fromMe ? 2 : 3,
  };
}

// WAHA: receiptToMessageAck maps receipt types: "" / inactive / active → DEVICE, read → READ,
// played → PLAYED, server-error → ERROR; other types (and SERVER acks) send nothing.
const RECEIPT_TYPES: Record<number, string> = {
  [-1]: "server-error",
  2: "",
  3: "read",
  4: "played",
};

function receipt(m: SimMessage, from: string, ack: number, seconds: number): Json {
  return {
    Chat: toJid(m.chatId),
    Sender: toJid(from),
    IsFromMe: false,
    IsGroup: hasParticipants(m.chatId),
    MessageIDs: [m.key],
    Timestamp: isoTime(seconds),
    Type: RECEIPT_TYPES[ack] ?? "",
    ...(hasParticipants(m.chatId) ? { MessageSender: toJid(ME_ID) } : {}),
  };
}

/** GetChats: `{id, name, conversationTimestamp}` only, by id ascending unless asked otherwise. */
// Which chats the Go side lists is not in WAHA's TypeScript; channels and status are left out here.
function chats(list: SimChat[], query: ChatQuery): Json[] {
  const descending = query.sortOrder === "desc";
  let shown = list.filter((c) => !isNewsletterId(c.id) && !isBroadcastId(c.id));
  if (query.sortBy === "conversationTimestamp") shown = sortedBy(shown, lastTime, descending);
  else if (query.sortBy === "name") shown = sortedBy(shown, (c) => c.name, descending);
  else shown = sortedBy(shown, (c) => toJid(c.id), descending);
  return page(shown, query.offset, query.limit).map((c) => ({
    id: c.id,
    name: c.name,
    conversationTimestamp: lastTime(c),
  }));
}

/**
 * The reacted message's id as WAHA builds it from the reaction's key, which is the reactor's
 * own: in a direct chat a customer's key names *our* number as the chat (and says fromMe when
 * the message was theirs); a member's key in a group names the message's sender, and WAHA puts
 * our own number in for the sender of any key marked fromMe.
 */
// WAHA: src/core/engines/gows/session.gows.core.ts (processMessageReaction,
// buildMessageIdFromKey, buildMessageId)
function reactedId(target: SimMessage, reaction: SimReaction): string {
  if (reaction.fromMe) return gows.messageId(target);
  const sender = senderOf(target);
  const theirs = sender === reaction.by;
  if (!hasParticipants(target.chatId)) return serializeId(theirs, ME_ID, target.key);
  return serializeId(theirs, target.chatId, target.key, theirs ? ME_ID : sender);
}

export const gows: EngineShapes = {
  name: "GOWS",
  browser: null,
  readsAll: false,
  messageId: (m) => gowsId(m.chatId, m.fromMe, m.key, senderOf(m)),
  // GOWS' media processor names files by Info.ID, the bare key.
  fileBase: (m) => m.key,
  listed: () => true,
  message,
  chats,
  chat: (chatId, store) => store.chat(toCus(chatId.includes("@") ? chatId : `${chatId}@c.us`)),
  // GetMessageById looks the key up alone; the chat in the path plays no part.
  findMessage: (_chatId, messageId, store) => store.message(messageId),
  // messageResponse: the id WAHA builds and the content whatsmeow sent.
  sent: (m, view) => ({ id: gows.messageId(m), _data: protoContent(m, view.store, SPELLING) }),
  reacted: (target, reaction) => ({
    id: gowsId(target.chatId, true, reaction.key, ME_ID),
    _data: {
      reactionMessage: {
        key: { remoteJID: toJid(target.chatId), fromMe: target.fromMe, ID: target.key },
        text: reaction.text,
        senderTimestampMS: reaction.timestamp * 1000,
      },
    },
  }),
  seen: (read) => (read === null ? undefined : { ids: read }),
  ack: (m) => {
    if (!m.fromMe || hasParticipants(m.chatId) || RECEIPT_TYPES[m.ack] === undefined)
      return undefined;
    return {
      id: serializeId(true, m.chatId, m.key),
      from: m.chatId,
      to: null,
      participant: null,
      fromMe: true,
      ack: m.ack,
      ackName: ackNameOf(m.ack),
      _data: receipt(m, m.chatId, m.ack, Math.floor(Date.now() / 1000)),
    };
  },
  groupAck: (m, r: SimReceipt) => {
    if (!m.fromMe || RECEIPT_TYPES[r.ack] === undefined) return undefined;
    return {
      id: serializeId(true, m.chatId, m.key, ME_ID),
      from: m.chatId,
      to: r.participant,
      participant: r.participant,
      fromMe: true,
      ack: r.ack,
      ackName: ackNameOf(r.ack),
      _data: receipt(m, r.participant, r.ack, r.timestamp),
    };
  },
  revoked: (m, _before, revokeKey) => {
    const data = protocolRecord(m, m.revoked?.by ?? ME_ID, revokeKey, { type: 0 });
    return {
      after: fromRecord(data, null, sourceOf({ fromMe: data.Info.IsFromMe }), null),
      before: null,
      revokedMessageId: m.key,
      _data: data,
    };
  },
  edited: (m, _previous, editKey) => {
    const data = protocolRecord(m, senderOf(m), editKey, {
      type: 14,
      editedMessage: { conversation: m.body },
      timestampMS: (m.edited?.timestamp ?? 0) * 1000,
    });
    return {
      ...fromRecord(data, null, sourceOf({ fromMe: data.Info.IsFromMe }), null),
      body: m.body,
      editedMessageId: m.key,
      _data: data,
    };
  },
  reaction: (target, reaction: SimReaction) => {
    const group = hasParticipants(target.chatId);
    return {
      id: gowsId(target.chatId, reaction.fromMe, reaction.key, reaction.by),
      timestamp: reaction.timestamp,
      from: target.chatId,
      fromMe: reaction.fromMe,
      source: sourceOf({ fromMe: reaction.fromMe, viaApi: reaction.fromMe }),
      to: group ? reaction.by : null,
      participant: group ? reaction.by : null,
      reaction: { text: reaction.text, messageId: reactedId(target, reaction) },
    };
  },
  sessionEngine: (status: SessionStatus) => ({
    engine: "GOWS",
    grpc: { client: "READY", stream: "READY" },
    gows: { found: true, connected: status === "WORKING" },
  }),
  me: () => ({ id: ME_ID, pushName: ME_NAME, lid: ME_LID, jid: ME_DEVICE_JID }),
};
