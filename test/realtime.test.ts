import { createExecutionContext, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RealtimeHub } from "../durable-objects/realtime-hub.ts";
import app from "../src/index.ts";
import { connect, deliver, ticketFor, upgrade, wahaMessage } from "./events.ts";
import { call, json, ORIGIN, sim } from "./helpers.ts";

const ALICE = "agent-alice";
const BOB = "agent-bob";

function hub() {
  return env.REALTIME_HUB.get(env.REALTIME_HUB.idFromName("global"));
}

async function assign(jid: string, agentId: string) {
  const res = await call(`/api/wa/assignments/${jid}`, {
    ...json({ agentId }),
    method: "PUT",
    as: { role: "admin" },
  });
  expect(res.status).toBe(200);
}

beforeEach(async () => {
  await sim.reset();
  await env.DB.batch([
    env.DB.prepare("DELETE FROM chat_assignments"),
    env.DB.prepare("DELETE FROM agents"),
    env.DB.prepare("INSERT INTO agents (id, name) VALUES (?, 'Alice'), (?, 'Bob')").bind(
      ALICE,
      BOB,
    ),
  ]);
});

describe("tickets", () => {
  it("gives a signed-in user a ticket that expires 30 seconds from now", async () => {
    const before = Date.now();
    const res = await call("/api/realtime/ticket", { method: "POST", as: { role: "agent" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const { ticket, expiresAt } = await res.json<{ ticket: string; expiresAt: string }>();
    // The hub's own ticket, after the number whose hub it is.
    expect(ticket).toMatch(/^default\.[A-Za-z0-9_-]{40,}$/);
    const ms = Date.parse(expiresAt) - before;
    expect(ms).toBeGreaterThanOrEqual(30_000);
    expect(ms).toBeLessThan(31_000);
  });

  it("refuses a ticket without a bearer token with 401", async () => {
    const res = await call("/api/realtime/ticket", { method: "POST" });
    expect(res.status).toBe(401);
  });

  it("opens a socket with a ticket once; the same ticket again is 401 before any upgrade", async () => {
    const ticket = await ticketFor("admin", "admin-1");
    const first = await upgrade(ticket);
    expect(first.status).toBe(101);
    first.webSocket?.accept();
    first.webSocket?.close(1000, "done");

    const again = await upgrade(ticket);
    expect(again.status).toBe(401);
    expect(again.webSocket).toBeNull();
    expect(await again.json()).toEqual({
      error: "unauthorized",
      message: "the ticket is unknown or used",
    });
  });

  it("refuses no ticket and a made-up ticket with 401", async () => {
    const none = await upgrade(null);
    expect(none.status).toBe(401);
    expect(none.webSocket).toBeNull();
    const made = await upgrade("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(made.status).toBe(401);
    expect(made.webSocket).toBeNull();
    const odd = await upgrade("not a ticket!");
    expect(odd.status).toBe(401);
  });

  it("refuses a ticket whose 30 seconds have passed with 401", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const ticket = await ticketFor("agent", ALICE);
    vi.setSystemTime(Date.now() + 30_001);
    const res = await upgrade(ticket);
    vi.useRealTimers();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized", message: "the ticket has expired" });
  });

  it("closes a socket with 4001 when the token it was opened with expires, and no other", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const early = await connect("admin", "admin-early", 60);
    const later = await connect("admin", "admin-later", 600);
    vi.setSystemTime(Date.now() + 61_000);
    expect(await runDurableObjectAlarm(hub())).toBe(true);
    vi.useRealTimers();
    expect(await early.closed).toBe(4001);
    expect((await deliver("session.status", { name: "default", status: "WORKING" })).status).toBe(
      200,
    );
    expect(await later.next()).toEqual({
      type: "session.status",
      number: "default",
      status: "WORKING",
    });
  });

  it("opens a socket for a page on an allowed other origin", async () => {
    const ticket = await ticketFor("admin", "admin-1");
    const res = await app.fetch(
      new Request(`${ORIGIN}/api/realtime?ticket=${ticket}`, {
        headers: { Upgrade: "websocket", Origin: "https://inbox.example" },
      }),
      { ...env, CORS_ORIGIN: "https://inbox.example" },
      createExecutionContext(),
    );
    expect(res.status).toBe(101);
    const ws = res.webSocket;
    expect(ws).not.toBeNull();
    ws?.accept();
    ws?.close(1000, "done");
  });

  it("answers a plain GET of the socket URL with 426", async () => {
    const res = await call(`/api/realtime?ticket=${await ticketFor("admin", "admin-1")}`);
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ error: "upgrade-required" });
  });
});

