import { beforeEach, describe, expect, it } from "vitest";
import type { ChatAssignment } from "../src/lib/db.ts";
import { connect, deliver, wahaMessage } from "./events.ts";
import { call, json, resetAssignmentData, sim } from "./helpers.ts";

const ADMIN = { role: "admin" } as const;

function put(
  path: string,
  body: unknown,
  as: { role: "admin" | "user" | "agent"; sub?: string } = ADMIN,
) {
  return call(path, { ...json(body), method: "PUT", as });
}

async function addAgents(...ids: string[]) {
  for (const id of ids) {
    const res = await call("/api/agents", { ...json({ id, name: `Agent ${id}` }), as: ADMIN });
    expect(res.status).toBe(201);
  }
}

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
});

describe("agents", () => {
  it("creates, lists, renames and deactivates agents", async () => {
    const created = await call("/api/agents", {
      ...json({ id: "a-1", name: " Amira " }),
      as: ADMIN,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: "a-1", name: "Amira", active: true, numbers: null });

    const generated = await call("/api/agents", {
      ...json({ name: "Bruno" }),
      as: { role: "user" },
    });
    const bruno = await generated.json<{ id: string }>();
    expect(bruno.id).toMatch(/^agent-[0-9a-f]{8}$/);

    const patched = await call("/api/agents/a-1", {
      ...json({ name: "Amira K.", active: false }),
      method: "PATCH",
      as: ADMIN,
    });
    expect(await patched.json()).toEqual({
      id: "a-1",
      name: "Amira K.",
      active: false,
      numbers: null,
    });

    const list = await call("/api/agents", { as: { role: "agent", sub: "a-1" } });
    expect(await list.json()).toEqual(
      [
        { id: "a-1", name: "Amira K.", active: false, numbers: null },
        { id: bruno.id, name: "Bruno", active: true, numbers: null },
      ].sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
  });

  it("answers a taken id with 409, an unknown agent with 404 and bad fields with 400", async () => {
    await addAgents("a-1");
    const taken = await call("/api/agents", { ...json({ id: "a-1", name: "Again" }), as: ADMIN });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: "agent-exists" });

    const missing = await call("/api/agents/nobody", {
      ...json({ active: true }),
      method: "PATCH",
      as: ADMIN,
    });
    expect(missing.status).toBe(404);

    const empty = await call("/api/agents/a-1", { ...json({}), method: "PATCH", as: ADMIN });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({
      error: "invalid-request",
      message: "body: needs name, active, email or numbers",
    });

    const noName = await call("/api/agents", { ...json({ id: "a-2" }), as: ADMIN });
    expect(await noName.json()).toEqual({ error: "invalid-request", message: "name: is required" });

    const badId = await call("/api/agents", { ...json({ id: "a b", name: "x" }), as: ADMIN });
    expect(await badId.json()).toMatchObject({ message: expect.stringMatching(/^id: /) });
  });

  it("lets agents read the list but not change it", async () => {
    const as = { role: "agent", sub: "a-1" } as const;
    expect((await call("/api/agents", { as })).status).toBe(200);
    expect((await call("/api/agents", { ...json({ name: "Me" }), as })).status).toBe(403);
    expect(
      (await call("/api/agents/a-1", { ...json({ active: false }), method: "PATCH", as })).status,
    ).toBe(403);
  });
});

