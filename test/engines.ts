/**
 * Tests that must hold on every WAHA engine: the engines, a `beforeEach` that switches the
 * simulator to one of them, and the simulator's control routes, which answer with the
 * payload that engine's WAHA would send. The gateway gets it signed, as WAHA signs it.
 */
import { beforeEach, expect } from "vitest";
import { deliver } from "./events.ts";
import { sim } from "./helpers.ts";

export const ENGINES = ["WEBJS", "NOWEB", "GOWS"] as const;
export type EngineName = (typeof ENGINES)[number];

/** Our own number, as the simulator's session knows it. */
export const ME = "15550000000@c.us";
/** The demo's group and its members other than us. */
export const GROUP = "120363025246125486@g.us";
export const MEMBERS = ["15550100101@c.us", "15550100102@c.us", "15550100103@c.us"] as const;

/** A WAHA message as a webhook carries it, on any engine. */
export interface WahaPayload {
  id: string;
  from: string;
  to?: string | null;
  fromMe: boolean;
  participant?: string | null;
  body?: string | null;
  hasMedia: boolean;
  [field: string]: unknown;
}

/** What a simulator control route answers: the event WAHA sends, if any, and its payload. */
export interface SimEvent {
  event: string | null;
  payload?: unknown;
}

/** Switches the simulator to `engine`, with fresh demo data, before each test of the block. */
export function onEngine(engine: EngineName, demo: "basic" | "full" = "basic"): void {
  beforeEach(async () => {
    await sim.control("reset", { engine, demo });
  });
}

export interface NewMessage {
  chatId: string;
  body?: string;
  fromMe?: boolean;
  participant?: string;
  replyTo?: string;
  media?: { kind: string; filename?: string };
}

/** A new message in the simulator, with the event WAHA sends for it (message.any for ours). */
export async function simMessage(input: NewMessage): Promise<SimEvent & { payload: WahaPayload }> {
  const payload = await sim.control<WahaPayload>("messages", { ...input, webhook: true });
  return { event: input.fromMe ? "message.any" : "message", payload };
}

/** An ack, revoke, edit or reaction in the simulator, and what WAHA sends for it. */
export function simChange(
  route: "ack" | "revoke" | "edit" | "react",
  body: Record<string, unknown>,
): Promise<SimEvent> {
  return sim.control<SimEvent>(route, body);
}

/** Delivers what the simulator says WAHA sends and answers the gateway's status. */
export async function deliverSim(engine: EngineName, sent: SimEvent): Promise<string> {
  if (sent.event === null) throw new Error("the simulator says WAHA sends nothing here");
  const res = await deliver(sent.event, sent.payload, { engine });
  expect(res.status).toBe(200);
  return (await res.json<{ status: string }>()).status;
}

/**
 * The id the inbox knows a message by: WAHA's, without the participant GOWS appends to our
 * own group messages.
 */
export function inboxId(payload: Pick<WahaPayload, "id" | "fromMe">): string {
  return payload.fromMe ? payload.id.replace(/_\d+@c\.us$/, "") : payload.id;
}
