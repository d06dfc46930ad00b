/** Realtime that loses nothing: every frame's seq, replay after `since`, and resync. */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FrameLog, SEQ_BLOCK } from "../durable-objects/frame-log.ts";
import { changeChatOwner } from "../src/lib/db.ts";
import { broadcast, broadcastAll, chatAudience, EVERYONE } from "../src/lib/realtime/broadcast.ts";
import { wahaGate } from "../src/lib/waha/client.ts";
import { connect, ticketFor } from "./events.ts";
import { call, resetAssignmentData, theNumber } from "./helpers.ts";

const CHAT_A = "15557770001@c.us";
const CHAT_B = "15557770002@c.us";

beforeEach(() => resetAssignmentData());
afterEach(() => vi.useRealTimers());

// Every frame names its number: the test configuration's one, `default`.
const status = (s: string) => ({ type: "session.status", status: s, number: "default" });
const hub = () => env.REALTIME_HUB.get(env.REALTIME_HUB.idFromName("global"));

async function ticketSeq(): Promise<number> {
  const res = await call("/api/realtime/ticket", { method: "POST", as: { role: "admin" } });
  return (await res.json<{ seq: number }>()).seq;
}
const assigned = (jid: string, agentId: string) => ({
  type: "chat.assigned",
  jid,
  agentId,
  number: "default",
});

describe("seq", () => {
  it("numbers every frame with a seq that only grows, and the ticket says where it stands", async () => {
    const res = await call("/api/realtime/ticket", { method: "POST", as: { role: "admin" } });
    const { seq: start } = await res.json<{ seq: number }>();
    const admin = await connect("admin");
    for (const s of ["STARTING", "WORKING", "FAILED"])
      await broadcast(env, "default", status(s) as never, EVERYONE);
    await admin.next();
    await admin.next();
    await admin.next();
    expect(admin.seqs).toHaveLength(3);
    expect(admin.seqs[0]).toBeGreaterThan(start);
    expect(admin.seqs).toEqual([...admin.seqs].sort((a, b) => a - b));
    expect(new Set(admin.seqs).size).toBe(3);
  });
});

describe("seq across restarts", () => {
  it("never hands a seq out twice when the hub is evicted mid-block, and replays across it", async () => {
    const admin = await connect("admin");
    await broadcast(env, "default", status("STARTING") as never, EVERYONE);
    await broadcast(env, "default", status("SCAN_QR_CODE") as never, EVERYONE);
    await admin.next();
    await admin.next();
    await evictDurableObject(hub());

    // What the ticket names after a restart is where a page starts: no resync, nothing missed.
    const start = await ticketSeq();
    expect(start).toBeGreaterThanOrEqual(admin.seqs[1] ?? 0);
    const fresh = await connect("admin", "admin-2", 600, start);

    // The socket hibernated through the eviction and hears the next frame, with a larger seq.
    await broadcast(env, "default", status("WORKING") as never, EVERYONE);
    expect(await admin.next()).toEqual(status("WORKING"));
    expect(await fresh.next()).toEqual(status("WORKING"));
    const [first = 0, second = 0, third = 0] = admin.seqs;
    expect(third).toBeGreaterThan(second);
    expect(fresh.seqs).toEqual([third]);

    // Replay from before the eviction crosses it, in order, once.
    const back = await connect("admin", "admin-3", 600, first);
    expect(await back.next()).toEqual(status("SCAN_QR_CODE"));
    expect(await back.next()).toEqual(status("WORKING"));
    expect(back.seqs).toEqual([second, third]);
    await expect(back.next(300)).rejects.toThrow(/no frame/);
  });

  it("does not reuse a seq that was sent but never written, as after a crash between the two", async () => {
    const admin = await connect("admin");
    // A frame stamped (and so maybe sent) whose write never happened: the hub went down.
    const lost = await runInDurableObject(hub(), (_instance, state) => {
      const log = new FrameLog(state.storage.sql);
      const frame = log.stamp(status("LOST"), EVERYONE, Date.now());
      return (JSON.parse(frame) as { seq: number }).seq;
    });
    await evictDurableObject(hub());
    await broadcast(env, "default", status("WORKING") as never, EVERYONE);
    await admin.next();
    expect(admin.seqs[0]).toBeGreaterThan(lost);
  });

  it("goes on after the newest seq of a log kept before seqs were reserved in blocks", async () => {
    const admin = await connect("admin");
    const old = await runInDurableObject(hub(), (_instance, state) => {
      const sql = state.storage.sql;
      const seq =
        (sql.exec<{ seq: number }>("SELECT max(seq) AS seq FROM frames").one().seq ?? 0) +
        3 * SEQ_BLOCK;
      sql.exec("DELETE FROM seq_block");
      sql.exec(
        "INSERT INTO frames (seq, at, audience, frame) VALUES (?, ?, ?, ?)",
        seq,
        Date.now(),
        JSON.stringify(EVERYONE),
        JSON.stringify({ ...status("STARTING"), seq }),
      );
      return seq;
    });
    await evictDurableObject(hub());
    await broadcast(env, "default", status("WORKING") as never, EVERYONE);
    await admin.next();
    expect(admin.seqs[0]).toBeGreaterThan(old);
  });
});

