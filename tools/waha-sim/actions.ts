// Things that happen to messages (announced, acked, revoked, edited, reacted to): each updates the
// store as WAHA's engine would, then sends the event the engine sends for it, if any.
import { hasParticipants } from "./jids.ts";
import type { SimMessage, SimReaction, SimReceipt } from "./model.ts";
import { ME_ID } from "./model.ts";
import type { SimState } from "./state.ts";
import type { Delivery } from "./webhook.ts";

/** Reactions and receipts kept per message; the oldest go first (a message has few in practice). */
const MAX_PER_MESSAGE = 256;

export interface Emitted {
  event: string | null;
  payload?: unknown;
  webhook?: Delivery;
}

async function send(sim: SimState, event: string, payload: unknown): Promise<Emitted> {
  const webhook = await sim.emit(event, payload);
  return webhook ? { event, payload, webhook } : { event, payload };
}

/** message (theirs) or message.any (ours), or the events asked for; media is downloaded first. */
export async function announce(sim: SimState, m: SimMessage, events?: string[]) {
  const payload = sim.shape(m, true);
  const names = events ?? [m.fromMe ? "message.any" : "message"];
  const deliveries: Array<Delivery | undefined> = [];
  for (const event of names) deliveries.push(await sim.emit(event, payload));
  // WAHA raises message.any for every message, theirs too: a session webhook that asks for it
  // gets it (the simulator's own hook keeps to one event per message).
  // WAHA: src/core/abc/session.abc.ts (MESSAGE_ANY), src/core/manager.core.ts (getWebhooks)
  if (events === undefined && !m.fromMe) await sim.emit("message.any", payload, {}, true);
  return { payload, last: deliveries.at(-1) };
}

/** The member a group event is about when the caller names none: the first one who is not us. */
export function firstMember(sim: SimState, m: SimMessage): string {
  const chat = sim.store.chat(m.chatId);
  return chat?.participants?.find((p) => p !== ME_ID) ?? m.participant ?? m.chatId;
}

/**
 * A direct chat's message gets the ack and `message.ack`; a group message gets one member's
 * receipt and `message.ack.group`. Repeats within a minute are not sent (WAHA's DistinctAck).
 */
export async function acknowledge(
  sim: SimState,
  m: SimMessage,
  ack: number,
  participant?: string,
): Promise<Emitted> {
  const engine = sim.engine;
  const view = sim.view();
  if (!hasParticipants(m.chatId)) {
    m.ack = ack;
    const payload = engine.ack(m, view);
    if (!payload || !sim.freshAck(false, payload)) return { event: null };
    return send(sim, "message.ack", payload);
  }
  // No member named and nothing a member says (SERVER, ERROR): the message's own status.
  if (participant === undefined && ack <= 1 && engine.groupStatus) {
    m.ack = ack;
    const payload = engine.groupStatus(m);
    if (!sim.freshAck(false, payload)) return { event: null };
    return send(sim, "message.ack", payload);
  }
  const receipt: SimReceipt = {
    participant: participant ?? firstMember(sim, m),
    ack,
    timestamp: Math.floor(sim.now() / 1000),
  };
  m.receipts = [
    ...(m.receipts ?? []).filter((r) => r.participant !== receipt.participant),
    receipt,
  ];
  m.ack = Math.max(m.ack, ack);
  // WEBJS hears receipts only from the `tag:receipt` stanzas, hooked when tagsEventsOn is set.
  // WAHA: src/core/engines/webjs/session.webjs.core.ts (TAG_RECEIPT → message.ack.group),
  // WebjsClientCore.ts (attachTagsEvents only with the tags flag)
  if (engine.name === "WEBJS" && !sim.tagsEventsOn()) return { event: null };
  const payload = engine.groupAck(m, receipt, view);
  if (!payload || !sim.freshAck(true, payload)) return { event: null };
  return send(sim, "message.ack.group", payload);
}

function authorOf(m: SimMessage): string {
  return m.fromMe ? ME_ID : (m.participant ?? m.chatId);
}

/** "Delete for everyone": the message is revoked and `message.revoked` sent. */
export async function revoke(sim: SimState, m: SimMessage, by = authorOf(m)): Promise<Emitted> {
  const before: SimMessage = { ...m };
  m.revoked = { by, timestamp: Math.floor(sim.now() / 1000) };
  const payload = sim.engine.revoked(m, before, sim.store.newKey(m.chatId), sim.view());
  return send(sim, "message.revoked", payload);
}

/** The author changes the text: the stored body follows and `message.edited` is sent. */
export async function edit(sim: SimState, m: SimMessage, body: string): Promise<Emitted> {
  m.edited = { previous: m.body, timestamp: Math.floor(sim.now() / 1000) };
  const previous = m.body;
  m.body = body;
  const payload = sim.engine.edited(m, previous, sim.store.newKey(m.chatId), sim.view());
  return send(sim, "message.edited", payload);
}

/** One person's reaction replaces their previous one; an empty text removes it. */
/**
 * A reaction set or taken back, and its `message.reaction`. `waitForWebhook: false` (WAHA's
 * API): the answer does not wait for the webhook, which WAHA sends from its event stream.
 */
export async function react(
  sim: SimState,
  m: SimMessage,
  text: string,
  by: string,
  waitForWebhook = true,
): Promise<Emitted & { reaction: SimReaction }> {
  const reaction: SimReaction = {
    by,
    fromMe: by === ME_ID,
    text,
    key: sim.store.newKey(`${m.chatId}#reaction`),
    timestamp: Math.floor(sim.now() / 1000),
  };
  const others = (m.reactions ?? []).filter((r) => r.by !== by);
  m.reactions = text === "" ? others : [...others, reaction].slice(-MAX_PER_MESSAGE);
  const payload = sim.engine.reaction(m, reaction, sim.view());
  if (!waitForWebhook) {
    void sim.emit("message.reaction", payload);
    return { event: "message.reaction", payload, reaction };
  }
  return { ...(await send(sim, "message.reaction", payload)), reaction };
}
