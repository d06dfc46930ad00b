// The simulator delivers webhooks as WAHA's WebhookSender does: its envelope and headers, and its
// retries of every answer that is not a 2xx, with attempts and delay that tests can shorten.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ReceiverAnswer, simClient, webhookReceiver } from "../../tools/waha-sim/client.ts";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";
import { retryDelay, signWebhook } from "../../tools/waha-sim/webhook.ts";

const KEY = "webhooks-key";
const HMAC = "hook-secret";
const ANA = "15550100001@c.us";

type Json = Record<string, unknown>;
interface Stats {
  webhooksSent: number;
  webhookAttempts: number;
  webhookFailures: number;
  webhookGaveUp: number;
  webhookPending: number;
}

let sim: Simulator;
let client: ReturnType<typeof simClient>;
let answers: ReceiverAnswer[] = [];
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  // Each delivery takes the next answer; the last one repeats.
  hooks = await webhookReceiver(() =>
    answers.length > 1 ? (answers.shift() ?? 200) : (answers[0] ?? 200),
  );
  sim = await startSimulator({ apiKey: KEY, webhookUrl: hooks.url, webhookHmacKey: HMAC });
  client = simClient(sim.url, KEY);
});

afterAll(async () => {
  await sim.close();
  await hooks.close();
});

afterEach(async () => {
  await client.control("reset", {});
  await client.control(
    "config",
    { webhookUrl: hooks.url, webhookRetries: { attempts: 15, delayMs: 2000 } },
    "PUT",
  );
  hooks.received.length = 0;
  answers = [];
});

async function stats(): Promise<Stats> {
  return (await client.control<Stats>("stats")).body;
}

async function retries(attempts: number, delayMs: number) {
  const res = await client.control("config", { webhookRetries: { attempts, delayMs } }, "PUT");
  expect(res.status).toBe(200);
}

