// WAHA's sending endpoints: sendText (with reply_to), sendSeen, the Plus media sends and
// reactions, each answering as the configured engine does and announcing what it sent.
// WAHA: src/api/chatting.controller.ts, src/structures/chatting.dto.ts, src/structures/files.dto.ts
import { announce, react } from "./actions.ts";
import { asObject, BodyError } from "./body.ts";
import type { Ctx } from "./context.ts";
import type { Answer } from "./engines/engine.ts";
import { badRequest, requireWorking, storeRefusal } from "./guards.ts";
import { ensureSuffix, isGroupId, toCus } from "./jids.ts";
import type { MediaKind, MessageType, SimMessage } from "./model.ts";
import { ME_ID } from "./model.ts";
import { empty, json, nestError, notImplemented, plusOnly, type Reply } from "./reply.ts";
import type { NewMessage } from "./store.ts";

const CHAT_ID = /^[0-9]+(@(c\.us|g\.us|lid|s\.whatsapp\.net|newsletter))?$/;
/** A base64 upload of WA_UPLOAD_MAX_BYTES (16 MiB) with room to spare; WAHA itself takes 50 MB. */
const MEDIA_BODY_LIMIT = 24 * 1024 * 1024;

type Fields = Record<string, unknown>;
type Read = { ok: true; fields: Fields } | { ok: false; reply: Reply };
type Parsed =
  | { ok: true; session: string; chatId: string; fields: Fields }
  | { ok: false; reply: Reply };

async function readFields(ctx: Ctx, limit?: number): Promise<Read> {
  try {
    return { ok: true, fields: asObject(await ctx.readBody(limit)) ?? {} };
  } catch (err) {
    return {
      ok: false,
      reply: badRequest([err instanceof BodyError ? err.message : "invalid body"]),
    };
  }
}

/** Body checks in class-validator's words; session defaults to "default" as in WAHA's DTOs. */
async function parseChatRequest(ctx: Ctx, required: string[], limit?: number): Promise<Parsed> {
  const read = await readFields(ctx, limit);
  if (!read.ok) return read;
  const { fields } = read;
  const errors: string[] = [];
  for (const name of ["chatId", ...required]) {
    const value = fields[name];
    if (typeof value !== "string" || value.trim() === "") {
      errors.push(`${name} should not be empty`, `${name} must be a string`);
    }
  }
  const chatId = typeof fields.chatId === "string" ? fields.chatId : "";
  if (errors.length === 0 && !CHAT_ID.test(chatId)) errors.push("chatId must be a valid chat id");
  if (fields.session !== undefined && typeof fields.session !== "string")
    errors.push("session must be a string");
  if (
    fields.reply_to !== undefined &&
    fields.reply_to !== null &&
    typeof fields.reply_to !== "string"
  )
    errors.push("reply_to must be a string");
  if (errors.length > 0) return { ok: false, reply: badRequest(errors) };
  const session = typeof fields.session === "string" ? fields.session : "default";
  return { ok: true, session, chatId: toCus(ensureSuffix(chatId)), fields };
}

/** The quoted message's key, when WAHA can find it; an unknown reply_to sends without a quote. */
function quoted(ctx: Ctx, fields: Fields): string | undefined {
  return typeof fields.reply_to === "string"
    ? ctx.sim.store.message(fields.reply_to)?.key
    : undefined;
}

/** Nest answers a POST with 201, with the engine's body or nothing. */
function answered(status: number, body: Answer): Reply {
  return body === undefined ? empty(status) : json(status, body);
}

/**
 * The engine's own `message.any` for what we sent. WAHA sends it from the engine's event
 * stream, which runs beside the HTTP answer (Baileys emits its own upsert on the next tick
 * of its send), so either may reach its peer first; `sendEcho` pins one order for a test.
 */
async function echo(ctx: Ctx, m: SimMessage): Promise<void> {
  const { sim } = ctx;
  const send = () => void announce(sim, m, ["message.any"]);
  switch (sim.config.sendEcho) {
    case "with":
      setImmediate(send);
      return;
    case "before":
      // Delivered (WAHA's retries included) before the answer leaves.
      await announce(sim, m, ["message.any"]);
      return;
    case "after":
      ctx.afterAnswer(() => setTimeout(send, sim.config.echoDelayMs));
      return;
    case "none":
      return;
  }
}

