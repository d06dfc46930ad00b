/**
 * The phone side of real WAHA in a test: starts WAHA with the Baileys stand-in
 * (baileys-stand-in.cjs), its webhooks to the gateway through a recorder, the session
 * WORKING; and makes Baileys events (a customer's messages, receipts, reactions, edits,
 * deletions) as WhatsApp would deliver them to WAHA.
 */
import path from "node:path";
import { NEEDED_EVENTS } from "../../src/lib/waha/setup.ts";
import { freePort } from "../../tools/wrangler.ts";
import { type Recorder, startRecorder } from "./recorder.ts";
import { type RealStack, startRealStack } from "./stack.ts";

export const ME = "15550000000";

/** What the gateway asks WAHA for (its setup check recommends the same). */
export const EVENTS = [...NEEDED_EVENTS];

export interface Phone {
  stack: RealStack;
  recorder: Recorder;
  emit(event: string, data: unknown): Promise<void>;
  sent(): Promise<Array<{ jid: string; content: Record<string, unknown>; id: string }>>;
  file(id: string, bytes: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

let sequence = 0;
/** A WhatsApp message key id, as phones make them. */
export function keyId(): string {
  sequence += 1;
  return `3A${Date.now().toString(16).toUpperCase()}${String(sequence).padStart(4, "0")}`;
}

export const jidOf = (phone: string) => `${phone}@s.whatsapp.net`;

export async function startPhone(): Promise<Phone> {
  const port = await freePort();
  const stack = await startRealStack({
    preload: path.resolve("test/real-waha/baileys-stand-in.cjs"),
    wahaEnv: { BAILEYS_STAND_IN_PORT: String(port), BAILEYS_STAND_IN_ME: ME },
  });
  const recorder = await startRecorder(`${stack.gateway.url}/api/waha/webhook`);
  const control = `http://127.0.0.1:${port}`;
  const put = await stack.wahaCall("/api/sessions/default", {
    method: "PUT",
    body: JSON.stringify({
      config: {
        webhooks: [{ url: recorder.url, events: EVENTS, hmac: { key: stack.secrets.hmac } }],
        noweb: { store: { enabled: true, fullSync: false } },
      },
    }),
  });
  if (!put.ok) throw new Error(`configuring the session: ${put.status} ${await put.text()}`);
  await stack.wahaCall("/api/sessions/default/start", { method: "POST" });
  await recorder.next(
    (d) =>
      d.event === "session.status" && (d.body.payload as { status?: string }).status === "WORKING",
  );
  return {
    stack,
    recorder,
    async emit(event, data) {
      const res = await fetch(`${control}/emit`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ event, data }),
      });
      if (!res.ok) throw new Error(`emit ${event}: ${res.status} ${await res.text()}`);
    },
    async sent() {
      return (await (await fetch(`${control}/sent`)).json()) as Array<{
        jid: string;
        content: Record<string, unknown>;
        id: string;
      }>;
    },
    async file(id, bytes) {
      await fetch(`${control}/files`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id, base64: Buffer.from(bytes).toString("base64") }),
      });
    },
    async stop() {
      await recorder.close();
      stack.stop();
    },
  };
}

/** A customer's message as WhatsApp hands it to Baileys (`messages.upsert`, notify). */
export function incoming(
  phone: string,
  message: Record<string, unknown>,
  opts: { id?: string; pushName?: string; at?: number; participant?: string; chat?: string } = {},
) {
  return {
    type: "notify",
    messages: [
      {
        key: {
          remoteJid: opts.chat ?? jidOf(phone),
          fromMe: false,
          id: opts.id ?? keyId(),
          ...(opts.participant ? { participant: opts.participant } : {}),
        },
        message,
        messageTimestamp: opts.at ?? Math.floor(Date.now() / 1000),
        pushName: opts.pushName ?? "Customer",
      },
    ],
  };
}
