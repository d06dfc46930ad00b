// WAHA's sending endpoints used by the gateway: sendText and sendSeen.
import { asObject, BodyError } from "./body.ts";
import type { Ctx } from "./context.ts";
import { badRequest, requireWorking } from "./guards.ts";
import { ensureSuffix } from "./model.ts";
import { empty, json, type Reply } from "./reply.ts";
import { toEngineMessage } from "./shapes.ts";

const CHAT_ID = /^[0-9]+(@(c\.us|g\.us|lid|s\.whatsapp\.net))?$/;

type Parsed = { session: string; chatId: string; fields: Record<string, unknown> } | Reply;

/** Body checks in class-validator's words; session defaults to "default" as in WAHA's DTOs. */
async function parseChatRequest(ctx: Ctx, required: string[]): Promise<Parsed> {
  let raw: unknown;
  try {
    raw = await ctx.readBody();
  } catch (err) {
    return badRequest([err instanceof BodyError ? err.message : "invalid body"]);
  }
  const fields = asObject(raw) ?? {};
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
  if (errors.length > 0) return badRequest(errors);
  const session = typeof fields.session === "string" ? fields.session : "default";
  return { session, chatId: ensureSuffix(chatId), fields };
}

export async function sendText(ctx: Ctx): Promise<Reply> {
  const parsed = await parseChatRequest(ctx, ["text"]);
  if ("status" in parsed) return parsed;
  const refused = requireWorking(ctx, parsed.session);
  if (refused) return refused;
  const text = String(parsed.fields.text);
  const message = ctx.sim.store.addMessage({ chatId: parsed.chatId, body: text, fromMe: true });
  // WEBJS hands back whatsapp-web.js's own Message object; Nest answers POSTs with 201.
  return json(201, toEngineMessage(message));
}

export async function sendSeen(ctx: Ctx): Promise<Reply> {
  const parsed = await parseChatRequest(ctx, []);
  if ("status" in parsed) return parsed;
  const refused = requireWorking(ctx, parsed.session);
  if (refused) return refused;
  ctx.sim.store.markSeen(parsed.chatId);
  // WEBJS's sendSeen returns nothing: an empty 201.
  return empty(201);
}
