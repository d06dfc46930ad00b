import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import app from "../src/index.ts";
import { getAssignment } from "../src/lib/db.ts";
import type { ChatSummary } from "../src/lib/store/browser-shapes.ts";
import { signWebhookBody } from "../src/lib/waha/webhook-verify.ts";
import { connect, deliver, expectNothingBefore, wahaMessage } from "./events.ts";
import { call, ORIGIN, resetAssignmentData, sim } from "./helpers.ts";

const AGENT = "agent-amira";

async function d1Snapshot() {
  const [rows, settings] = await env.DB.batch([
    env.DB.prepare("SELECT * FROM chat_assignments ORDER BY jid"),
    env.DB.prepare("SELECT * FROM settings ORDER BY key"),
  ]);
  return { rows: rows?.results, settings: settings?.results };
}

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData(
    env.DB.prepare("INSERT INTO agents (id, name) VALUES (?, 'Amira')").bind(AGENT),
  );
});

describe("signed deliveries", () => {
  it("accepts a correctly signed first message: firstMessageAt set, chat auto-assigned, both announced", async () => {
    const admin = await connect("admin");
    const message = wahaMessage("15551230001@c.us", { timestamp: 1_760_000_000 });
    const res = await deliver("message", message);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "accepted" });

    expect(await getAssignment(env.DB, "default", "15551230001@c.us")).toMatchObject({
      assignedTo: AGENT,
      firstMessageAt: new Date(1_760_000_000_000).toISOString(),
      firstResponseAt: null,
    });
    expect(await admin.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid: "15551230001@c.us",
      agentId: AGENT,
    });
    expect(await admin.next()).toMatchObject({
      type: "message.new",
      jid: "15551230001@c.us",
      message: { id: message.id, body: "hello", fromMe: false },
    });
  });

  it("refuses a wrong signature with 401 and leaves D1 and the sockets untouched", async () => {
    const admin = await connect("admin");
    const before = await d1Snapshot();
    const wrong = await signWebhookBody("some-other-key-0123456789", "{}");
    const res = await deliver("message", wahaMessage("15551230002@c.us"), { hmac: wrong });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: "invalid-signature",
      message: "X-Webhook-Hmac does not match the body",
    });
    expect(await d1Snapshot()).toEqual(before);
    await expectNothingBefore(admin, "STARTING");
  });

  it("refuses a missing or malformed signature with 401 and changes nothing", async () => {
    const admin = await connect("admin");
    const before = await d1Snapshot();
    for (const hmac of [null, "", "zz", "ab".repeat(63)]) {
      const res = await deliver("message", wahaMessage("15551230003@c.us"), { hmac });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: "invalid-signature" });
    }
    expect(await d1Snapshot()).toEqual(before);
    await expectNothingBefore(admin, "SCAN_QR_CODE");
  });

  it("refuses a signed delivery stamped more than 5 minutes ago with 401 and changes nothing", async () => {
    const admin = await connect("admin");
    const before = await d1Snapshot();
    const stale = await deliver("message", wahaMessage("15551230004@c.us"), {
      timestamp: Date.now() - 5 * 60_000 - 1_000,
    });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ error: "stale-webhook" });
    const recent = await deliver(
      "session.status",
      { name: "default", status: "STARTING" },
      {
        timestamp: Date.now() - 4 * 60_000,
      },
    );
    expect(recent.status).toBe(200);
    expect(await admin.next()).toEqual({
      type: "session.status",
      number: "default",
      status: "STARTING",
    });
    expect(await d1Snapshot()).toEqual(before);
  });

  it("answers a body that is not JSON 400, and a signed envelope or payload it cannot use 200 ignored, changing nothing", async () => {
    const admin = await connect("admin");
    const before = await d1Snapshot();
    const broken = await deliver("message", null, { rawBody: '{"event":"message",' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      error: "invalid-request",
      message: "body: is not valid JSON",
    });

    // WAHA retries every answer that is not 2xx: what it cannot use is ignored, not refused.
    const noSession = await deliver("message", null, {
      rawBody: JSON.stringify({ event: "message", payload: {} }),
    });
    expect(noSession.status).toBe(200);
    expect(await noSession.json()).toEqual({
      status: "ignored",
      reason: expect.stringMatching(/^envelope session: /),
    });

    const { timestamp: _, ...noTime } = wahaMessage("15551230005@c.us");
    const badPayload = await deliver("message", noTime);
    expect(badPayload.status).toBe(200);
    expect(await badPayload.json()).toEqual({
      status: "ignored",
      reason: "the payload is not a WAHA message",
    });
    expect(await d1Snapshot()).toEqual(before);
    await expectNothingBefore(admin, "FAILED");
  });

  it("refuses every webhook while WAHA_WEBHOOK_HMAC_KEY is unset", async () => {
    const body = JSON.stringify({
      session: "default",
      event: "session.status",
      payload: { status: "WORKING" },
    });
    const res = await app.fetch(
      new Request(`${ORIGIN}/api/waha/webhook`, {
        method: "POST",
        headers: {
          "X-Webhook-Hmac": await signWebhookBody(env.WAHA_WEBHOOK_HMAC_KEY, body),
          "X-Webhook-Request-Id": "req_unset_key",
          "X-Webhook-Timestamp": String(Date.now()),
        },
        body,
      }),
      { ...env, WAHA_WEBHOOK_HMAC_KEY: "" },
      createExecutionContext(),
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "webhooks-disabled" });
  });

  it("needs neither a bearer token nor a request id, and still knows a replay by the envelope's id", async () => {
    const admin = await connect("admin");
    const body = JSON.stringify({
      id: "evt_without_request_id",
      timestamp: Date.now(),
      session: "default",
      event: "session.status",
      payload: { name: "default", status: "SCAN_QR_CODE" },
    });
    const first = await deliver("session.status", null, { rawBody: body, requestId: null });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: "accepted" });
    expect(await admin.next()).toEqual({
      type: "session.status",
      number: "default",
      status: "SCAN_QR_CODE",
    });
    const again = await deliver("session.status", null, { rawBody: body, requestId: null });
    expect(await again.json()).toEqual({ status: "duplicate" });
    await expectNothingBefore(admin, "WORKING");
  });
});

