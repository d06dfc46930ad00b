/**
 * A reconnect in one request: the upgrade signs in by itself (the bearer token as the
 * subprotocol `bearer.<token>` next to `wa-edge`, or a cookie from an allowed Origin), with
 * the access rule and the socket cap of a ticket's upgrade, and the replay from `since`.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { signToken } from "../src/lib/auth/sign-token.ts";
import { connect, deliver, recording, resume, wahaMessage } from "./events.ts";
import { call, json, sim } from "./helpers.ts";
import { gateway, SITE } from "./sign-in-fixtures.ts";

const ALICE = "agent-alice";
const BOB = "agent-bob";
const ALICE_CHAT = "15550001111@c.us";
const BOB_CHAT = "15550002222@c.us";

function hub() {
  return env.REALTIME_HUB.get(env.REALTIME_HUB.idFromName("global"));
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
  for (const [jid, agentId] of [
    [ALICE_CHAT, ALICE],
    [BOB_CHAT, BOB],
  ] as const) {
    const res = await call(`/api/wa/assignments/${jid}`, {
      ...json({ agentId }),
      method: "PUT",
      as: { role: "admin" },
    });
    expect(res.status).toBe(200);
  }
});

/** A customer's message in `chat` whose text is `body`. */
async function message(chat: string, body: string) {
  expect((await deliver("message", wahaMessage(chat, { body }))).status).toBe(200);
}

describe("a reconnect that signs in on the upgrade", () => {
  it("opens with the subprotocol wa-edge and replays what the socket missed, then goes live", async () => {
    const first = await connect("agent", ALICE);
    await message(ALICE_CHAT, "false_before");
    expect((await first.next()).type).toBe("message.new");
    const since = first.seqs.at(-1) ?? 0;
    first.ws.close(1000, "tab asleep");
    await first.closed;

    await message(ALICE_CHAT, "false_while_away");
    await message(BOB_CHAT, "false_not_hers");
    const res = await resume("agent", ALICE, { since });
    expect(res.status).toBe(101);
    expect(res.headers.get("Sec-WebSocket-Protocol")).toBe("wa-edge");
    const again = await recording(res);
    const missed = await again.next();
    expect(missed).toMatchObject({ type: "message.new", jid: ALICE_CHAT });
    expect(missed.message).toMatchObject({ body: "false_while_away" });
    expect(again.seqs[0]).toBeGreaterThan(since);

    await message(BOB_CHAT, "false_bob_live");
    await message(ALICE_CHAT, "false_live");
    const live = await again.next();
    expect(live.message).toMatchObject({ body: "false_live" });
    // Bob's chat never reached Alice's socket, replayed or live.
    expect(again.frames.some((f) => f.jid === BOB_CHAT)).toBe(false);
  });

  it("refuses a bad, expired or misplaced token with 401 and no socket", async () => {
    const expired = await signToken({ sub: ALICE, role: "agent" }, env.JWT_SECRET, -10);
    for (const protocols of [
      ["wa-edge", "bearer.not-a-token"],
      ["wa-edge", `bearer.${expired}`],
      // The token alone, without the protocol the gateway answers with.
      [`bearer.${await signToken({ sub: ALICE, role: "agent" }, env.JWT_SECRET, 60)}`],
    ]) {
      const res = await resume("agent", ALICE, { protocols, since: 0 });
      expect(res.status, protocols.join()).toBe(401);
      expect(res.webSocket).toBeNull();
      expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    }
    // The header the Worker hands the hub its signed-in user in counts for nothing here.
    const forged = JSON.stringify({
      role: "admin",
      sub: "admin-1",
      validUntil: Date.now() + 60_000,
    });
    const none = await call("/api/realtime?since=0", {
      headers: { Upgrade: "websocket", "X-Realtime-Holder": forged },
    });
    expect(none.status).toBe(401);
    expect(none.webSocket).toBeNull();
    expect(await none.json()).toEqual({
      error: "unauthorized",
      message: "a ticket is required (POST /api/realtime/ticket), or a sign-in on the upgrade",
    });
  });

  it("refuses an agent the number is not theirs with 403, at once after an admin takes it away", async () => {
    const ok = await resume("agent", ALICE, { since: 0 });
    expect(ok.status).toBe(101);
    const socket = await recording(ok);
    socket.ws.close(1000, "bye");
    await socket.closed;

    const patch = await call(`/api/agents/${ALICE}`, {
      ...json({ numbers: [] }),
      method: "PATCH",
      as: { role: "admin" },
    });
    expect(patch.status).toBe(200);
    const refused = await resume("agent", ALICE, { since: 0 });
    expect(refused.status).toBe(403);
    expect(refused.webSocket).toBeNull();
    expect(await refused.json()).toEqual({
      error: "forbidden",
      message: "number: default is not one of your numbers",
    });
  });

  it("holds the upgrade to the socket cap: the 11th live socket of one user is 429", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await resume("user", "user-many-tabs", { since: 0 });
      expect(res.status).toBe(101);
      await recording(res);
    }
    const eleventh = await resume("user", "user-many-tabs", { since: 0 });
    expect(eleventh.status).toBe(429);
    expect(eleventh.headers.get("Retry-After")).toBe("30");
    expect(eleventh.webSocket).toBeNull();
  });

  it("closes a socket opened this way with 4001 when its token expires", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const res = await resume("admin", "admin-short", { since: 0, ttlSeconds: 60 });
    expect(res.status).toBe(101);
    const socket = await recording(res);
    vi.setSystemTime(Date.now() + 61_000);
    expect(await runDurableObjectAlarm(hub())).toBe(true);
    vi.useRealTimers();
    expect(await socket.closed).toBe(4001);
  });

  it("takes a cookie sign-in only from an allowed Origin: a WebSocket is not held to the same origin", async () => {
    const app = gateway({ JWT_COOKIE_NAME: "shop_session" });
    const token = await signToken({ sub: "admin-1", role: "admin" }, env.JWT_SECRET, 60);
    const headers = { Upgrade: "websocket", Cookie: `shop_session=${token}` };
    const foreign = await app("/api/realtime?since=0", {
      headers: { ...headers, Origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.webSocket).toBeNull();
    const none = await app("/api/realtime?since=0", { headers });
    expect(none.status).toBe(403);
    const own = await app("/api/realtime?since=0", { headers: { ...headers, Origin: SITE } });
    expect(own.status).toBe(101);
    // No subprotocol was offered, so none is picked.
    expect(own.headers.get("Sec-WebSocket-Protocol")).toBeNull();
    const socket = await recording(own);
    socket.ws.close(1000, "bye");
    await socket.closed;
  });
});
