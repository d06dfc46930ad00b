// WAHA's chat reads: the chat list, a chat's messages (newest first) and one message.
import type { Ctx } from "./context.ts";
import { badRequest, boolParam, intParam, requireWorking } from "./guards.ts";
import { ensureSuffix, type SimChat } from "./model.ts";
import { json, nestError, type Reply } from "./reply.ts";
import { toWahaChat, toWahaMessage } from "./shapes.ts";

const SORT_FIELDS = ["conversationTimestamp", "id", "name"] as const;
const SORT_ORDERS = ["desc", "asc"] as const;

function lastAt(chat: SimChat): number {
  return chat.messages.at(-1)?.timestamp ?? 0;
}

export function listChats(ctx: Ctx, session: string): Reply {
  const refused = requireWorking(ctx, session);
  if (refused) return refused;
  const limit = intParam(ctx.query, "limit", Number.MAX_SAFE_INTEGER);
  const offset = intParam(ctx.query, "offset", 0);
  const sortBy = ctx.query.get("sortBy") ?? "conversationTimestamp";
  const sortOrder = ctx.query.get("sortOrder") ?? "desc";
  const errors: string[] = [];
  if (typeof limit === "string") errors.push(limit);
  if (typeof offset === "string") errors.push(offset);
  if (!(SORT_FIELDS as readonly string[]).includes(sortBy)) {
    errors.push(`sortBy must be one of the following values: ${SORT_FIELDS.join(", ")}`);
  }
  if (!(SORT_ORDERS as readonly string[]).includes(sortOrder)) {
    errors.push(`sortOrder must be one of the following values: ${SORT_ORDERS.join(", ")}`);
  }
  if (errors.length > 0 || typeof limit === "string" || typeof offset === "string")
    return badRequest(errors);
  const direction = sortOrder === "asc" ? 1 : -1;
  const chats = ctx.sim.store.listChats().sort((a, b) => {
    if (sortBy === "id") return direction * a.id.localeCompare(b.id);
    if (sortBy === "name") return direction * a.name.localeCompare(b.name);
    return direction * (lastAt(a) - lastAt(b)) || a.id.localeCompare(b.id);
  });
  return json(200, chats.slice(offset, offset + limit).map(toWahaChat));
}

export function listMessages(ctx: Ctx, session: string, chatId: string): Reply {
  const refused = requireWorking(ctx, session);
  if (refused) return refused;
  const limit = intParam(ctx.query, "limit", 100);
  const offset = intParam(ctx.query, "offset", 0);
  const download = boolParam(ctx.query, "downloadMedia", true);
  // WAHA's GetChatMessagesFilter: filter.timestamp.lte / .gte in seconds.
  const lte = intParam(ctx.query, "filter.timestamp.lte", Number.MAX_SAFE_INTEGER);
  const gte = intParam(ctx.query, "filter.timestamp.gte", 0);
  const errors = [limit, offset, download, lte, gte].filter(
    (v): v is string => typeof v === "string",
  );
  if (
    errors.length > 0 ||
    typeof limit === "string" ||
    typeof offset === "string" ||
    typeof download === "string" ||
    typeof lte === "string" ||
    typeof gte === "string"
  ) {
    return badRequest(errors);
  }
  // An unknown chat has no messages, as with the engines that keep a local store.
  const messages = ctx.sim.store.chat(chatId)?.messages ?? [];
  const now = Date.now();
  const page = messages
    .filter((m) => m.timestamp <= lte && m.timestamp >= gte)
    .reverse()
    .slice(offset, offset + limit);
  return json(
    200,
    page.map((m) => toWahaMessage(m, download ? ctx.sim.downloadMedia(m, now) : undefined)),
  );
}

export function getMessage(ctx: Ctx, session: string, chatId: string, messageId: string): Reply {
  const refused = requireWorking(ctx, session);
  if (refused) return refused;
  const download = boolParam(ctx.query, "downloadMedia", true);
  if (typeof download === "string") return badRequest([download]);
  const message = ctx.sim.store.message(messageId);
  if (!message || message.chatId !== ensureSuffix(chatId))
    return nestError(404, "Message not found");
  return json(200, toWahaMessage(message, download ? ctx.sim.downloadMedia(message) : undefined));
}