async function sendMessage(ctx: Ctx, input: NewMessage): Promise<Reply> {
  const { sim } = ctx;
  const ack = sim.engine.name === "NOWEB" ? 0 : 1;
  const m = sim.store.addMessage({ ...input, fromMe: true, viaApi: true, ack });
  sim.lastActivityMs = Date.now();
  await echo(ctx, m);
  return answered(201, sim.engine.sent(m, sim.view()));
}

export async function sendText(ctx: Ctx): Promise<Reply> {
  const parsed = await parseChatRequest(ctx, ["text"]);
  if (!parsed.ok) return parsed.reply;
  const refused = await requireWorking(ctx, parsed.session);
  if (refused) return refused;
  const replyTo = quoted(ctx, parsed.fields);
  return sendMessage(ctx, {
    chatId: parsed.chatId,
    body: String(parsed.fields.text),
    fromMe: true,
    ...(replyTo ? { replyTo } : {}),
  });
}

type MediaRoute = "sendImage" | "sendFile" | "sendVoice" | "sendVideo";

function kindOf(route: MediaRoute, mimetype: string): { kind: MediaKind; type: MessageType } {
  const base = mimetype.split(";")[0]?.trim().toLowerCase() ?? "";
  if (route === "sendVoice") return { kind: "audio/ogg", type: "ptt" };
  if (route === "sendVideo") return { kind: "video/mp4", type: "video" };
  const kind: MediaKind = base.startsWith("image/")
    ? base === "image/png"
      ? "image/png"
      : "image/jpeg"
    : base === "application/pdf"
      ? "application/pdf"
      : base.startsWith("video/")
        ? "video/mp4"
        : base.startsWith("audio/")
          ? "audio/ogg"
          : "application/octet-stream";
  return { kind, type: route === "sendImage" ? "image" : "document" };
}

/** What WhatsApp needs a voice note and a video to be, and what `convert` makes of a file. */
const CONVERTED: Partial<Record<MediaRoute, string>> = {
  sendVoice: "audio/ogg; codecs=opus",
  sendVideo: "video/mp4",
};

/**
 * sendImage, sendFile, sendVoice, sendVideo: Plus only (Core's engines answer 422, and 501 for
 * sendVideo, which no Core engine implements); `file` holds base64 `data` or a `url`. A voice
 * note or video goes out as it came unless `convert: true` asks Plus to run it through ffmpeg
 * first: an unconverted file WhatsApp cannot play arrives all the same, under its own type.
 */
// WAHA: src/core/abc/session.abc.ts (sendVideo: NotImplementedByEngineError), the engines'
// sendVoice (AvailableInPlusVersion), src/structures/chatting.dto.ts (MessageVoiceRequest,
// MessageVideoRequest: convert), src/structures/properties.dto.ts (ConvertApiProperty)
export async function sendMedia(ctx: Ctx, route: MediaRoute): Promise<Reply> {
  const { sim } = ctx;
  if (sim.config.tier !== "PLUS") {
    return route === "sendVideo" ? notImplemented(sim.engine.name) : plusOnly(sim.engine.name);
  }
  const parsed = await parseChatRequest(ctx, [], MEDIA_BODY_LIMIT);
  if (!parsed.ok) return parsed.reply;
  const file = asObject(parsed.fields.file);
  if (!file) return badRequest(["file must be an object with mimetype and data or url"]);
  if (typeof file.mimetype !== "string" || file.mimetype === "")
    return badRequest(["file.mimetype must be a string"]);
  const hasData = typeof file.data === "string" && file.data !== "";
  const hasUrl = typeof file.url === "string" && file.url !== "";
  if (hasData === hasUrl) return badRequest(['file must contain either "data" or "url"']);
  if (hasData && !/^[A-Za-z0-9+/]*={0,2}$/.test(String(file.data)))
    return badRequest(["file.data must be base64 encoded"]);
  if (file.filename !== undefined && typeof file.filename !== "string")
    return badRequest(["file.filename must be a string"]);
  const caption = parsed.fields.caption;
  if (caption !== undefined && typeof caption !== "string")
    return badRequest(["caption must be a string"]);
  const convert = parsed.fields.convert;
  if (convert !== undefined && typeof convert !== "boolean")
    return badRequest(["convert must be a boolean value"]);
  const refused = await requireWorking(ctx, parsed.session);
  if (refused) return refused;
  const { kind, type } = kindOf(route, file.mimetype);
  const replyTo = quoted(ctx, parsed.fields);
  // Converted: a file of the kind WhatsApp plays, made here (the simulator has no ffmpeg).
  const converted = convert === true ? CONVERTED[route] : undefined;
  const input: NewMessage = {
    chatId: parsed.chatId,
    body: route === "sendVoice" ? "" : (caption ?? ""),
    fromMe: true,
    type,
    media: {
      kind,
      mimetype: converted ?? file.mimetype,
      ...(typeof file.filename === "string" ? { filename: file.filename } : {}),
      // A url is not fetched: the simulator makes a file of the declared kind instead.
      ...(hasData && !converted ? { bytes: Buffer.from(String(file.data), "base64") } : {}),
    },
    ...(replyTo ? { replyTo } : {}),
  };
  return sendMessage(ctx, input);
}

