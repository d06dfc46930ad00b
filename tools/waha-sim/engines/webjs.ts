// WEBJS (whatsapp-web.js in Chromium): ours from=me to=chat, theirs from=chat to=me, group
// senders as participant; whatsapp-web.js's own records under `_data`.
// WAHA: src/core/engines/webjs/session.webjs.core.ts (toWAMessage, TagReceiptToMessageAck,
// processMessageReaction, subscribeEngineEvents2, getChats, getChatMessage, sendSeen)
import type { SessionStatus } from "../config.ts";
import { isBroadcastId, isGroupId, isNewsletterId } from "../jids.ts";
import type { SimChat, SimMessage, SimReaction, SimReceipt } from "../model.ts";
import { ME_ID, ME_NAME, messageIdOf } from "../model.ts";
import { seedOf } from "../prng.ts";
import type { Store } from "../store.ts";
import {
  ackNameOf,
  type ChatQuery,
  type EngineShapes,
  type Json,
  lastTime,
  page,
  quotedOf,
  serializeId,
  sortedBy,
  sourceOf,
  type View,
  type WahaMedia,
} from "./engine.ts";
import { specialRaw } from "./special-content.ts";

const BROWSER = "/usr/bin/google-chrome-stable";

function ends(m: SimMessage): { from: string; to: string } {
  return m.fromMe ? { from: ME_ID, to: m.chatId } : { from: m.chatId, to: ME_ID };
}

function wid(serialized: string) {
  const [user = "", server = ""] = serialized.split("@");
  return { server, user, _serialized: serialized };
}

function idObject(m: SimMessage) {
  return {
    fromMe: m.fromMe,
    remote: m.chatId,
    id: m.key,
    _serialized: m.id,
    ...(m.participant && !m.fromMe ? { participant: m.participant } : {}),
  };
}

/** whatsapp-web.js's raw message model (`rawData`), which WAHA passes through as `_data`. */
function rawData(m: SimMessage, store: Store): Json {
  const { from, to } = ends(m);
  const revoked = m.revoked !== undefined;
  const data: Json = {
    id: idObject(m),
    viewed: false,
    body: revoked ? "" : m.body,
    type: revoked ? "revoked" : m.type,
    t: m.timestamp,
    notifyName: m.fromMe ? ME_NAME : (m.senderName ?? ""),
    from,
    to,
    ack: m.ack,
    isNewMsg: false,
    star: false,
    hasReaction: (m.reactions?.length ?? 0) > 0,
  };
  if (m.participant && !m.fromMe) data.author = m.participant;
  if (!revoked) Object.assign(data, specialRaw(m));
  if (revoked) {
    data.protocolMessageKey = { fromMe: m.fromMe, remote: m.chatId, id: m.key, _serialized: m.id };
  }
  if (m.edited) data.latestEditSenderTimestampMs = m.edited.timestamp * 1000;
  const media = m.media;
  if (media && !revoked) {
    data.mimetype = media.mimetype;
    if (media.filename) data.filename = media.filename;
    if (media.caption) data.caption = media.caption;
  }
  const quoted = quotedOf(m, store);
  if (quoted) {
    data.quotedStanzaID = quoted.key;
    data.quotedParticipant = quoted.fromMe ? ME_ID : (quoted.participant ?? quoted.chatId);
    data.quotedMsg = {
      id: idObject(quoted),
      type: quoted.type,
      body: quoted.body,
      from: ends(quoted).from,
      ...(quoted.participant ? { author: quoted.participant } : {}),
    };
  }
  return data;
}

function replyTo(m: SimMessage, store: Store): Json | undefined {
  const quoted = quotedOf(m, store);
  if (!quoted) return undefined;
  const raw = rawData(m, store).quotedMsg as Json;
  return {
    id: quoted.key,
    participant: quoted.participant ?? ends(quoted).from,
    body: quoted.media?.caption ?? quoted.body,
    _data: raw,
  };
}