describe("since", () => {
  it("replays what an agent missed and may see, by the owner at the time of each event, then goes live", async () => {
    await changeChatOwner(env.DB, "default", CHAT_A, "agent-1");
    const first = await connect("agent", "agent-1");
    await broadcast(env, "default", assigned(CHAT_A, "agent-1") as never, chatAudience("agent-1"));
    await first.next();
    const seen = first.seqs.at(-1) ?? 0;
    first.ws.close(1000, "leaving");

    // While it was away: one event for its chat, one for another agent's, one for everyone.
    await broadcast(
      env,
      "default",
      { type: "message.revoked", jid: CHAT_A, id: "x" } as never,
      chatAudience("agent-1"),
    );
    await broadcast(
      env,
      "default",
      { type: "message.revoked", jid: CHAT_B, id: "y" } as never,
      chatAudience("agent-2"),
    );
    await broadcast(env, "default", status("WORKING") as never, EVERYONE);

    const back = await connect("agent", "agent-1", 600, seen);
    expect(await back.next()).toEqual({
      type: "message.revoked",
      jid: CHAT_A,
      id: "x",
      number: "default",
    });
    expect(await back.next()).toEqual(status("WORKING"));
    await broadcast(env, "default", status("FAILED") as never, EVERYONE);
    expect(await back.next()).toEqual(status("FAILED"));
    expect(back.frames.some((f) => f.jid === CHAT_B)).toBe(false);
    expect(back.seqs[0]).toBeGreaterThan(seen);
  });

  it("replays everything to staff, in order, once", async () => {
    const admin = await connect("admin");
    await broadcast(env, "default", status("STARTING") as never, EVERYONE);
    await admin.next();
    const seen = admin.seqs.at(-1) ?? 0;
    for (const agent of ["agent-1", "agent-2"]) {
      await broadcast(env, "default", assigned(CHAT_A, agent) as never, chatAudience(agent));
    }
    const back = await connect("admin", "admin-1", 600, seen);
    expect(await back.next()).toEqual(assigned(CHAT_A, "agent-1"));
    expect(await back.next()).toEqual(assigned(CHAT_A, "agent-2"));
    await expect(back.next(300)).rejects.toThrow(/no frame/);
  });

  it("replays the frames of one batch, written after they were sent, in order and as each may see", async () => {
    const agent = await connect("agent", "agent-1");
    await broadcast(env, "default", status("STARTING") as never, EVERYONE);
    await agent.next();
    const seen = agent.seqs.at(-1) ?? 0;
    agent.ws.close(1000, "leaving");
    await agent.closed;
    await broadcastAll(env, "default", [
      { event: assigned(CHAT_A, "agent-1") as never, audience: chatAudience("agent-1") },
      { event: assigned(CHAT_B, "agent-2") as never, audience: chatAudience("agent-2") },
      { event: status("WORKING") as never, audience: EVERYONE },
    ]);
    const back = await connect("agent", "agent-1", 600, seen);
    expect(await back.next()).toEqual(assigned(CHAT_A, "agent-1"));
    expect(await back.next()).toEqual(status("WORKING"));
    await expect(back.next(300)).rejects.toThrow(/no frame/);
    const [a = 0, b = 0] = back.seqs;
    expect(b).toBeGreaterThan(a);
  });

  it("sends resync first when since is older than what is kept, or unknown", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await broadcast(env, "default", status("STARTING") as never, EVERYONE);
    const res = await call("/api/realtime/ticket", { method: "POST", as: { role: "admin" } });
    const { seq } = await res.json<{ seq: number }>();
    vi.setSystemTime(Date.now() + 25 * 3_600_000);
    await broadcast(env, "default", status("WORKING") as never, EVERYONE);

    const late = await connect("admin", "admin-1", 600, seq - 1);
    expect(await late.next()).toMatchObject({ type: "resync" });
    const ahead = await connect("admin", "admin-2", 600, seq + 1_000);
    expect(await ahead.next()).toMatchObject({ type: "resync" });
  });

  it("refuses a since that is not a seq with 400", async () => {
    const ticket = await ticketFor("admin", "admin-1");
    const res = await call(`/api/realtime?ticket=${ticket}&since=abc`, {
      headers: { Upgrade: "websocket" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid-request" });
  });
});

describe("upstream.status", () => {
  it("tells every browser when the gateway's breaker opens and when it closes again", async () => {
    const agent = await connect("agent", "agent-9");
    const gate = wahaGate(env, theNumber());
    // Five failed calls open the breaker, as WAHA failing would.
    for (let i = 0; i < 5; i++) {
      const lease = await gate.acquire("api", "session");
      if (lease.status !== "granted") throw new Error(`lease ${lease.status}`);
      await gate.release(lease.leaseId, {
        endpoint: "session",
        outcome: { kind: "failed", reason: "server-error" },
      });
    }
    const down = await agent.next();
    expect(down).toMatchObject({ type: "upstream.status", state: "down" });
    expect(Date.parse(String(down.retryAt))).toBeGreaterThan(Date.now());

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 30_001);
    const probe = await gate.acquire("api", "session");
    if (probe.status !== "granted") throw new Error(`probe ${probe.status}`);
    await gate.release(probe.leaseId, { endpoint: "session", outcome: { kind: "ok" } });
    expect(await agent.next()).toEqual({ type: "upstream.status", state: "up", number: "default" });
  });
});
