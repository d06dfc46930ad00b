/**
 * Agents' own work: an Unassigned queue agents see and take from, unread counts per reader,
 * and read receipts sent to the customer only when the chat's own agent reads it
 * (WA_SEND_SEEN=assignee, the default): staff browsing tells customers nothing.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { ChatSummary } from "../src/lib/contracts/api.ts";
import { connect, deliver, wahaMessage } from "./events.ts";
import { call, json, sim } from "./helpers.ts";

const admin = { role: "admin" as const, sub: "admin-browsing" };
const ana = { role: "agent" as const, sub: "agent-ana" };
const ben = { role: "agent" as const, sub: "agent-ben" };

// The chat list WAHA gave once stays in the store: its reconcile is minutes apart.
beforeEach(async () => {
  await sim.reset();
  await env.DB.batch([
    env.DB.prepare("DELETE FROM chat_assignments"),
    env.DB.prepare("DELETE FROM chat_reads"),
    env.DB.prepare("UPDATE settings SET value = 'on' WHERE key = 'auto_assign'"),
  ]);
});

async function chats(as: typeof admin | typeof ana, query = ""): Promise<ChatSummary[]> {
  const res = await call(`/api/wa/chats${query}`, { as });
  expect(res.status).toBe(200);
  return res.json<ChatSummary[]>();
}

async function sendSeenCalls(): Promise<number> {
  return (await sim.stats()).calls.sendSeen ?? 0;
}

describe("read receipts", () => {
  it("are not sent while an admin browses twelve chats", async () => {
    const listed = (await chats(admin)).slice(0, 12);
    expect(listed).toHaveLength(12);
    const answers: unknown[] = [];
    for (const chat of listed) {
      const res = await call("/api/wa/mark-read", { ...json({ jid: chat.id }), as: admin });
      expect(res.status).toBe(200);
      answers.push(await res.json());
    }
    expect(await sendSeenCalls()).toBe(0);
    expect(answers).toEqual(listed.map(() => ({ read: true, seen: false })));
  });

  it("are sent when the chat's own agent reads it", async () => {
    const [chat] = await chats(admin);
    const jid = chat?.id ?? "";
    await call("/api/wa/assignments/" + jid + "/take", { as: ana, method: "POST" });
    const res = await call("/api/wa/mark-read", { ...json({ jid }), as: ana });
    expect(await res.json()).toEqual({ read: true, seen: true });
    expect(await sendSeenCalls()).toBe(1);
  });
});

describe("unread counts", () => {
  it("are each reader's own: one agent reading leaves the chat unread for others", async () => {
    const jid = "15550100007@c.us";
    await call(`/api/wa/assignments/${jid}/take`, { as: ana, method: "POST" });
    await deliver("message", wahaMessage(jid, { body: "is my order late?" }));
    const before = (await chats(admin)).find((c) => c.id === jid)?.unreadCount ?? 0;
    expect(before).toBeGreaterThan(0);
    await call("/api/wa/mark-read", { ...json({ jid }), as: admin });
    expect((await chats(admin)).find((c) => c.id === jid)?.unreadCount).toBe(0);
    expect((await chats(ana)).find((c) => c.id === jid)?.unreadCount).toBe(before);
    // A message after the admin's read counts again for the admin.
    await deliver("message", wahaMessage(jid, { body: "hello?" }));
    expect((await chats(admin)).find((c) => c.id === jid)?.unreadCount).toBe(1);
  });
});

describe("the Unassigned queue", () => {
  it("shows agents the chats nobody owns, and one agent takes a chat for itself", async () => {
    const queue = await chats(ana, "?queue=unassigned");
    expect(queue.length).toBeGreaterThan(0);
    expect(queue.every((c) => c.owner === null)).toBe(true);
    const jid = queue[0]?.id ?? "";
    const watcher = await connect("agent", ana.sub);
    const taken = await call(`/api/wa/assignments/${encodeURIComponent(jid)}/take`, {
      as: ana,
      method: "POST",
    });
    expect(taken.status).toBe(200);
    expect(await taken.json()).toMatchObject({ jid, assignedTo: ana.sub });
    expect(await watcher.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid,
      agentId: ana.sub,
    });
    // Now Ana's, gone from the queue, and Ben cannot take it too.
    expect((await chats(ana)).map((c) => c.id)).toContain(jid);
    expect((await chats(ben, "?queue=unassigned")).map((c) => c.id)).not.toContain(jid);
    const again = await call(`/api/wa/assignments/${encodeURIComponent(jid)}/take`, {
      as: ben,
      method: "POST",
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "already-assigned" });
  });

  it("gives one of two agents taking a chat at the same moment", async () => {
    const jid = "15550100004@c.us";
    const answers = await Promise.all(
      [ana, ben].map((as) => call(`/api/wa/assignments/${jid}/take`, { as, method: "POST" })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it("is taken by agents only", async () => {
    const res = await call("/api/wa/assignments/15550100004@c.us/take", {
      as: admin,
      method: "POST",
    });
    expect(res.status).toBe(403);
  });
});