function message(m: SimMessage, media: WahaMedia | null, view: View): Json {
  const { from, to } = ends(m);
  const revoked = m.revoked !== undefined;
  const reply = replyTo(m, view.store);
  return {
    id: m.id,
    timestamp: m.timestamp,
    from,
    fromMe: m.fromMe,
    // toCusFormat(key.participant): only ids of others' group messages carry one.
    ...(m.participant && !m.fromMe ? { participant: m.participant } : {}),
    source: sourceOf(m),
    to,
    body: revoked ? "" : m.body,
    // A revoked message loses its media in whatsapp-web.js, and WAHA will not fetch it.
    hasMedia: m.media !== undefined && !revoked,
    media: revoked ? null : media,
    ack: m.ack,
    ackName: ackNameOf(m.ack),
    location: null,
    vCards: [],
    ...(reply ? { replyTo: reply } : {}),
    _data: rawData(m, view.store),
  };
}

/** whatsapp-web.js's own Message object: what WEBJS returns from sendText and puts in lastMessage. */
export function engineMessage(m: SimMessage, store: Store): Json {
  const { from, to } = ends(m);
  return {
    _data: rawData(m, store),
    id: idObject(m),
    ack: m.ack,
    hasMedia: m.media !== undefined,
    body: m.body,
    type: m.type,
    timestamp: m.timestamp,
    from,
    to,
    ...(m.participant && !m.fromMe ? { author: m.participant } : {}),
    deviceType: m.fromMe ? "web" : "android",
    isForwarded: false,
    forwardingScore: 0,
    isStatus: isBroadcastId(m.chatId),
    isStarred: false,
    fromMe: m.fromMe,
    hasQuotedMsg: m.replyTo !== undefined,
    hasReaction: (m.reactions?.length ?? 0) > 0,
    vCards: [],
    mentionedIds: [],
    links: [],
  };
}

function chatShape(chat: SimChat, view: View): Json {
  const last = chat.messages.at(-1);
  const timestamp = last?.timestamp ?? 0;
  const common = {
    name: chat.name,
    isGroup: chat.isGroup,
    unreadCount: chat.unreadCount,
    timestamp,
    archived: chat.archived,
    pinned: chat.pinned,
  };
  // whatsapp-web.js answers `{server, user, _serialized}` ids; the simulator mixes in plain
  // strings so a client is kept honest about both.
  if (chat.idShape === "string") {
    return {
      id: chat.id,
      ...common,
      conversationTimestamp: timestamp,
      lastMessage: last ? message(last, null, view) : null,
    };
  }
  const shaped: Json = {
    id: wid(chat.id),
    ...common,
    isReadOnly: false,
    isMuted: false,
    muteExpiration: 0,
    lastMessage: last ? engineMessage(last, view.store) : null,
  };
  if (chat.isGroup) {
    shaped.groupMetadata = {
      id: wid(chat.id),
      creation: (chat.messages[0]?.timestamp ?? timestamp) - 86_400 * 90,
      owner: wid(ME_ID),
      subject: chat.name,
      participants: (chat.participants ?? []).map((p) => ({
        id: wid(p),
        isAdmin: p === ME_ID,
        isSuperAdmin: p === ME_ID,
      })),
    };
  }
  return shaped;
}

/**
 * WhatsApp Web's own chat collection order, which WAHA does not sort: here a fixed shuffle by
 * chat id, deterministic but unrelated to recency. With parameters, WAHA's paginator sorts by
 * `t` or `name` (ascending unless told otherwise); sortBy=id becomes the path `id._serialized`,
 * which its NullLast reader takes as a plain key, so every chat ties and the order stays.
 */
// WAHA: src/core/engines/webjs/_WAHA.js (getChats), _Paginator.js (sort, NullLast),
// WebjsClientCore.ts (getChats: no pagination → whatsapp-web.js getChats)
function chats(list: SimChat[], query: ChatQuery, view: View): Json[] {
  // Channels and status updates live in their own WhatsApp Web collections, not in Chat.
  let shown = list.filter((c) => !isNewsletterId(c.id) && !isBroadcastId(c.id));
  shown = sortedBy(shown, (c) => seedOf(c.id), false);
  if (!query.empty) {
    const descending = query.sortOrder === "desc";
    if (query.sortBy === "conversationTimestamp") shown = sortedBy(shown, lastTime, descending);
    else if (query.sortBy === "name") shown = sortedBy(shown, (c) => c.name || null, descending);
    shown = page(shown, query.offset, query.limit);
  }
  return shown.map((c) => chatShape(c, view));
}

