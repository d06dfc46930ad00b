/**
 * SILENT sessions: WAHA says WORKING but its webhooks have stopped. A send WAHA took that no
 * webhook follows within WAHA_SILENCE_MS (120 s here), or a reconcile that finds messages no
 * webhook announced, makes the status routes, /metrics and the monitoring stats say so; any
 * webhook ends it. Automatic restarts are off in this file (test/session-restart.test.ts).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliver } from "./events.ts";
import { call, json, sim } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser } from "./waha-fixtures.ts";
import { syncWahaClock, webhooksOn, withWebhooks } from "./webhook-pump.ts";

freshGatewayEachTest();

const ANA = "15550100001@c.us";
const SILENCE_MS = 120_000;
const watch = () => env.SESSION_WATCH.get(env.SESSION_WATCH.idFromName("default"));

interface Status {
  status: string;
  silent?: boolean;
  silentSince?: string;
  silentReason?: string;
}

async function status(path = "/api/waha/status"): Promise<Status> {
  const res = await call(path, { as: newUser("user") });
  expect(res.status).toBe(200);
  return res.json<Status>();
}

async function send(text: string): Promise<void> {
  const res = await call("/api/wa/send-text", {
    ...json({ jid: ANA, text }),
    as: newUser("admin"),
  });
  expect(res.status).toBe(200);
}

/** A signed webhook for the session, as WAHA sends it; waits for what follows the answer. */
async function anyWebhook(): Promise<void> {
  const res = await deliver(
    "session.status",
    { name: "default", status: "WORKING" },
    { wait: true },
  );
  expect(res.status).toBe(200);
}

async function metric(name: string): Promise<number> {
  const text = await (await call("/metrics", { as: newUser("user") })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1]);
}

describe("a send no webhook follows", () => {
  it("makes the session SILENT once WAHA_SILENCE_MS has passed, on both status routes", async () => {
    await send("anyone there?");
    expect((await status()).silent).toBe(false);
    advance(SILENCE_MS - 1_000);
    expect((await status()).silent).toBe(false);
    advance(1_000);
    const silent = await status();
    expect(silent).toMatchObject({ status: "WORKING", silent: true, silentReason: "no-echo" });
    expect(Date.parse(silent.silentSince ?? "")).toBe(Date.now());
    expect(await status("/api/waha/session")).toMatchObject({ status: "WORKING", silent: true });
  });

  it("is found by the watch's own alarm too, with nobody asking", async () => {
    await send("hello?");
    advance(SILENCE_MS);
    expect(await runDurableObjectAlarm(watch())).toBe(true);
    // Found by the alarm itself, before anything asked.
    const kept = await runInDurableObject(watch(), (_watch, state) =>
      state.storage.kv.get("silence"),
    );
    expect(kept).toMatchObject({ reason: "no-echo" });
    // Restarts are off unless WAHA_AUTO_RESTART says otherwise.
    expect((await sim.stats()).calls["session-restart"]).toBe(0);
    const stats = await call("/api/waha/monitoring/stats", { as: newUser("admin") });
    expect(await stats.json()).toMatchObject({
      session: { silent: true, reason: "no-echo", silentSpells: 1, autoRestarts: 0 },
    });
  });

  it("is counted by /metrics while silent, and any webhook ends it", async () => {
    await send("ping");
    advance(SILENCE_MS);
    expect((await status()).silent).toBe(true);
    expect(await metric("wa_edge_session_silent")).toBe(1);
    expect(await metric("wa_edge_session_silent_total")).toBe(1);
    await anyWebhook();
    expect((await status()).silent).toBe(false);
    expect(await metric("wa_edge_session_silent")).toBe(0);
    expect(await metric("wa_edge_session_last_webhook_seconds")).toBe(Date.now() / 1000);
  });

  it("is not SILENT when WAHA's webhooks bring the send's echo", async () => {
    await webhooksOn();
    await withWebhooks(() => send("echoed"));
    advance(SILENCE_MS * 2);
    expect((await status()).silent).toBe(false);
  });

  it("is not SILENT when some webhook came after the send, even without its echo", async () => {
    await send("no echo");
    advance(SILENCE_MS / 2);
    await anyWebhook();
    advance(SILENCE_MS);
    expect((await status()).silent).toBe(false);
  });

  it("is not SILENT when the echo overtook WAHA's answer", async () => {
    await webhooksOn("before");
    await withWebhooks(() => send("echo first"));
    advance(SILENCE_MS);
    expect((await status()).silent).toBe(false);
  });
});

describe("a reconcile", () => {
  /** Opens the chat (its first fill, or a reconcile when due) as a browser does. */
  async function openChat(): Promise<void> {
    const res = await call(`/api/wa/messages?jid=${encodeURIComponent(ANA)}&limit=20`, {
      as: newUser("admin"),
    });
    expect(res.status).toBe(200);
  }

  it("that finds messages no webhook announced makes the session SILENT", async () => {
    await openChat();
    advance(1_000);
    await syncWahaClock();
    await sim.control("messages", { chatId: ANA, body: "nobody told you" });
    advance(300_000);
    expect((await status()).silent).toBe(false);
    await openChat();
    expect(await status()).toMatchObject({ silent: true, silentReason: "unannounced" });
  });

  it("does not, when a webhook came after the message it missed", async () => {
    await openChat();
    advance(1_000);
    await syncWahaClock();
    await sim.control("messages", { chatId: ANA, body: "one lost delivery" });
    advance(1_000);
    await anyWebhook();
    advance(300_000);
    await openChat();
    expect((await status()).silent).toBe(false);
  });

  it("does not, for messages younger than WAHA_SILENCE_MS", async () => {
    await openChat();
    advance(300_000);
    await syncWahaClock();
    await sim.control("messages", { chatId: ANA, body: "just now" });
    await openChat();
    expect((await status()).silent).toBe(false);
  });
});
