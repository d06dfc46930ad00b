// Control routes about messages: add one (and announce it), ack, revoke, edit or react to one,
// and teach the simulator a lid. Bad input answers 400 naming the field.
import { acknowledge, announce, edit, firstMember, react, revoke } from "./actions.ts";
import { asObject } from "./body.ts";
import { chatKind, hasParticipants, isLidId, toCus } from "./jids.ts";
import { ackName, isMediaKind, ME_ID, type SimMessage } from "./model.ts";
import { json, type Reply } from "./reply.ts";
import type { SimState } from "./state.ts";
import type { NewMessage } from "./store.ts";

export type Body = Record<string, unknown>;

export function bad(message: string): Reply {
  return json(400, { error: "bad-request", message });
}

export function isCount(value: unknown, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

const CHAT_ID = /^[A-Za-z0-9._:+-]+@(c\.us|g\.us|lid|newsletter|broadcast|s\.whatsapp\.net)$|^\d+$/;

function parseMedia(raw: unknown, input: NewMessage): string | undefined {
  const media = asObject(raw);
  if (!media || !isMediaKind(media.kind))
    return "media.kind must be one of the supported mimetypes";
  if (media.size !== undefined && !isCount(media.size, 1e12))
    return "media.size must be a whole number of bytes";
  if (media.missing !== undefined && typeof media.missing !== "boolean")
    return "media.missing must be a boolean";
  if (media.filename !== undefined && typeof media.filename !== "string")
    return "media.filename must be a string";
  if (media.mimetype !== undefined && typeof media.mimetype !== "string")
    return "media.mimetype must be a string";
  if (media.playable !== undefined && typeof media.playable !== "boolean")
    return "media.playable must be a boolean";
  if (media.playable === false && media.kind !== "video/mp4")
    return "media.playable: false is only for video/mp4";
  input.media = { kind: media.kind };
  if (typeof media.size === "number") input.media.size = media.size;
  if (media.missing === true) input.media.missing = true;
  if (typeof media.filename === "string") input.media.filename = media.filename;
  if (media.playable === false) input.media.look = "broken";
  // Any text, as a phone may declare it (CR/LF included): the gateway must cope.
  if (typeof media.mimetype === "string") input.media.mimetype = media.mimetype;
  return undefined;
}

function parseNewMessage(sim: SimState, body: Body): NewMessage | string {
  if (typeof body.chatId !== "string" || !CHAT_ID.test(body.chatId))
    return "chatId must be a chat id like 15551234567@c.us, …@g.us, …@lid, …@newsletter or status@broadcast";
  if (body.body !== undefined && typeof body.body !== "string") return "body must be a string";
  if (body.fromMe !== undefined && typeof body.fromMe !== "boolean")
    return "fromMe must be a boolean";
  if (body.participant !== undefined && typeof body.participant !== "string")
    return "participant must be a string";
  if (body.ack !== undefined && !isAck(body.ack)) return "ack must be an integer from -1 to 4";
  if (body.timestamp !== undefined && !isCount(body.timestamp, 99_999_999_999))
    return "timestamp must be a whole number of seconds";
  if (
    body.replyTo !== undefined &&
    (typeof body.replyTo !== "string" || !sim.store.message(body.replyTo))
  )
    return "replyTo must name an existing message";
  const chatId = toCus(body.chatId.includes("@") ? body.chatId : `${body.chatId}@c.us`);
  const fromMe = body.fromMe === true;
  if (chatKind(chatId) === "newsletter" && fromMe)
    return "fromMe: a channel's posts come from the channel";
  const input: NewMessage = {
    chatId,
    body: typeof body.body === "string" ? body.body : "",
    fromMe,
  };
  if (body.senderName !== undefined && typeof body.senderName !== "string")
    return "senderName must be a string";
  if (typeof body.senderName === "string") input.senderName = body.senderName;
  const special = parseSpecial(body, input);
  if (special) return special;
  if (typeof body.participant === "string") input.participant = toCus(body.participant);
  else if (hasParticipants(chatId) && !fromMe) {
    // A group (or status) message from someone else needs its sender.
    const chat = sim.store.chat(chatId);
    input.participant = chat?.participants?.find((p) => p !== ME_ID) ?? "15550100101@c.us";
  }
  if (typeof body.ack === "number") input.ack = body.ack;
  else input.ack = sim.engine.name === "WEBJS" || fromMe ? 1 : 2;
  if (typeof body.timestamp === "number") input.timestamp = body.timestamp;
  if (typeof body.replyTo === "string") {
    const quoted = sim.store.message(body.replyTo);
    if (quoted) input.replyTo = quoted.key;
  }
  if (body.media !== undefined) {
    const error = parseMedia(body.media, input);
    if (error) return error;
  }
  return input;
}

/** `location: {latitude, longitude, name?, address?}`, `card: {name, number}`, `sticker: true`. */
function parseSpecial(body: Body, input: NewMessage): string | undefined {
  if (body.location !== undefined) {
    const loc = asObject(body.location);
    const { latitude, longitude, name, address } = loc ?? {};
    if (typeof latitude !== "number" || Math.abs(latitude) > 90)
      return "location.latitude must be a number from -90 to 90";
    if (typeof longitude !== "number" || Math.abs(longitude) > 180)
      return "location.longitude must be a number from -180 to 180";
    input.location = {
      latitude,
      longitude,
      ...(typeof name === "string" ? { name } : {}),
      ...(typeof address === "string" ? { address } : {}),
    };
  }
  if (body.card !== undefined) {
    const card = asObject(body.card);
    if (
      typeof card?.name !== "string" ||
      typeof card.number !== "string" ||
      !/^\d{6,15}$/.test(card.number)
    )
      return "card must be {name, number} with the number's digits";
    input.card = { name: card.name, number: card.number };
  }
  if (body.sticker !== undefined && typeof body.sticker !== "boolean")
    return "sticker must be a boolean";
  if (body.sticker === true) input.sticker = true;
  return undefined;
}

function isAck(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= -1 && value <= 4;
}

/** With webhook: true the message is announced (its media downloaded, as WAHA does for webhooks). */
export async function addMessage(sim: SimState, body: Body): Promise<Reply> {
  const input = parseNewMessage(sim, body);
  if (typeof input === "string") return bad(input);
  if (
    body.events !== undefined &&
    !(Array.isArray(body.events) && body.events.every((e) => typeof e === "string"))
  ) {
    return bad("events must be an array of event names");
  }
  const message = sim.store.addMessage(input);
  if (body.webhook !== true) return json(201, sim.shape(message, false));
  const events = Array.isArray(body.events) ? (body.events as string[]) : undefined;
  const { payload, last } = await announce(sim, message, events);
  return json(201, payload, last ? { "X-Sim-Webhook-Status": last.status } : {});
}

function messageOf(sim: SimState, body: Body): SimMessage | undefined {
  return typeof body.messageId === "string" ? sim.store.message(body.messageId) : undefined;
}

export async function setAck(sim: SimState, body: Body): Promise<Reply> {
  const message = messageOf(sim, body);
  if (!message) return bad("messageId must name an existing message");
  if (!isAck(body.ack)) return bad("ack must be an integer from -1 to 4");
  if (body.participant !== undefined && typeof body.participant !== "string")
    return bad("participant must be a string");
  if (body.participant !== undefined && !hasParticipants(message.chatId))
    return bad("participant is only for group messages");
  const participant = typeof body.participant === "string" ? toCus(body.participant) : undefined;
  const emitted = await acknowledge(sim, message, body.ack, participant);
  return json(200, {
    id: sim.engine.messageId(message),
    ack: body.ack,
    ackName: ackName(body.ack),
    event: emitted.event,
    payload: emitted.payload,
    ...(emitted.webhook ? { webhook: emitted.webhook } : {}),
  });
}

export async function revokeMessage(sim: SimState, body: Body): Promise<Reply> {
  const message = messageOf(sim, body);
  if (!message) return bad("messageId must name an existing message");
  if (message.revoked) return bad("messageId names a message already revoked");
  const emitted = await revoke(sim, message);
  return json(200, {
    id: sim.engine.messageId(message),
    event: emitted.event,
    payload: emitted.payload,
    ...(emitted.webhook ? { webhook: emitted.webhook } : {}),
  });
}

export async function editMessage(sim: SimState, body: Body): Promise<Reply> {
  const message = messageOf(sim, body);
  if (!message) return bad("messageId must name an existing message");
  if (message.revoked) return bad("messageId names a revoked message");
  if (typeof body.body !== "string" || body.body === "")
    return bad("body must be a non-empty string");
  const emitted = await edit(sim, message, body.body);
  return json(200, {
    id: sim.engine.messageId(message),
    event: emitted.event,
    payload: emitted.payload,
    ...(emitted.webhook ? { webhook: emitted.webhook } : {}),
  });
}

export async function reactTo(sim: SimState, body: Body): Promise<Reply> {
  const message = messageOf(sim, body);
  if (!message) return bad("messageId must name an existing message");
  if (typeof body.text !== "string") return bad('text must be a string ("" removes the reaction)');
  if (body.fromMe !== undefined && typeof body.fromMe !== "boolean")
    return bad("fromMe must be a boolean");
  if (body.participant !== undefined && typeof body.participant !== "string")
    return bad("participant must be a string");
  const by =
    body.fromMe === true
      ? ME_ID
      : typeof body.participant === "string"
        ? toCus(body.participant)
        : hasParticipants(message.chatId)
          ? firstMember(sim, message)
          : message.chatId;
  const emitted = await react(sim, message, body.text, by);
  return json(200, {
    id: sim.engine.messageId(message),
    event: emitted.event,
    payload: emitted.payload,
    ...(emitted.webhook ? { webhook: emitted.webhook } : {}),
  });
}

export function addLid(sim: SimState, body: Body): Reply {
  if (typeof body.lid !== "string" || !isLidId(body.lid)) return bad("lid must end with @lid");
  if (typeof body.pn !== "string" || !/^\d+@(c\.us|s\.whatsapp\.net)$/.test(body.pn))
    return bad("pn must be a phone chat id like 15551234567@c.us");
  const pn = toCus(body.pn);
  sim.store.addLid(body.lid, pn);
  return json(200, { lid: body.lid, pn });
}