describe("fan-out", () => {
  it("sends a chat's events to its agent and staff only, and session status to everyone", async () => {
    const alice = await connect("agent", ALICE);
    const bob = await connect("agent", BOB);
    const admin = await connect("admin", "admin-1");
    await assign("111@c.us", ALICE);
    // The assignment itself: Alice and the admin hear of it.
    expect(await alice.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid: "111@c.us",
      agentId: ALICE,
    });
    expect(await admin.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid: "111@c.us",
      agentId: ALICE,
    });

    const message = wahaMessage("111@c.us", { body: "for alice" });
    expect((await deliver("message", message)).status).toBe(200);
    for (const client of [alice, admin]) {
      expect(await client.next()).toMatchObject({
        type: "message.new",
        jid: "111@c.us",
        message: { id: message.id, body: "for alice" },
      });
    }
    expect((await deliver("message.ack", { ...message, ack: 3, ackName: "READ" })).status).toBe(
      200,
    );
    for (const client of [alice, admin]) {
      expect(await client.next()).toEqual({
        type: "message.status",
        number: "default",
        jid: "111@c.us",
        id: message.id,
        status: "READ",
      });
    }

    expect((await deliver("session.status", { name: "default", status: "STARTING" })).status).toBe(
      200,
    );
    for (const client of [alice, bob, admin]) {
      expect(await client.next()).toEqual({
        type: "session.status",
        number: "default",
        status: "STARTING",
      });
    }
    // Bob's first frame is the session status: nothing of Alice's chat came before it.
    expect(bob.frames).toEqual([{ type: "session.status", number: "default", status: "STARTING" }]);
  });

  it("moves a chat's stream to the new agent when it is reassigned", async () => {
    const alice = await connect("agent", ALICE);
    const bob = await connect("agent", BOB);
    await assign("222@c.us", ALICE);
    expect(await alice.next()).toMatchObject({ type: "chat.assigned", agentId: ALICE });

    await assign("222@c.us", BOB);
    // Both hear of the move: Alice to drop the chat, Bob to pick it up.
    expect(await alice.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid: "222@c.us",
      agentId: BOB,
    });
    expect(await bob.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid: "222@c.us",
      agentId: BOB,
    });

    const message = wahaMessage("222@c.us", { body: "now for bob" });
    expect((await deliver("message", message)).status).toBe(200);
    expect(await bob.next()).toMatchObject({
      type: "message.new",
      message: { body: "now for bob" },
    });
    await deliver("session.status", { name: "default", status: "WORKING" });
    expect(await alice.next()).toEqual({
      type: "session.status",
      number: "default",
      status: "WORKING",
    });
    expect(alice.frames.map((f) => f.type)).toEqual([
      "chat.assigned",
      "chat.assigned",
      "session.status",
    ]);
  });

  it("counts open sockets for the monitoring stats", async () => {
    const before = (await hub().connections()).total;
    const admin = await connect("user", "user-1");
    const alice = await connect("agent", ALICE);
    expect(await hub().connections()).toMatchObject({ total: before + 2 });
    admin.ws.close(1000, "bye");
    alice.ws.close(1000, "bye");
    await Promise.all([admin.closed, alice.closed]);
  });
});

describe("sockets per user", () => {
  const overCap = { error: "too-many-sockets", message: expect.any(String) };

  it("refuses a ticket for an 11th live socket of one user with 429 and Retry-After, and takes one again once a socket closes", async () => {
    const tabs = [];
    for (let i = 0; i < 10; i++) tabs.push(await connect("agent", "agent-many-tabs"));
    const refused = await call("/api/realtime/ticket", {
      method: "POST",
      as: { role: "agent", sub: "agent-many-tabs" },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("30");
    expect(await refused.json()).toEqual(overCap);

    // Someone else's sockets are their own.
    await connect("agent", "agent-one-tab");
    const [first] = tabs;
    first?.ws.close(1000, "tab closed");
    expect(await first?.closed).toBe(1000);
    await connect("agent", "agent-many-tabs");
  });

  it("refuses the upgrade with 429 when tickets taken beforehand would go over the cap", async () => {
    for (let i = 0; i < 9; i++) await connect("user", "user-racing-tabs");
    const tickets = [
      await ticketFor("user", "user-racing-tabs"),
      await ticketFor("user", "user-racing-tabs"),
    ];
    const tenth = await upgrade(tickets[0] ?? "");
    expect(tenth.status).toBe(101);
    tenth.webSocket?.accept();
    const eleventh = await upgrade(tickets[1] ?? "");
    expect(eleventh.status).toBe(429);
    expect(eleventh.webSocket).toBeNull();
    expect(eleventh.headers.get("Retry-After")).toBe("30");
    expect(await eleventh.json()).toEqual(overCap);
  });
});

describe("socket rules", () => {
  it("answers ping with pong from the runtime, without running the hub's code", async () => {
    const client = await connect("agent", ALICE);
    client.ws.send("ping");
    await expect.poll(() => client.raw).toContain("pong");
    // The runtime stamps a socket when it auto-answered it; the hub's own handler never does.
    const answered = await runInDurableObject(
      hub(),
      (_instance: RealtimeHub, state) =>
        state
          .getWebSockets("agent:agent-alice")
          .map((ws) => state.getWebSocketAutoResponseTimestamp(ws))
          .filter((t) => t !== null).length,
    );
    expect(answered).toBe(1);
  });

  it("closes a socket whose message is larger than SOCKET_MAX_BUFFER_BYTES with 1009", async () => {
    const client = await connect("agent", ALICE);
    client.ws.send("x".repeat(500_001));
    expect(await client.closed).toBe(1009);
  });

  it("keeps broadcasting to the other sockets when a send to one fails", async () => {
    const admin = await connect("admin", "admin-1");
    const result = await runInDurableObject(hub(), (instance: RealtimeHub, state) => {
      // A staff socket that can no longer take frames, ahead of the admin's in the list.
      const { 1: server } = new WebSocketPair();
      state.acceptWebSocket(server, ["staff"]);
      server.close(1000, "gone");
      return instance.broadcast({ type: "session.status", status: "FAILED" }, { everyone: true });
    });
    expect(result.failed).toBe(1);
    expect(result.sent).toBeGreaterThanOrEqual(1);
    expect(await admin.next()).toEqual({ type: "session.status", status: "FAILED" });
  });
});
