// The simulator's sessions API as WAHA answers it: PUT /api/sessions/{session} keeps a checked
// config whose webhooks then get exactly the events they list, signed with their own key; restart
// answers the session and announces STARTING then WORKING; the environment shows the files' lifetime.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simClient, webhookReceiver } from "../../tools/waha-sim/client.ts";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";

const KEY = "sessions-key";
const ANA = "15550100001@c.us";
type Json = Record<string, unknown>;

let sim: Simulator;
let client: ReturnType<typeof simClient>;
let own: Awaited<ReturnType<typeof webhookReceiver>>;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  own = await webhookReceiver();
  hooks = await webhookReceiver();
  sim = await startSimulator({ apiKey: KEY, webhookUrl: own.url, webhookRetries: { attempts: 0 } });
  client = simClient(sim.url, KEY);
});

afterAll(async () => {
  await sim.close();
  await own.close();
  await hooks.close();
});

beforeEach(async () => {
  await client.control("reset", {});
  own.received.length = 0;
  hooks.received.length = 0;
});

function put(config: unknown) {
  return client.api<Json>("/api/sessions/default", { method: "PUT", body: { config } });
}

/** The events that reached the session's webhook, in order. */
function events(): string[] {
  return hooks.envelopes().map((e) => String(e.event));
}

describe("PUT /api/sessions/{session}", () => {
  it("keeps the config it was given, drops fields WAHA does not know and fills WAHA's defaults", async () => {
    const res = await put({
      webhooks: [{ url: hooks.url, events: ["message.any"], hmac: { key: "k" }, extra: 1 }],
      metadata: { team: "sales" },
      noweb: { store: { enabled: true } },
      webjs: {},
      unknown: true,
    });
    expect(res.status).toBe(200);
    const session = (await client.api<Json>("/api/sessions/default")).body;
    expect(session.config).toEqual({
      webhooks: [{ url: hooks.url, events: ["message.any"], hmac: { key: "k" } }],
      metadata: { team: "sales" },
      noweb: { store: { enabled: true, fullSync: false }, markOnline: true },
      webjs: { tagsEventsOn: false },
    });
    const stats = await client.control<{ calls: Record<string, number> }>("stats");
    expect(stats.body.calls["session-update"]).toBe(1);
  });

  it("answers 400 naming the field for a bad URL, an unknown event or a wrong type", async () => {
    const res = await put({
      webhooks: [{ url: "not a url", events: ["message", "nonsense"] }],
      webjs: { tagsEventsOn: "yes" },
    });
    expect(res.status).toBe(400);
    const messages = (res.body as { message: string[] }).message;
    expect(messages.some((m) => m.startsWith("config.webhooks.0.url "))).toBe(true);
    expect(messages.some((m) => m.startsWith("config.webhooks.0.events"))).toBe(true);
    expect(messages.some((m) => m.startsWith("config.webjs.tagsEventsOn "))).toBe(true);
    // Nothing was kept: a session never configured shows `config: null`, as WAHA's does.
    expect((await client.api<Json>("/api/sessions/default")).body.config).toBeNull();
  });

  it("answers 404 for a session that does not exist", async () => {
    const res = await client.api("/api/sessions/other", { method: "PUT", body: { config: {} } });
    expect(res.status).toBe(404);
  });

  it("restarts a running session: its new webhook hears STARTING, then WORKING", async () => {
    await put({ webhooks: [{ url: hooks.url, events: ["session.status"] }] });
    await hooks.waitFor(2);
    expect(hooks.envelopes().map((e) => (e.payload as Json).status)).toEqual([
      "STARTING",
      "WORKING",
    ]);
  });
});

