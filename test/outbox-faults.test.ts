/**
 * The outbox's promise in WAHA's real configuration: webhooks on, so WAHA's `message.any`
 * for a send may reach the gateway before, with, after or instead of its HTTP answer. Every
 * cell of the fault matrix sends three messages into one chat, the first meeting the fault,
 * and then holds the gateway to it: each message at WAHA exactly once and in order, and
 * every send ends `sent` (the same clientId again answers `sent`, never a second send).
 * This file's config: 300 ms a WAHA call, give up after 10 min.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { SendEcho } from "../tools/waha-sim/send-echo.ts";
import { call, json, resetAssignmentData, sim } from "./helpers.ts";
import { advance, useClock } from "./waha-fixtures.ts";
import { syncWahaClock, webhooksOn, withWebhooks } from "./webhook-pump.ts";

const ANA = "15550100001@c.us";
const admin = { role: "admin" as const, sub: "admin-faults" };
const TEXTS = ["first", "second", "third"];

// The clock runs an hour ahead: the outbox's alarms fire only when a test runs them.
beforeAll(useClock);
afterAll(() => vi.useRealTimers());
beforeEach(async () => {
  advance(3_600_000);
  await sim.reset();
  await resetAssignmentData();
});

const outbox = () => env.OUTBOX.get(env.OUTBOX.idFromName(`default\n${ANA}`));

function send(text: string, clientId: string) {
  return withWebhooks(() =>
    call("/api/wa/send-text", { ...json({ jid: ANA, text, clientId }), as: admin }),
  );
}

/** Our own messages in WAHA's copy of the chat, oldest first (same second: as WAHA took them). */
async function atWaha(): Promise<string[]> {
  return (await sim.ownTexts(ANA)).filter((text) => TEXTS.includes(text));
}

/** Runs the chat's outbox (with WAHA's webhooks flowing) until nothing waits. */
async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const waiting = await env.DB.prepare(
      "SELECT count(*) AS n FROM outbox WHERE status IN ('queued', 'sending')",
    ).first<{ n: number }>();
    if (waiting?.n === 0) return;
    advance(5_000);
    await syncWahaClock();
    await withWebhooks(() => runDurableObjectAlarm(outbox()));
  }
}

/** What every cell promises: once each, in order, and every send `sent`. */
async function expectOnceInOrder(clientIds: string[]): Promise<void> {
  await drain();
  expect(await atWaha()).toEqual(TEXTS);
  for (const [i, clientId] of clientIds.entries()) {
    const again = await send(TEXTS[i] ?? "", clientId);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      status: "sent",
      id: expect.stringMatching(/^true_/),
    });
  }
  expect(await atWaha()).toEqual(TEXTS);
  expect(await (await call("/api/wa/outbox", { as: admin })).json()).toEqual([]);
}

async function sendAll(prefix: string): Promise<string[]> {
  const ids = TEXTS.map((_, i) => `${prefix}-${i}-client`);
  for (const [i, text] of TEXTS.entries()) {
    const res = await send(text, ids[i] ?? "");
    expect([200, 202]).toContain(res.status);
  }
  return ids;
}

const FAULTS: Array<[string, Record<string, unknown>]> = [
  ["WAHA refuses it with 503 before taking it", { status: 503 }],
  ["WAHA hangs before taking it", { hang: true }],
  ["WAHA takes it, then hangs", { afterTaking: true, hang: true }],
  ["WAHA takes it, then the connection resets", { afterTaking: true, resetAfterBytes: 0 }],
  ["WAHA takes it and answers after the timeout", { afterTaking: true, latencyMs: 700 }],
];

const ECHOES: Array<[string, SendEcho | "off"]> = [
  ["echo before the answer", "before"],
  ["echo with the answer", "with"],
  ["echo after the answer", "after"],
  ["echo lost", "none"],
  ["webhooks off", "off"],
];

describe.each(ECHOES)("%s", (_, echo) => {
  beforeEach(async () => {
    await syncWahaClock();
    // A reset keeps WAHA's webhook settings: this column turns them off itself.
    if (echo === "off") await sim.control("config", { webhookUrl: null }, "PUT");
    else {
      await webhooksOn(echo);
      if (echo === "after") await sim.control("config", { echoDelayMs: 400 }, "PUT");
    }
  });

  it.each(FAULTS)(
    "%s: each message at WAHA once, in order, every send sent",
    async (name, fault) => {
      await sim.control("faults", { endpoint: "sendText", times: 1, ...fault });
      const ids = await sendAll(name.replace(/\W+/g, "").slice(0, 20));
      await expectOnceInOrder(ids);
    },
  );

  it("the gateway restarts after WAHA took a send, before it recorded it: never sent again", async () => {
    await sim.control("faults", { endpoint: "sendText", status: 503 });
    const ids = await sendAll("restart-after");
    await sim.control("faults", undefined, "DELETE");
    // The object had sent the first to WAHA (WAHA took it and echoed it) when it died.
    await withWebhooks(async () => {
      const res = await fetch(`${env.WAHA_URL}/api/sendText`, {
        method: "POST",
        headers: { "X-Api-Key": env.WAHA_API_KEY, "Content-Type": "application/json" },
        body: JSON.stringify({ session: "default", chatId: ANA, text: TEXTS[0] }),
      });
      expect(res.status).toBe(201);
    });
    await env.DB.prepare("UPDATE outbox SET status = 'sending' WHERE client_id = ?")
      .bind(ids[0])
      .run();
    await expectOnceInOrder(ids);
  });

  it("the gateway restarts before WAHA took a send: sent once", async () => {
    await sim.control("faults", { endpoint: "sendText", status: 503 });
    const ids = await sendAll("restart-before");
    await sim.control("faults", undefined, "DELETE");
    await env.DB.prepare("UPDATE outbox SET status = 'sending' WHERE client_id = ?")
      .bind(ids[0])
      .run();
    await expectOnceInOrder(ids);
  });

  it("WAHA is down, then back: each once, in order", async () => {
    await sim.control("faults", { status: 503 });
    const ids = await sendAll("waha-down");
    await sim.control("faults", undefined, "DELETE");
    await expectOnceInOrder(ids);
  });

  for (const status of ["STARTING", "FAILED"] as const) {
    it(`the session is ${status}, then WORKING: queued, never failed, then each once in order`, async () => {
      await withWebhooks(() => sim.control("session", { status }));
      const ids = await sendAll(`session-${status.toLowerCase()}`);
      const listed = await (await call("/api/wa/outbox", { as: admin })).json<
        Array<{ status: string }>
      >();
      expect(listed.map((e) => e.status)).toEqual(["queued", "queued", "queued"]);
      await withWebhooks(() => sim.control("session", { status: "WORKING" }));
      await expectOnceInOrder(ids);
    });
  }
});