describe("assignments", () => {
  it("assigns, reassigns and unassigns a chat, announcing each change as chat.assigned", async () => {
    await addAgents("a-1", "a-2");
    const admin = await connect("admin");
    const jid = "15552220001@c.us";

    const assigned = await put(`/api/wa/assignments/${jid}`, { agentId: "a-1" });
    expect(assigned.status).toBe(200);
    expect(await assigned.json()).toMatchObject({ jid, assignedTo: "a-1", firstMessageAt: null });
    expect(await admin.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid,
      agentId: "a-1",
    });

    const moved = await put(`/api/wa/assignments/${jid}`, { agentId: "a-2" }, { role: "user" });
    expect(await moved.json()).toMatchObject({ assignedTo: "a-2" });
    expect(await admin.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid,
      agentId: "a-2",
    });

    const read = await call(`/api/wa/assignments/${jid}`, { as: { role: "agent", sub: "a-2" } });
    expect(read.status).toBe(200);
    expect(await read.json<ChatAssignment>()).toMatchObject({ jid, assignedTo: "a-2" });

    const removed = await call(`/api/wa/assignments/${jid}`, { method: "DELETE", as: ADMIN });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toMatchObject({ jid, assignedTo: null });
    expect(await admin.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid,
      agentId: null,
    });
  });

  it("lists all, by agent and unassigned; an agent gets only its own", async () => {
    await addAgents("a-1", "a-2");
    await put("/api/wa/assignments/1@c.us", { agentId: "a-1" });
    await put("/api/wa/assignments/2@c.us", { agentId: "a-2" });
    await put("/api/wa/assignments/3@c.us", { agentId: "a-1" });
    await call("/api/wa/assignments/3@c.us", { method: "DELETE", as: ADMIN });

    const jids = async (path: string, as: { role: "admin" | "agent"; sub?: string } = ADMIN) => {
      const res = await call(path, { as });
      expect(res.status).toBe(200);
      return (await res.json<ChatAssignment[]>()).map((a) => a.jid).sort();
    };
    expect(await jids("/api/wa/assignments")).toEqual(["1@c.us", "2@c.us", "3@c.us"]);
    expect(await jids("/api/wa/assignments?agent=a-1")).toEqual(["1@c.us"]);
    expect(await jids("/api/wa/assignments?unassigned=true")).toEqual(["3@c.us"]);
    expect(await jids("/api/wa/assignments", { role: "agent", sub: "a-2" })).toEqual(["2@c.us"]);

    const peek = await call("/api/wa/assignments?agent=a-1", { as: { role: "agent", sub: "a-2" } });
    expect(peek.status).toBe(403);
    const both = await call("/api/wa/assignments?agent=a-1&unassigned=true", { as: ADMIN });
    expect(await both.json()).toEqual({
      error: "invalid-request",
      message: "unassigned: cannot be combined with agent",
    });
  });

  it("refuses writes from agents with 403 and another agent's chat with 403", async () => {
    await addAgents("a-1", "a-2");
    await put("/api/wa/assignments/1@c.us", { agentId: "a-1" });
    const agent = { role: "agent", sub: "a-2" } as const;
    expect((await put("/api/wa/assignments/1@c.us", { agentId: "a-2" }, agent)).status).toBe(403);
    expect((await call("/api/wa/assignments/1@c.us", { method: "DELETE", as: agent })).status).toBe(
      403,
    );
    const read = await call("/api/wa/assignments/1@c.us", { as: agent });
    expect(read.status).toBe(403);
    expect(await read.json()).toMatchObject({ error: "forbidden" });
  });

  it("takes a chat's media from its agent the moment the chat is reassigned", async () => {
    await addAgents("a-1", "a-2");
    const jid = "15550001111@c.us";
    await put(`/api/wa/assignments/${jid}`, { agentId: "a-1" });
    const msg = await sim.control<{ id: string }>("messages", {
      chatId: jid,
      media: { kind: "image/png", size: 2_000 },
    });
    const open = (sub: string) =>
      call(`/api/wa/media?jid=${encodeURIComponent(jid)}&id=${encodeURIComponent(msg.id)}`, {
        as: { role: "agent", sub },
      });
    // The second answer comes from the remembered grant, with no D1 read.
    for (let i = 0; i < 2; i++) expect((await open("a-1")).status).toBe(200);
    await put(`/api/wa/assignments/${jid}`, { agentId: "a-2" });
    expect((await open("a-1")).status).toBe(403);
    expect((await open("a-2")).status).toBe(200);
  });

  it("refuses an unknown or inactive agent and a bad jid with 400 naming the field", async () => {
    await addAgents("a-1");
    await call("/api/agents/a-1", { ...json({ active: false }), method: "PATCH", as: ADMIN });
    const unknown = await put("/api/wa/assignments/1@c.us", { agentId: "ghost" });
    expect(await unknown.json()).toEqual({
      error: "invalid-request",
      message: "agentId: no agent ghost",
    });
    const inactive = await put("/api/wa/assignments/1@c.us", { agentId: "a-1" });
    expect(await inactive.json()).toEqual({
      error: "invalid-request",
      message: "agentId: agent a-1 is inactive",
    });
    const badJid = await put("/api/wa/assignments/not-a-chat", { agentId: "a-1" });
    expect(badJid.status).toBe(400);
    expect(await badJid.json()).toMatchObject({ message: expect.stringMatching(/^jid: /) });
  });

  it("answers 404 for a chat without an assignment", async () => {
    expect((await call("/api/wa/assignments/9@c.us", { as: ADMIN })).status).toBe(404);
    expect((await call("/api/wa/assignments/9@c.us", { method: "DELETE", as: ADMIN })).status).toBe(
      404,
    );
  });
});