describe("the envelope and its headers", () => {
  it("carries evt_<ulid>, the event's own ms time (also X-Webhook-Timestamp), a uniqid request id and the HMAC", async () => {
    const before = Date.now();
    await client.control("messages", { chatId: ANA, body: "Hi", webhook: true });
    const [hook] = hooks.received;
    const envelope = JSON.parse(hook?.body ?? "{}") as Json;
    expect(envelope.id).toMatch(/^evt_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(Number(envelope.timestamp)).toBeGreaterThanOrEqual(before);
    expect(hook?.headers["x-webhook-timestamp"]).toBe(String(envelope.timestamp));
    // uniqid: MAC address and pid in base 36, then the time in ms in base 36; never a prefix.
    const requestId = String(hook?.headers["x-webhook-request-id"]);
    expect(requestId).toMatch(/^[0-9a-z]+$/);
    const sentAt = Number.parseInt(requestId.slice(-8), 36);
    expect(sentAt - Number(envelope.timestamp)).toBeGreaterThanOrEqual(0);
    expect(sentAt - Number(envelope.timestamp)).toBeLessThan(1000);
    expect(requestId.slice(0, -8).endsWith(process.pid.toString(36))).toBe(true);
    expect(hook?.headers["x-webhook-hmac"]).toBe(signWebhook(hook?.body ?? "", HMAC));
    expect(hook?.headers["x-webhook-hmac-algorithm"]).toBe("sha512");
    expect(hook?.headers["user-agent"]).toBe("WAHA/2026.2.1");
    // No metadata key at all while the session's config has none (as real WAHA sends it).
    expect(envelope).not.toHaveProperty("metadata");
    expect(envelope).toMatchObject({
      event: "message",
      session: "default",
      me: { id: "15550000000@c.us" },
      engine: "WEBJS",
      environment: { version: "2026.2.1", engine: "WEBJS", tier: "CORE" },
    });
  });

  it("sends session.status with {name, status, statuses}, the last three, and no repeated WORKING", async () => {
    await client.control("session", { status: "STARTING" });
    await client.control("session", { status: "WORKING" });
    const again = await client.control<Json>("session", { status: "WORKING" });
    expect(again.body.event).toBeNull();
    const sent = hooks.envelopes();
    expect(sent).toHaveLength(2);
    const payload = sent[1]?.payload as { name: string; status: string; statuses: Json[] };
    expect(payload).toMatchObject({ name: "default", status: "WORKING" });
    expect(payload.statuses.map((s) => s.status)).toEqual(["WORKING", "STARTING", "WORKING"]);
    expect(payload.statuses.every((s) => typeof s.timestamp === "number")).toBe(true);
    expect(sent[0]?.me).toBeNull();
  });
});

describe("retries", () => {
  it("defaults to WAHA's 15 retries 2 s apart, and names a bad retry setting", async () => {
    expect((await client.control<Json>("config")).body.webhookRetries).toEqual({
      attempts: 15,
      delayMs: 2000,
      policy: "constant",
    });
    const bad = await client.control<Json>("config", { webhookRetries: { delayMs: -1 } }, "PUT");
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/^webhookRetries\.delayMs /);
  });

  it("retries a 4xx as WAHA does, with the same request id and body, until a 2xx", async () => {
    await retries(3, 50);
    answers = [401, 400, 200];
    const res = await client.control<Json>("webhooks", { event: "message", payload: { id: "x" } });
    expect(res.body.status).toBe(401);
    const received = await hooks.waitFor(3);
    expect(new Set(received.map((r) => r.headers["x-webhook-request-id"])).size).toBe(1);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect((received[1]?.at ?? 0) - (received[0]?.at ?? 0)).toBeGreaterThanOrEqual(45);
    // Once the 2xx is counted nothing is pending, so no further attempt can come.
    await expect.poll(stats).toMatchObject({
      webhooksSent: 1,
      webhookAttempts: 3,
      webhookFailures: 2,
      webhookGaveUp: 0,
      webhookPending: 0,
    });
    expect(hooks.received).toHaveLength(3);
  });

  it("gives up after the configured retries, and counts it", async () => {
    await retries(2, 20);
    answers = [500];
    await client.control("webhooks", { event: "message", payload: {} });
    await hooks.waitFor(3);
    await expect.poll(stats).toMatchObject({
      webhookAttempts: 3,
      webhookFailures: 3,
      webhookGaveUp: 1,
      webhookPending: 0,
    });
    expect(hooks.received).toHaveLength(3);
  });

  it("retries when nothing answers at the URL", async () => {
    await retries(1, 20);
    const closed = await webhookReceiver();
    await closed.close();
    await client.control("config", { webhookUrl: closed.url }, "PUT");
    const res = await client.control<Json>("webhooks", { event: "message", payload: {} });
    expect(res.status).toBe(502);
    await expect.poll(stats).toMatchObject({
      webhookAttempts: 2,
      webhookFailures: 2,
      webhookGaveUp: 1,
    });
  });

  it("waits as long as Retry-After asks when that is longer than the delay", async () => {
    await retries(1, 10);
    answers = [{ status: 429, headers: { "Retry-After": "1" } }, 200];
    await client.control("webhooks", { event: "message", payload: {} });
    const received = await hooks.waitFor(2, 3000);
    expect((received[1]?.at ?? 0) - (received[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("drops the retries still waiting on reset", async () => {
    await retries(5, 100);
    answers = [503];
    await client.control("webhooks", { event: "message", payload: {} });
    expect((await stats()).webhookPending).toBe(1);
    await client.control("reset", {});
    await new Promise((r) => setTimeout(r, 250));
    expect(hooks.received).toHaveLength(1);
  });

  it("spaces retries by WAHA's policies: constant, linear, exponential", () => {
    const base = { attempts: 5, delayMs: 100 };
    expect(retryDelay({ ...base, policy: "constant" }, 3, 0)).toBe(100);
    expect(retryDelay({ ...base, policy: "constant" }, 3, 400)).toBe(400);
    expect(retryDelay({ ...base, policy: "linear" }, 3, 0)).toBe(300);
    const exponential = retryDelay({ ...base, policy: "exponential" }, 3, 0);
    expect(exponential).toBeGreaterThanOrEqual(800);
    expect(exponential).toBeLessThanOrEqual(960);
    expect(retryDelay({ ...base, delayMs: 0, policy: "constant" }, 1, 0)).toBe(0);
  });
});