describe("idempotency", () => {
  it("applies a replayed request id once and answers the replay 200", async () => {
    const admin = await connect("admin");
    const first = await deliver("message", wahaMessage("15551230006@c.us", { body: "once" }), {
      requestId: "req_replayed",
    });
    expect(await first.json()).toEqual({ status: "accepted" });
    expect(await admin.next()).toMatchObject({ type: "chat.assigned" });
    expect(await admin.next()).toMatchObject({ type: "message.new", message: { body: "once" } });
    const after = await d1Snapshot();

    // The same delivery again, and the same request id carrying another message.
    for (const message of [wahaMessage("15551230006@c.us"), wahaMessage("15551230007@c.us")]) {
      const replay = await deliver("message", message, { requestId: "req_replayed" });
      expect(replay.status).toBe(200);
      expect(await replay.json()).toEqual({ status: "duplicate" });
    }
    expect(await d1Snapshot()).toEqual(after);
    await expectNothingBefore(admin, "WORKING");
  });

  it("refuses a captured body replayed with fresh headers, by the envelope's signed id and time", async () => {
    const admin = await connect("admin");
    const envelope = (timestamp: number) =>
      JSON.stringify({
        id: "evt_captured",
        timestamp,
        session: "default",
        event: "session.status",
        payload: { name: "default", status: "FAILED" },
      });
    const body = envelope(Date.now());
    expect(await (await deliver("session.status", null, { rawBody: body })).json()).toEqual({
      status: "accepted",
    });
    expect(await admin.next()).toEqual({
      type: "session.status",
      number: "default",
      status: "FAILED",
    });

    const replay = await deliver("session.status", null, { rawBody: body });
    expect(await replay.json()).toEqual({ status: "duplicate" });
    const old = await deliver("session.status", null, {
      rawBody: envelope(Date.now() - 6 * 60_000).replace("evt_captured", "evt_old"),
    });
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ error: "stale-webhook" });
    await expectNothingBefore(admin, "WORKING");
  });

  it("announces an inbound message sent as both message and message.any once", async () => {
    const admin = await connect("admin");
    const message = wahaMessage("15551230008@c.us", { body: "twice sent" });
    expect(await (await deliver("message", message)).json()).toEqual({ status: "accepted" });
    expect(await (await deliver("message.any", message)).json()).toEqual({ status: "unchanged" });
    expect(await admin.next()).toMatchObject({ type: "chat.assigned" });
    expect(await admin.next()).toMatchObject({
      type: "message.new",
      message: { body: "twice sent" },
    });
    await expectNothingBefore(admin, "STOPPED");
  });
  it("answers 500 when D1 fails, so WAHA's retry of the same delivery is stored, once", async () => {
    const chat = "15550100007@c.us";
    const body = JSON.stringify({
      id: "evt_d1_down",
      timestamp: Date.now(),
      session: "default",
      engine: "WEBJS",
      event: "message",
      payload: wahaMessage(chat, { body: "kept for the retry" }),
    });
    const again = { rawBody: body, requestId: "req_d1_down" };
    // D1 failing as it would mid-write: the table the message goes to is not there.
    await env.DB.exec("ALTER TABLE messages RENAME TO messages_away");
    let failed: Response;
    try {
      failed = await deliver("message", null, again);
    } finally {
      await env.DB.exec("ALTER TABLE messages_away RENAME TO messages");
    }
    expect(failed.status).toBe(500);
    const retried = await deliver("message", null, again);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ status: "accepted" });
    expect((await deliver("message", null, again)).status).toBe(200);
    const page = await call(`/api/wa/messages?jid=${chat}`, {
      as: { role: "admin", sub: "admin-1" },
    });
    const texts = (await page.json<Array<{ body: string | null }>>()).map((m) => m.body);
    expect(texts.filter((t) => t === "kept for the retry")).toHaveLength(1);
  });
});

