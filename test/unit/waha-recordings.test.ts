/**
 * The simulator's NOWEB output holds the shape real WAHA 2026.2.1 showed for the same
 * scenario (test/fixtures/waha-2026.2.1/noweb, recorded by `RECORD_WAHA_FIXTURES=1 npm run
 * test:waha`): every field WAHA sent is there with the same JSON type, and the simulator
 * adds none. Values differ (ids, times); shapes must not. `_data` is the engine's own record:
 * its top-level fields are compared, and `_data.key` in full (the gateway reads it).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simClient, webhookReceiver } from "../../tools/waha-sim/client.ts";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";

const DIR = "test/fixtures/waha-2026.2.1/noweb";
const KEY = "recordings-key";
const CUSTOMER = "15551230001@c.us";
const GROUP = "120363025246125486@g.us";

type Json = Record<string, unknown>;

function recorded(name: string): Json {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as Json;
}

/** A value's JSON shape: types for leaves, shapes for objects, the first element's for arrays. */
function shape(value: unknown, depth = 0): unknown {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0], depth + 1)];
  if (typeof value === "object") {
    const entries = Object.entries(value as Json).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(
      entries.map(([k, v]) => [k, depth > 6 ? typeof v : shape(v, depth + 1)]),
    );
  }
  return typeof value;
}

/** A payload's shape for comparing: `_data` by its own top-level fields, and its key whole. */
function payloadShape(payload: Json): unknown {
  const { _data, ...rest } = payload;
  const data = (_data ?? null) as Json | null;
  return {
    ...(shape(rest) as Json),
    ...(data
      ? {
          _data: {
            fields: Object.keys(data).sort(),
            ...(data.key ? { key: shape(data.key) } : {}),
          },
        }
      : {}),
  };
}

let sim: Simulator;
let client: ReturnType<typeof simClient>;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  hooks = await webhookReceiver();
  sim = await startSimulator({
    apiKey: KEY,
    engine: "NOWEB",
    webhookUrl: hooks.url,
    webhookHmacKey: "k",
  });
  client = simClient(sim.url, KEY);
});

afterAll(async () => {
  await sim.close();
  await hooks.close();
});

/** The simulator's webhook for `event` made by `act`. */
async function simWebhook(event: string, act: () => Promise<unknown>): Promise<Json> {
  hooks.received.length = 0;
  await act();
  const until = Date.now() + 2_000;
  for (;;) {
    const found = hooks.envelopes().find((e) => e.event === event);
    if (found) return found;
    if (Date.now() > until) throw new Error(`the simulator sent no ${event}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function simMessage(body: Json): Promise<Json> {
  return (
    await client.control<Json>("messages", { events: ["message.any"], ...body, webhook: true })
  ).body;
}

describe("the simulator's NOWEB webhooks have real WAHA's shape", () => {
  it("envelope", async () => {
    const sent = await simWebhook("message.any", () =>
      simMessage({ chatId: CUSTOMER, body: "hi" }),
    );
    const { payload: _p, ...envelope } = recorded("webhook-message.any-incoming-text").body as Json;
    const { payload: _s, ...simEnvelope } = sent;
    expect(shape(simEnvelope)).toEqual(shape(envelope));
  });

  const cases: Array<[string, string, () => Promise<unknown>]> = [
    [
      "message.any-incoming-text",
      "message.any",
      () => simMessage({ chatId: CUSTOMER, body: "hi" }),
    ],
    [
      "message.any-group-incoming",
      "message.any",
      () => simMessage({ chatId: GROUP, body: "hi all", participant: "15550100101@c.us" }),
    ],
    [
      "message.any-incoming-image",
      "message.any",
      () =>
        simMessage({ chatId: CUSTOMER, body: "the damaged box", media: { kind: "image/jpeg" } }),
    ],
  ];
  for (const [name, event, act] of cases) {
    it(name, async () => {
      const sent = await simWebhook(event, act);
      const real = (recorded(`webhook-${name}`).body as Json).payload as Json;
      expect(payloadShape(sent.payload as Json)).toEqual(payloadShape(real));
    });
  }

  it("message.any for a send through the API, and sendText's answer", async () => {
    hooks.received.length = 0;
    const answer = await client.api<Json>("/api/sendText", {
      method: "POST",
      body: { session: "default", chatId: CUSTOMER, text: "from the API" },
    });
    const real = recorded("answer-sendText") as { status: number; body: Json };
    expect(answer.status).toBe(real.status);
    expect(shape(answer.body)).toEqual(shape(real.body));
    const sent = await simWebhook("message.any", async () => undefined);
    const realEcho = (recorded("webhook-message.any-sent-text").body as Json).payload as Json;
    expect(payloadShape(sent.payload as Json)).toEqual(payloadShape(realEcho));
  });

  it("message.ack, message.reaction, message.edited, message.revoked", async () => {
    const ours = await simMessage({ chatId: CUSTOMER, body: "ours", fromMe: true });
    const theirs = await simMessage({ chatId: CUSTOMER, body: "theirs" });
    const pairs: Array<[string, () => Promise<unknown>]> = [
      ["message.ack", () => client.control("ack", { messageId: ours.id, ack: 3 })],
      ["message.reaction", () => client.control("react", { messageId: ours.id, text: "👍" })],
      ["message.edited", () => client.control("edit", { messageId: theirs.id, body: "edited" })],
      ["message.revoked", () => client.control("revoke", { messageId: theirs.id })],
    ];
    for (const [event, act] of pairs) {
      const sent = await simWebhook(event, act);
      const real = (recorded(`webhook-${event}`).body as Json).payload as Json;
      expect({ event, shape: payloadShape(sent.payload as Json) }).toEqual({
        event,
        shape: payloadShape(real),
      });
    }
  });
});

describe("the simulator's NOWEB answers have real WAHA's shape", () => {
  it("a chat's messages (downloadMedia=false)", async () => {
    await simMessage({ chatId: CUSTOMER, body: "listed" });
    const res = await client.api<Json[]>(
      `/api/default/chats/${CUSTOMER}/messages?limit=50&downloadMedia=false`,
    );
    const real = recorded("answer-messages") as { body: Json[] };
    // The message just sent, by its text: the file's earlier messages (one reacted to) share
    // its second, and then any of them may come first.
    const listed = res.body.find((m) => (m as { body?: unknown }).body === "listed");
    expect(listed).toBeDefined();
    expect(payloadShape(listed as Json)).toEqual(payloadShape(real.body[0] as Json));
  });

  it("the session and the server version", async () => {
    const session = await client.api<Json>("/api/sessions/default");
    const realSession = recorded("answer-session") as { body: Json };
    expect(Object.keys(session.body).sort()).toEqual(Object.keys(realSession.body).sort());
    const version = await client.api<Json>("/api/server/version");
    expect(shape(version.body)).toEqual(shape((recorded("answer-version") as { body: Json }).body));
  });
});
