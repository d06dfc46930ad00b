// Calls: a customer rings, and the call is answered or ends unanswered. Each engine raises its own
// events with its own record in `_data`: WEBJS only call.received (whatsapp-web.js's Call); NOWEB
// received (offer), accepted, rejected (reject or terminate, unless accepted) with Baileys'
// WACallEvent; GOWS the same three with whatsmeow's CallOffer / CallAccept / CallTerminate.
// WAHA: src/structures/calls.dto.ts (CallData), src/core/engines/webjs/session.webjs.core.ts
// (call$ → CALL_RECEIVED), src/core/engines/noweb/session.noweb.core.ts (calls$, toCallData),
// src/core/engines/gows/session.gows.core.ts (toCallData: From || GroupJID, Timestamp)
import { asObject } from "./body.ts";
import { type Body, bad } from "./control-messages.ts";
import { toCus, toJid } from "./jids.ts";
import { json, type Reply } from "./reply.ts";
import type { SimState } from "./state.ts";

type CallStatus = "offer" | "accept" | "reject";

const EVENTS: Record<CallStatus, string> = {
  offer: "call.received",
  accept: "call.accepted",
  reject: "call.rejected",
};

function callData(sim: SimState, id: string, from: string, status: CallStatus, isVideo: boolean) {
  const seconds = Math.floor(sim.now() / 1000);
  const base = { id, from: toCus(from), timestamp: seconds, isVideo, isGroup: false };
  switch (sim.engine.name) {
    case "WEBJS":
      return {
        ...base,
        _data: {
          id,
          from: toCus(from),
          timestamp: seconds,
          isVideo,
          isGroup: false,
          canHandleLocally: false,
          outgoing: false,
          webClientShouldHandle: false,
          participants: [],
        },
      };
    case "NOWEB":
      return {
        ...base,
        // Baileys' date: the ISO time, so WAHA's timestamp keeps its milliseconds.
        timestamp: sim.now() / 1000,
        _data: {
          chatId: toJid(from),
          from: toJid(from),
          id,
          date: new Date(sim.now()).toISOString(),
          offline: false,
          status,
          isVideo,
          isGroup: false,
        },
      };
    default:
      return {
        ...base,
        _data: {
          From: toJid(from),
          Timestamp: new Date(seconds * 1000).toISOString(),
          CallID: id,
          ...(isVideo ? { Media: "video" } : {}),
        },
      };
  }
}

/** `{from, status: offer|accept|reject, isVideo?, id?}`: the call event the engine raises, if any. */
export async function placeCall(sim: SimState, body: Body): Promise<Reply> {
  const { from, status, isVideo, id } = asObject(body) ?? {};
  if (typeof from !== "string" || !/^\d{6,15}@c\.us$/.test(from))
    return bad("from must be a contact id like 15551234567@c.us");
  if (status !== "offer" && status !== "accept" && status !== "reject")
    return bad("status must be offer, accept or reject");
  if (isVideo !== undefined && typeof isVideo !== "boolean")
    return bad("isVideo must be a boolean");
  if (id !== undefined && (typeof id !== "string" || !/^[A-F0-9]{8,40}$/.test(id)))
    return bad("id must be upper-case hex");
  const callId = typeof id === "string" ? id : sim.store.newKey(`${from}#call`).slice(0, 32);
  // WEBJS hears the offer only.
  if (sim.engine.name === "WEBJS" && status !== "offer")
    return json(200, { event: null, id: callId });
  const event = EVENTS[status];
  const payload = callData(sim, callId, from, status, isVideo === true);
  const webhook = await sim.emit(event, payload);
  return json(200, { event, id: callId, payload, ...(webhook ? { webhook } : {}) });
}
