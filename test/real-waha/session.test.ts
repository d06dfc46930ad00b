/**
 * The gateway against real WAHA Core 2026.2.1 (NOWEB) with no phone: a session that is
 * STOPPED, STARTING and then FAILED (WAHA gives up reaching WhatsApp after about two
 * minutes), a session WAHA does not have, a wrong key, and WAHA's own signed webhooks.
 * Run by `npm run test:waha` inside a loopback-only network namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NEEDED_EVENTS } from "../../src/lib/waha/setup.ts";
import { type Frames, openFrames } from "./frames.ts";
import { type Recorder, startRecorder } from "./recorder.ts";
import { json, type RealStack, startRealStack } from "./stack.ts";

/** The events the gateway asks WAHA for, and two it does not use (answered 200 `ignored`). */
const EVENTS = [...NEEDED_EVENTS, "state.change", "engine.event"];

let stack: RealStack;
let recorder: Recorder;
let frames: Frames;

beforeAll(async () => {
  stack = await startRealStack();
  recorder = await startRecorder(`${stack.gateway.url}/api/waha/webhook`);
  frames = await openFrames(stack);
});

afterAll(async () => {
  frames?.close();
  await recorder?.close();
  stack?.stop();
});

describe("real WAHA, a session that never reaches WhatsApp", () => {
  it("a fresh session is STOPPED: session, status and health say what WAHA says at once, and the QR is 409", async () => {
    const session = await stack.call("/api/waha/session");
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ name: "default", status: "STOPPED" });
    const status = await stack.call("/api/waha/status");
    expect(await json(status)).toMatchObject({
      status: "STOPPED",
      server: { version: "2026.2.1", engine: "NOWEB", tier: "CORE" },
    });
    const health = await stack.call("/api/waha/health");
    expect(await json(health)).toMatchObject({ ok: true, source: "ping" });
    const qr = await stack.call("/api/waha/qr");
    expect(qr.status).toBe(409);
  });

  it("a session WAHA does not have is session-not-found, a wrong API key upstream-unauthorized", async () => {
    const { signToken } = await import("../../src/lib/auth/sign-token.ts");
    const token = await signToken({ sub: "admin-1", role: "admin" }, stack.secrets.jwt, 600);
    const other = await stack.gatewayWith({ WAHA_SESSION: "sales" });
    const missing = await fetch(`${other.url}/api/waha/session`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "session-not-found" });
    const wrong = await stack.gatewayWith({ WAHA_API_KEY: "not-the-key" });
    const refused = await fetch(`${wrong.url}/api/waha/session`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({
      error: "upstream-unauthorized",
      message: expect.stringContaining("WAHA_API_KEY"),
    });
  });

  it("starting it: WAHA's signed webhooks are answered 200 and its STARTING reaches browsers", async () => {
    // Core's `default` session always exists: configured with PUT, then started.
    const put = await stack.wahaCall("/api/sessions/default", {
      method: "PUT",
      body: JSON.stringify({
        config: {
          webhooks: [{ url: recorder.url, events: EVENTS, hmac: { key: stack.secrets.hmac } }],
          noweb: { store: { enabled: true, fullSync: false } },
        },
      }),
    });
    expect(put.status).toBe(200);
    expect((await stack.wahaCall("/api/sessions/default/start", { method: "POST" })).status).toBe(
      201,
    );
    const starting = await recorder.next(
      (d) =>
        d.event === "session.status" &&
        (d.body.payload as { status?: string }).status === "STARTING",
    );
    expect(starting.headers["x-webhook-hmac-algorithm"]).toBe("sha512");
    expect(starting.answer.status).toBe(200);
    expect(
      await frames.next((f) => f.type === "session.status" && f.status === "STARTING"),
    ).toBeTruthy();
    // WAHA's other events are answered 200 too (ignored), so WAHA never retries them.
    await recorder.next((d) => d.event === "engine.event" || d.event === "state.change");
    for (const d of recorder.deliveries) expect([d.event, d.answer.status]).toEqual([d.event, 200]);
  });

  it("while STARTING: the lists answer from the store, a send is queued, the breaker stays closed", async () => {
    const chats = await stack.call("/api/wa/chats");
    expect(chats.status).toBe(200);
    expect(chats.headers.get("x-cache-status")).toBe("STORE");
    const messages = await stack.call("/api/wa/messages?jid=15550001111@c.us");
    expect(messages.status).toBe(200);
    const send = await stack.sendText("15550001111@c.us", "after the restart", "real-waha-1");
    expect(send.status).toBe(202);
    expect(await send.json()).toMatchObject({ status: "queued" });
    const outbox = await json<Array<{ status: string }>>(await stack.call("/api/wa/outbox"));
    expect(outbox).toMatchObject([{ status: "queued" }]);
    const stats = await json<{ circuit: { state: string } }>(
      await stack.call("/api/waha/monitoring/stats"),
    );
    expect(stats.circuit.state).toBe("closed");
    expect(await json(await stack.call("/api/waha/status"))).toMatchObject({ status: "STARTING" });
  });

  it("FAILED when WAHA gives up: status says FAILED, browsers hear it, nothing failed at the gateway", async () => {
    const failed = await recorder.next(
      (d) =>
        d.event === "session.status" && (d.body.payload as { status?: string }).status === "FAILED",
      200_000,
    );
    expect(failed.answer.status).toBe(200);
    await frames.next((f) => f.type === "session.status" && f.status === "FAILED");
    expect(await json(await stack.call("/api/waha/session"))).toMatchObject({ status: "FAILED" });
    const outbox = await json<Array<{ status: string }>>(await stack.call("/api/wa/outbox"));
    expect(outbox).toMatchObject([{ status: "queued" }]);
    const stats = await json<{ circuit: { state: string } }>(
      await stack.call("/api/waha/monitoring/stats"),
    );
    expect(stats.circuit.state).toBe("closed");
    const qr = await stack.call("/api/waha/qr");
    expect(qr.status).toBe(409);
  });
});