function ack(m: SimMessage, view: View): Json | undefined {
  // Only direct chats: WAHA drops acks whose `to` is a group or status@broadcast.
  const { to } = ends(m);
  if (isGroupId(to) || isBroadcastId(to)) return undefined;
  return message(m, null, view);
}

// WAHA: src/core/engines/webjs/ack.webjs.ts (TagReceiptNodeToReceiptEvent): a member's receipt of
// our group message has no recipient, so its key is "from me" with us as participant, and WAHA
// reports fromMe reversed.
function groupAck(m: SimMessage, receipt: SimReceipt): Json | undefined {
  if (!m.fromMe || receipt.ack < 2 || receipt.ack > 4) return undefined;
  const type = receipt.ack === 3 ? "read" : receipt.ack === 4 ? "played" : undefined;
  return {
    id: serializeId(true, m.chatId, m.key, ME_ID),
    from: m.chatId,
    to: m.chatId,
    participant: receipt.participant,
    fromMe: false,
    ack: receipt.ack,
    ackName: ackNameOf(receipt.ack),
    _data: {
      tag: "receipt",
      attrs: {
        id: m.key,
        from: m.chatId,
        participant: receipt.participant,
        t: String(receipt.timestamp),
        ...(type ? { type } : {}),
      },
      content: null,
    },
  };
}

export const webjs: EngineShapes = {
  name: "WEBJS",
  browser: BROWSER,
  // chat.sendSeen() reads the whole chat.
  readsAll: true,
  messageId: (m) => m.id,
  fileBase: (m) => m.id,
  listed: () => true,
  message,
  chats,
  // WEBJS adds @c.us to a bare number and looks the chat up as given: no @s.whatsapp.net.
  chat: (chatId, store) => store.chat(chatId),
  // getMessageById takes the serialised id as it is and ignores the chat in the path.
  findMessage: (_chatId, messageId, store) => {
    const m = store.message(messageId);
    return m && m.id === messageId ? m : undefined;
  },
  sent: (m, view) => engineMessage(m, view.store),
  // whatsapp-web.js's react() resolves with nothing.
  reacted: () => undefined,
  // readChatMessages answers {ids: null}; sendSeen with ids answers nothing.
  seen: (read) => (read === null ? undefined : { ids: null }),
  ack,
  groupAck,
  revoked: (m, before, _revokeKey, view) => ({
    after: message(m, null, view),
    before: message(before, null, view),
    // The revoked message's own key, from protocolMessageKey.id.
    revokedMessageId: m.key,
  }),
  edited: (m, previous, _editKey, view) => ({
    ...message(m, null, view),
    body: m.body,
    editedMessageId: m.key,
    _data: { message: engineMessage(m, view.store), newBody: m.body, prevBody: previous },
  }),
  reaction: (target, reaction: SimReaction) => {
    const participant = isGroupId(target.chatId) && !reaction.fromMe ? reaction.by : undefined;
    return {
      id: messageIdOf(target.chatId, reaction.fromMe, reaction.key, participant),
      from: reaction.by,
      fromMe: reaction.fromMe,
      source: sourceOf({ fromMe: reaction.fromMe, viaApi: reaction.fromMe }),
      participant: reaction.by,
      to: target.chatId,
      timestamp: reaction.timestamp,
      reaction: { text: reaction.text, messageId: target.id },
    };
  },
  sessionEngine: (status: SessionStatus) =>
    status === "WORKING"
      ? { engine: "WEBJS", WWebVersion: "2.3000.1029354720", state: "CONNECTED" }
      : { engine: "WEBJS" },
  me: () => ({ id: ME_ID, pushName: ME_NAME }),
};