describe("events", () => {
  it("sets firstMessageAt and firstResponseAt once each, in order", async () => {
    const jid = "15551230009@c.us";
    const t0 = 1_760_000_000;
    await deliver("message", wahaMessage(jid, { timestamp: t0 }));
    await deliver("message.any", wahaMessage(jid, { timestamp: t0 + 60, fromMe: true }));
    await deliver("message", wahaMessage(jid, { timestamp: t0 + 120 }));
    await deliver("message.any", wahaMessage(jid, { timestamp: t0 + 180, fromMe: true }));
    const row = await getAssignment(env.DB, "default", jid);
    expect(row).toMatchObject({
      firstMessageAt: new Date(t0 * 1000).toISOString(),
      firstResponseAt: new Date((t0 + 60) * 1000).toISOString(),
    });
    expect(String(row?.firstMessageAt) < String(row?.firstResponseAt)).toBe(true);
  });

  it("does not auto-assign a chat the gateway wrote to first, then does on the customer's reply", async () => {
    const jid = "15551230010@c.us";
    await deliver("message.any", wahaMessage(jid, { fromMe: true }));
    expect(await getAssignment(env.DB, "default", jid)).toMatchObject({
      assignedTo: null,
      firstMessageAt: null,
    });
    await deliver("message", wahaMessage(jid));
    expect(await getAssignment(env.DB, "default", jid)).toMatchObject({ assignedTo: AGENT });
  });

  it("leaves a chat an admin unassigned alone when its customer writes again", async () => {
    const jid = "15551230011@c.us";
    await deliver("message", wahaMessage(jid));
    await env.DB.prepare("UPDATE chat_assignments SET assigned_to = NULL WHERE jid = ?")
      .bind(jid)
      .run();
    await deliver("message", wahaMessage(jid));
    expect(await getAssignment(env.DB, "default", jid)).toMatchObject({ assignedTo: null });
  });

  it("sends message.new with media through the gateway and without engine internals", async () => {
    const admin = await connect("admin");
    const jid = "15551230012@c.us";
    const message = wahaMessage(jid, {
      media: { url: "http://waha.internal:3000/api/files/default/x.jpeg" },
    });
    await deliver("message", message);
    await admin.next();
    const frame = await admin.next();
    const sent = JSON.stringify(frame);
    expect(frame).toMatchObject({
      type: "message.new",
      message: {
        hasMedia: true,
        media: {
          url: `/api/wa/media?number=default&jid=${encodeURIComponent(jid)}&id=${encodeURIComponent(message.id)}`,
          mimetype: "image/jpeg",
        },
      },
    });
    expect(sent).not.toContain("waha.internal");
    expect(sent).not.toContain("engine-internal");
  });

  it("turns message.ack into message.status, naming the ack when WAHA leaves the name out", async () => {
    const admin = await connect("admin");
    const jid = "15551230013@c.us";
    const message = wahaMessage(jid, { fromMe: true });
    const ack = { id: message.id, from: message.from, to: jid, fromMe: true, ack: 3 };
    expect(await (await deliver("message.any", message)).json()).toEqual({ status: "accepted" });
    expect(await admin.next()).toMatchObject({ type: "message.new", jid });
    expect(await (await deliver("message.ack", ack)).json()).toEqual({ status: "accepted" });
    expect(await admin.next()).toEqual({
      type: "message.status",
      number: "default",
      jid,
      id: message.id,
      status: "READ",
    });
    // The same receipt again (WAHA retried, or sent it twice) is announced once.
    expect(await (await deliver("message.ack", ack)).json()).toEqual({ status: "unchanged" });
    await expectNothingBefore(admin, "WORKING");
  });

  it("answers events it does not use, other sessions and status broadcasts with 200 and does nothing", async () => {
    const admin = await connect("admin");
    const before = await d1Snapshot();
    for (const [event, payload, session] of [
      ["presence.update", { id: "x" }, "default"],
      ["message", wahaMessage("15551230014@c.us"), "other-session"],
      ["message", wahaMessage("status@broadcast"), "default"],
    ] as const) {
      const res = await deliver(event, payload, { session });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ignored" });
    }
    expect(await d1Snapshot()).toEqual(before);
    await expectNothingBefore(admin, "WORKING");
  });

  it("shows a webhook's message in the next chat list and message page without asking WAHA", async () => {
    const admin = await connect("admin");
    const jid = "15551230015@c.us";
    const read = async (path: string) => {
      const res = await call(path, { as: { role: "admin" } });
      expect(res.headers.get("X-Cache-Status")).toBe("STORE");
      return res;
    };
    await read("/api/wa/chats");
    await read(`/api/wa/messages?jid=${jid}`);
    const before = (await sim.stats()).calls;

    const message = wahaMessage(jid, { body: "is my order on its way?" });
    await deliver("message", message);
    await admin.next();
    expect(await admin.next()).toMatchObject({ type: "message.new", jid });
    const chats = await (await read("/api/wa/chats")).json<ChatSummary[]>();
    expect(chats.find((c) => c.id === jid)).toMatchObject({
      preview: "is my order on its way?",
      unreadCount: 1,
    });
    const page = await (await read(`/api/wa/messages?jid=${jid}`)).json<Array<{ id: string }>>();
    expect(page[0]?.id).toBe(message.id);
    const after = (await sim.stats()).calls;
    expect([after.chats, after.messages]).toEqual([before.chats, before.messages]);
  });

  it("makes the next session read go to WAHA after a session.status event", async () => {
    const admin = await connect("admin");
    const read = async () =>
      (await call("/api/waha/session", { as: { role: "admin" } })).headers.get("X-Cache-Status");
    await read();
    expect(await read()).toBe("HIT");
    await deliver("session.status", { name: "default", status: "WORKING" });
    await admin.next();
    expect(await read()).toBe("MISS");
  });
});
