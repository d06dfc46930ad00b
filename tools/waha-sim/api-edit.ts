// WAHA's edit and delete of a chat's message: the engine sends WhatsApp the edit (or the
// revoke) and WAHA's event stream then raises message.edited / message.revoked. Answers: WEBJS
// the edited Message (delete: nothing), NOWEB the protocol message's WebMessageInfo, GOWS
// {id, _data}; the simulator answers each engine's send shape.
// WAHA: src/api/chats.controller.ts (editMessage, deleteMessage), engines' editMessage /
// deleteMessage (WEBJS message.edit / message.delete(true), NOWEB sendMessage {edit | delete},
// GOWS EditMessage / RevokeMessage)
import { edit, revoke } from "./actions.ts";
import { asObject, BodyError } from "./body.ts";
import type { Ctx } from "./context.ts";
import { badRequest, requireWorking } from "./guards.ts";
import { empty, json, nestError, type Reply } from "./reply.ts";

export async function editOrDelete(
  ctx: Ctx,
  session: string,
  chatId: string,
  messageId: string,
): Promise<Reply> {
  const refused = await requireWorking(ctx, session);
  if (refused) return refused;
  const { sim } = ctx;
  const message = sim.engine.findMessage(chatId, messageId, sim.store);
  if (!message) return nestError(404, "Message not found");
  // WhatsApp refuses to change someone else's message; the engines surface it as a 500.
  if (!message.fromMe)
    return json(500, { statusCode: 500, message: "Only own messages can be changed" });
  if (ctx.method === "DELETE") {
    await revoke(sim, message);
    return sim.engine.name === "WEBJS"
      ? empty(200)
      : json(200, sim.engine.sent(message, sim.view()) ?? {});
  }
  let text: unknown;
  try {
    text = asObject(await ctx.readBody())?.text;
  } catch (err) {
    return badRequest([err instanceof BodyError ? err.message : "invalid body"]);
  }
  if (typeof text !== "string") return badRequest(["text must be a string"]);
  await edit(sim, message, text);
  const answer =
    sim.engine.name === "WEBJS" ? sim.shape(message, false) : sim.engine.sent(message, sim.view());
  return json(200, answer ?? {});
}
