// WAHA's contacts routes the gateway uses: a contact's record (saved name, push name) and its
// profile picture's URL, which points at WhatsApp's picture CDN; the simulator serves those bytes
// itself under /__sim/pictures/ (no API key, as the CDN needs none).
// WAHA: src/api/contacts.controller.ts (get, getProfilePicture), src/structures/contacts.dto.ts
// (ContactQuery, ContactProfilePictureQuery); engines' getContact/toWAContact: WEBJS
// whatsapp-web.js Contact, NOWEB the store's record or null (notify → pushname), GOWS
// {id, name, pushname}
import type { Ctx } from "./context.ts";
import { badRequest, requireWorking } from "./guards.ts";
import { ensureSuffix, isGroupId, toCus } from "./jids.ts";
import { empty, json, type Reply } from "./reply.ts";

function contactQuery(ctx: Ctx): { session: string; contactId: string } | Reply {
  const contactId = ctx.query.get("contactId");
  if (!contactId) return badRequest(["contactId must be a string"]);
  return {
    session: ctx.query.get("session") ?? "default",
    contactId: toCus(ensureSuffix(contactId)),
  };
}

/** The name people show to others: the chat's name for a direct chat, or a group sender's. */
function pushNameOf(ctx: Ctx, contactId: string): string | undefined {
  const chat = ctx.sim.store.chat(contactId);
  if (chat && !chat.isGroup) return chat.name;
  for (const group of ctx.sim.store.listChats()) {
    const said = group.messages.find((m) => m.participant === contactId && m.senderName);
    if (said?.senderName) return said.senderName;
  }
  return undefined;
}

export async function getContact(ctx: Ctx): Promise<Reply> {
  const query = contactQuery(ctx);
  if ("status" in query) return query;
  const refused = await requireWorking(ctx, query.session);
  if (refused) return refused;
  const { contactId } = query;
  const saved = ctx.sim.store.contacts.savedName(contactId);
  const pushname = pushNameOf(ctx, contactId);
  switch (ctx.sim.config.engine) {
    case "NOWEB":
      // Only what the store has seen; Nest answers a null result with an empty 200.
      if (saved === undefined && pushname === undefined) return empty(200);
      return json(200, {
        id: contactId,
        ...(saved !== undefined ? { name: saved } : {}),
        ...(pushname !== undefined ? { pushname } : {}),
      });
    case "GOWS":
      return json(200, { id: contactId, name: saved ?? "", pushname: pushname ?? "" });
    default:
      return json(200, {
        id: contactId,
        number: contactId.split("@")[0],
        isBusiness: false,
        isEnterprise: false,
        name: saved,
        pushname,
        shortName: saved?.split(" ")[0],
        type: "in",
        isMe: false,
        isUser: !isGroupId(contactId),
        isGroup: isGroupId(contactId),
        isWAContact: true,
        isMyContact: saved !== undefined,
        isBlocked: false,
      });
  }
}

export async function getProfilePicture(ctx: Ctx): Promise<Reply> {
  const query = contactQuery(ctx);
  if ("status" in query) return query;
  const refused = await requireWorking(ctx, query.session);
  if (refused) return refused;
  const { sim } = ctx;
  const known = sim.store.chat(query.contactId) !== undefined;
  const has = sim.store.contacts.hasPicture(query.contactId, known);
  const url = has
    ? `${sim.config.publicUrl}/__sim/pictures/${encodeURIComponent(query.contactId)}.jpg`
    : null;
  return json(200, { profilePictureURL: url });
}

/** The CDN's answer: the picture's bytes, or 404 once the contact has none. */
export function servePicture(ctx: Ctx, file: string): Reply {
  const contactId = file.replace(/\.jpg$/, "");
  const { sim } = ctx;
  sim.stats.count("picture-file");
  const known = sim.store.chat(contactId) !== undefined;
  if (!sim.store.contacts.hasPicture(contactId, known)) return empty(404);
  const bytes = sim.store.contacts.picture(contactId);
  return {
    status: 200,
    headers: { "Content-Type": "image/jpeg", "Content-Length": bytes.length },
    body: bytes,
  };
}