/** PUT /api/reaction {session, messageId, reaction}: our reaction, or "" to take it back. */
export async function setReaction(ctx: Ctx): Promise<Reply> {
  const read = await readFields(ctx);
  if (!read.ok) return read.reply;
  const { fields } = read;
  const errors: string[] = [];
  if (typeof fields.messageId !== "string" || fields.messageId === "")
    errors.push("messageId should not be empty", "messageId must be a string");
  if (typeof fields.reaction !== "string") errors.push("reaction must be a string");
  if (fields.session !== undefined && typeof fields.session !== "string")
    errors.push("session must be a string");
  if (errors.length > 0) return badRequest(errors);
  const refused = await requireWorking(
    ctx,
    typeof fields.session === "string" ? fields.session : "default",
  );
  if (refused) return refused;
  const { sim } = ctx;
  const messageId = String(fields.messageId);
  const parts = messageId.split("_").length;
  // NOWEB and GOWS parse the id strictly, and react without looking the message up.
  if (sim.engine.name !== "WEBJS" && parts !== 3 && parts !== 4) {
    return json(500, {
      statusCode: 500,
      exception: {
        message:
          "Message id be in format false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA[_participant]",
        name: "Error",
      },
    });
  }
  const target = sim.store.message(messageId);
  if (!target) {
    if (sim.engine.name === "WEBJS") return nestError(500, "Internal server error");
    return answered(200, { ok: true });
  }
  const { reaction } = await react(sim, target, String(fields.reaction), ME_ID, false);
  sim.lastActivityMs = Date.now();
  // Nest answers a PUT with 200.
  return answered(200, sim.engine.reacted(target, reaction, sim.view()));
}

/**
 * sendSeen with messageId(s) marks those read and answers nothing. Without, WAHA reads the chat:
 * WEBJS all of it ({ids: null}); NOWEB and GOWS the unread messages of the last 7 days still at
 * DEVICE (30, or 100 in a group), answering their ids.
 */
// WAHA: src/core/abc/session.abc.ts (readChatMessagesWSImpl), src/core/utils/convertors.ts
// (MessagesForRead, ExtractMessageKeysForRead)
export async function sendSeen(ctx: Ctx): Promise<Reply> {
  const parsed = await parseChatRequest(ctx, []);
  if (!parsed.ok) return parsed.reply;
  const refused = await requireWorking(ctx, parsed.session);
  if (refused) return refused;
  const { sim } = ctx;
  const { fields } = parsed;
  const named = [
    ...(Array.isArray(fields.messageIds) ? fields.messageIds : []),
    ...(typeof fields.messageId === "string" ? [fields.messageId] : []),
  ].filter((id): id is string => typeof id === "string");
  const chat = sim.engine.chat(parsed.chatId, sim.store);
  sim.lastActivityMs = Date.now();
  if (named.length > 0) {
    for (const id of named) {
      const m = sim.store.message(id);
      if (m && !m.fromMe) m.ack = Math.max(m.ack, 3);
    }
    if (chat) chat.unreadCount = 0;
    return answered(201, sim.engine.seen(null));
  }
  if (sim.engine.readsAll) {
    if (chat) chat.unreadCount = 0;
    return answered(201, sim.engine.seen([]));
  }
  // Picking the messages to read lists the chat's messages: NOWEB needs its store for that.
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  const since = Math.floor((Date.now() - 7 * 86_400_000) / 1000);
  const limit = isGroupId(parsed.chatId) ? 100 : 30;
  const picked = (chat?.messages ?? [])
    .filter((m) => !m.fromMe && m.ack === 2 && m.timestamp >= since && sim.engine.listed(m))
    .reverse()
    .slice(0, limit);
  for (const m of picked) m.ack = 3;
  if (chat && picked.length > 0) chat.unreadCount = 0;
  return answered(201, sim.engine.seen(picked.map((m) => sim.engine.messageId(m))));
}
