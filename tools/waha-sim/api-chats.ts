// WAHA's chat reads: the chat list, a chat's messages (with its filters) and one message, each
// sorted and shaped as the configured engine does.
// WAHA: src/api/chats.controller.ts, src/structures/chats.dto.ts (GetChatMessagesQuery,
// GetChatMessagesFilter, ChatsPaginationParams)
import type { Ctx } from "./context.ts";
import type { ChatQuery } from "./engines/engine.ts";
import { badRequest, boolParam, intParam, requireWorking, storeRefusal } from "./guards.ts";
import { type MessageFilter, selectMessages } from "./message-query.ts";
import type { SimMessage } from "./model.ts";
import { engineException, json, nestError, type Reply } from "./reply.ts";
import { WAHA_VERSION } from "./shapes.ts";
import { webjsWindow } from "./webjs-window.ts";

const SORT_FIELDS = ["conversationTimestamp", "id", "name"] as const;
const MESSAGE_SORT_FIELDS = ["timestamp", "messageTimestamp"] as const;
const ACKS = ["ERROR", "PENDING", "SERVER", "DEVICE", "READ", "PLAYED"];

function isSortField(value: string): value is (typeof SORT_FIELDS)[number] {
  return (SORT_FIELDS as readonly string[]).includes(value);
}

export async function listChats(ctx: Ctx, session: string): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  const limit = intParam(ctx.query, "limit", 0);
  const offset = intParam(ctx.query, "offset", 0);
  const sortBy = ctx.query.get("sortBy");
  const errors: string[] = [];
  if (typeof limit === "string") errors.push(limit);
  if (typeof offset === "string") errors.push(offset);
  if (sortBy !== null && !isSortField(sortBy)) {
    errors.push(`sortBy must be one of the following values: ${SORT_FIELDS.join(", ")}`);
  }
  if (errors.length > 0) return badRequest(errors);
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  const query: ChatQuery = { empty: [...ctx.query.keys()].length === 0 };
  if (typeof limit === "number" && ctx.query.has("limit")) query.limit = limit;
  if (typeof offset === "number" && ctx.query.has("offset")) query.offset = offset;
  if (sortBy !== null && isSortField(sortBy)) query.sortBy = sortBy;
  const sortOrder = ctx.query.get("sortOrder");
  // WAHA does not validate sortOrder; each engine reads "desc" and takes anything else as ascending.
  if (sortOrder !== null) query.sortOrder = sortOrder;
  const { sim } = ctx;
  return json(200, sim.engine.chats(sim.store.listChats(), query, sim.view()));
}

function numberParam(query: URLSearchParams, name: string): number | string | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value)
    ? value
    : `${name} must be a number conforming to the specified constraints`;
}

function parseFilter(query: URLSearchParams, errors: string[]): MessageFilter {
  const filter: MessageFilter = {};
  const lte = numberParam(query, "filter.timestamp.lte");
  const gte = numberParam(query, "filter.timestamp.gte");
  if (typeof lte === "string") errors.push(lte);
  else if (lte !== undefined) filter.lte = lte;
  if (typeof gte === "string") errors.push(gte);
  else if (gte !== undefined) filter.gte = gte;
  if (query.has("filter.fromMe")) {
    const fromMe = boolParam(query, "filter.fromMe", false);
    if (typeof fromMe === "string") errors.push(fromMe);
    else filter.fromMe = fromMe;
  }
  const ack = query.get("filter.ack");
  if (ack !== null) {
    const value = ACKS.indexOf(ack);
    if (value < 0)
      errors.push(`filter.ack must be one of the following values: ${ACKS.join(", ")}`);
    else filter.ack = value - 1;
  }
  return filter;
}

export async function listMessages(ctx: Ctx, session: string, chatId: string): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  const { sim, query } = ctx;
  const errors: string[] = [];
  // GetChatMessagesQuery: limit 10 unless given.
  const limit = intParam(query, "limit", 10);
  const offset = intParam(query, "offset", 0);
  const download = boolParam(query, "downloadMedia", true);
  for (const v of [limit, offset, download]) if (typeof v === "string") errors.push(v);
  const sortBy = query.get("sortBy");
  if (sortBy !== null && !(MESSAGE_SORT_FIELDS as readonly string[]).includes(sortBy)) {
    errors.push(`sortBy must be one of the following values: ${MESSAGE_SORT_FIELDS.join(", ")}`);
  }
  const filter = parseFilter(query, errors);
  if (errors.length > 0 || typeof limit === "string" || typeof offset === "string") {
    return badRequest(errors);
  }
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  const engine = sim.engine;
  const ascending = engine.name !== "WEBJS" && query.get("sortOrder") === "asc";
  const chat = engine.chat(chatId, sim.store);
  // An unknown chat has no messages, as with the engines that keep a local store.
  const all = (chat?.messages ?? []).filter((m) => engine.listed(m));
  const now = Date.now();
  let page: SimMessage[];
  if (engine.name === "WEBJS" && chat) {
    const window = webjsWindow(chat, all, filter, offset, limit, sim.config.webjsLoadBatch);
    if (!window.ok) {
      return engineException(window.error, { ...ctx, query }, WAHA_VERSION);
    }
    page = window.messages;
  } else {
    page = selectMessages(all, filter, ascending, offset, limit);
  }
  return json(
    200,
    page.map((m) => sim.shape(m, download === true, now)),
  );
}

export async function getMessage(
  ctx: Ctx,
  session: string,
  chatId: string,
  messageId: string,
): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  const download = boolParam(ctx.query, "downloadMedia", true);
  if (typeof download === "string") return badRequest([download]);
  const noStore = storeRefusal(ctx);
  if (noStore) return noStore;
  const { sim } = ctx;
  const message = sim.engine.findMessage(chatId, messageId, sim.store);
  if (!message) return nestError(404, "Message not found");
  return json(200, sim.shape(message, download));
}