describe("the session's webhooks", () => {
  it("get only the events they list: message.any for every message, message for theirs", async () => {
    await put({
      webhooks: [
        { url: hooks.url, events: ["message.any"], hmac: { key: "session-key" } },
        { url: `${hooks.url}?plain`, events: ["message"] },
      ],
      metadata: { team: "sales" },
    });
    // The restart the update makes is over once the simulator's own hook heard WORKING.
    await own.waitFor(2);
    hooks.received.length = 0;
    own.received.length = 0;
    await client.control("messages", { chatId: ANA, body: "hi", webhook: true });
    await client.control("messages", { chatId: ANA, body: "ours", fromMe: true, webhook: true });
    await hooks.waitFor(3);
    const byUrl = hooks.received.map((r) => JSON.parse(r.body) as Json);
    expect(byUrl.map((e) => e.event).sort()).toEqual(["message", "message.any", "message.any"]);
    // The simulator's own hook still gets one event per message.
    expect(own.envelopes().map((e) => e.event)).toEqual(["message", "message.any"]);
    const signed = hooks.received.find((r) => r.headers["x-webhook-hmac"]);
    expect(signed?.headers["x-webhook-hmac"]).toBe(
      createHmac("sha512", "session-key")
        .update(signed?.body ?? "")
        .digest("hex"),
    );
    expect(hooks.received.filter((r) => r.headers["x-webhook-hmac"])).toHaveLength(2);
    expect(byUrl.every((e) => (e.metadata as Json).team === "sales")).toBe(true);
  });

  it("share one envelope id with the simulator's own hook, and send their custom headers", async () => {
    await put({
      webhooks: [
        {
          url: hooks.url,
          events: ["*"],
          customHeaders: [{ name: "X-Team", value: "sales" }],
        },
      ],
    });
    await hooks.waitFor(2);
    hooks.received.length = 0;
    own.received.length = 0;
    await client.control("session", { status: "FAILED" });
    await hooks.waitFor(1);
    expect(hooks.received[0]?.headers["x-team"]).toBe("sales");
    expect(hooks.envelopes()[0]?.id).toBe(own.envelopes()[0]?.id);
  });

  it("deliver to the mailbox when their origin is listed in mailboxOrigins", async () => {
    await client.control("config", { mailboxOrigins: ["http://gateway.test"] }, "PUT");
    await put({
      webhooks: [{ url: "http://gateway.test/api/waha/webhook", events: ["session.status"] }],
    });
    const letters = await client.control<Array<{ id: number; url: string }>>("mailbox?waitMs=1000");
    expect(letters.body.map((l) => l.url)).toContain("http://gateway.test/api/waha/webhook");
    await client.control("config", { mailboxOrigins: [] }, "PUT");
    expect(events()).toEqual([]);
  });
});

describe("POST /api/sessions/{session}/restart", () => {
  it("answers the session and announces STARTING, then WORKING", async () => {
    own.received.length = 0;
    const res = await client.api<Json>("/api/sessions/default/restart", { method: "POST" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "default", status: "STARTING" });
    await own.waitFor(2);
    expect(own.envelopes().map((e) => (e.payload as Json).status)).toEqual(["STARTING", "WORKING"]);
    expect((await client.api<Json>("/api/sessions/default")).body.status).toBe("WORKING");
    const stats = await client.control<{ calls: Record<string, number> }>("stats");
    expect(stats.body.calls["session-restart"]).toBe(1);
  });
});

describe("GET /api/server/environment", () => {
  it("shows WAHA's variables, the files' lifetime among them, and extras a test adds", async () => {
    await client.control("config", { filesLifetimeSec: 60 }, "PUT");
    await client.control(
      "config",
      { environment: { WHATSAPP_HOOK_URL: "http://x.test/h" } },
      "PUT",
    );
    const res = await client.api<Record<string, string>>("/api/server/environment");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      WHATSAPP_FILES_LIFETIME: "60",
      WHATSAPP_HOOK_URL: "http://x.test/h",
      WHATSAPP_DEFAULT_ENGINE: "WEBJS",
    });
    expect(Object.keys(res.body)).toEqual(Object.keys(res.body).sort());
    await client.control("config", { filesLifetimeSec: 180 }, "PUT");
  });
});