describe("auto-assign", () => {
  it("is on by default, can be switched off by admins and users, and then leaves new chats alone", async () => {
    await addAgents("a-1");
    expect(
      await (await call("/api/wa/auto-assign", { as: { role: "agent", sub: "a-1" } })).json(),
    ).toEqual({
      enabled: true,
    });
    expect(
      (await put("/api/wa/auto-assign", { enabled: false }, { role: "agent", sub: "a-1" })).status,
    ).toBe(403);
    const off = await put("/api/wa/auto-assign", { enabled: false }, { role: "user" });
    expect(await off.json()).toEqual({ enabled: false });
    expect(await (await call("/api/wa/auto-assign", { as: ADMIN })).json()).toEqual({
      enabled: false,
    });
    const bad = await put("/api/wa/auto-assign", { enabled: "yes" });
    expect(await bad.json()).toEqual({
      error: "invalid-request",
      message: "enabled: must be true or false",
    });

    await deliver("message", wahaMessage("15552220002@c.us"));
    const row = await call("/api/wa/assignments/15552220002@c.us", { as: ADMIN });
    expect(await row.json()).toMatchObject({
      assignedTo: null,
      firstMessageAt: expect.any(String),
    });
  });

  it("spreads 10 concurrent first messages over 3 active agents 4/3/3, no chat twice", async () => {
    await addAgents("a-1", "a-2", "a-3", "a-4");
    await call("/api/agents/a-4", { ...json({ active: false }), method: "PATCH", as: ADMIN });
    const admin = await connect("admin");
    const jids = Array.from({ length: 10 }, (_, i) => `1555333000${i}@c.us`);
    const answers = await Promise.all(jids.map((jid) => deliver("message", wahaMessage(jid))));
    expect(answers.map((r) => r.status)).toEqual(jids.map(() => 200));

    const rows = await (await call("/api/wa/assignments", { as: ADMIN })).json<ChatAssignment[]>();
    expect(rows.map((r) => r.jid).sort()).toEqual(jids);
    const perAgent = new Map<string, number>();
    for (const row of rows)
      perAgent.set(String(row.assignedTo), (perAgent.get(String(row.assignedTo)) ?? 0) + 1);
    expect([...perAgent.entries()].sort()).toEqual([
      ["a-1", 4],
      ["a-2", 3],
      ["a-3", 3],
    ]);

    const announced: string[] = [];
    while (announced.length < 10) {
      const frame = await admin.next();
      if (frame.type === "chat.assigned") announced.push(String(frame.jid));
    }
    expect(announced.sort()).toEqual(jids);
  });

  it("carries on the rotation where it stopped, skipping agents switched off meanwhile", async () => {
    await addAgents("a-1", "a-2", "a-3");
    await deliver("message", wahaMessage("15554440001@c.us"));
    await call("/api/agents/a-2", { ...json({ active: false }), method: "PATCH", as: ADMIN });
    await deliver("message", wahaMessage("15554440002@c.us"));
    await deliver("message", wahaMessage("15554440003@c.us"));
    const owners = await Promise.all(
      ["15554440001@c.us", "15554440002@c.us", "15554440003@c.us"].map(async (jid) => {
        const res = await call(`/api/wa/assignments/${jid}`, { as: ADMIN });
        return (await res.json<ChatAssignment>()).assignedTo;
      }),
    );
    expect(owners).toEqual(["a-1", "a-3", "a-1"]);
  });
});
