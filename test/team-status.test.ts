import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { changeChatOwner } from "../src/lib/db.ts";
import { connect, deliver, expectNothingBefore, wahaMessage } from "./events.ts";
import { call, json } from "./helpers.ts";
import { ADMIN, AMIRA, ANA, BRIAN, BRUNO, chats, type Who } from "./team-fixtures.ts";
import { advance, freshGatewayEachTest } from "./waha-fixtures.ts";

freshGatewayEachTest();

function patch(jid: string, body: unknown, as: Who = ADMIN) {
  return call(`/api/wa/chats/${jid}`, { ...json(body), method: "PATCH", as });
}

const statusOf = async (jid: string) => (await chats()).find((c) => c.id === jid)?.status;

async function addAgents(...ids: string[]) {
  for (const id of ids) {
    const res = await call("/api/agents", { ...json({ id, name: `Agent ${id}` }), as: ADMIN });
    expect(res.status).toBe(201);
  }
}

describe("conversation status", () => {
  it("is open for every chat until set, and the list filters by it", async () => {
    const all = await chats();
    expect(all.length).toBeGreaterThan(2);
    expect(all.every((c) => c.status === "open" && c.snoozeUntil === null)).toBe(true);

    const resolved = await patch(ANA, { status: "resolved" });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toEqual({
      jid: ANA,
      number: "default",
      status: "resolved",
      snoozeUntil: null,
    });
    expect((await patch(BRIAN, { status: "pending" })).status).toBe(200);

    expect((await chats("?status=resolved")).map((c) => c.id)).toEqual([ANA]);
    expect((await chats("?status=pending")).map((c) => c.id)).toEqual([BRIAN]);
    const open = await chats("?status=open");
    expect(open).toHaveLength(all.length - 2);
    expect(open.map((c) => c.id)).not.toContain(ANA);
    expect(await statusOf(ANA)).toBe("resolved");
  });

  it("answers bad input with 400 naming the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{}, "status:"],
      [{ status: "closed" }, "status: must be one of open, pending, resolved, snoozed"],
      [{ status: "snoozed" }, "snoozeUntil: is required when status is snoozed"],
      [{ status: "snoozed", snoozeUntil: "tomorrow" }, "snoozeUntil: must be an ISO time"],
      [
        { status: "snoozed", snoozeUntil: new Date(Date.now() - 1_000).toISOString() },
        "snoozeUntil: must be in the future",
      ],
      [{ status: "open", snoozeUntil: new Date().toISOString() }, "snoozeUntil: is only for"],
    ];
    for (const [body, message] of cases) {
      const res = await patch(ANA, body);
      expect(res.status).toBe(400);
      const answer = await res.json<{ error: string; message: string }>();
      expect(answer.error).toBe("invalid-request");
      expect(answer.message).toContain(message);
    }
    const badFilter = await call("/api/wa/chats?status=closed", { as: ADMIN });
    expect(badFilter.status).toBe(400);
    expect((await badFilter.json<{ message: string }>()).message).toMatch(/^status: /);
    const badJid = await patch("not-a-jid", { status: "open" });
    expect(badJid.status).toBe(400);
    expect(await statusOf(ANA)).toBe("open");
  });

  it("lets an agent change only its own chats, and tells only those who may see the chat", async () => {
    await changeChatOwner(env.DB, "default", ANA, AMIRA.sub);
    const admin = await connect("admin", ADMIN.sub);
    const amira = await connect("agent", AMIRA.sub);
    const bruno = await connect("agent", BRUNO.sub);

    const refused = await patch(ANA, { status: "resolved" }, BRUNO);
    expect(refused.status).toBe(403);
    expect(await statusOf(ANA)).toBe("open");

    expect((await patch(ANA, { status: "resolved" }, AMIRA)).status).toBe(200);
    const frame = { type: "chat.status", jid: ANA, number: "default", status: "resolved" };
    expect(await admin.next()).toEqual(frame);
    expect(await amira.next()).toEqual(frame);
    // The same status again is no news.
    expect((await patch(ANA, { status: "resolved" }, AMIRA)).status).toBe(200);
    await expectNothingBefore(bruno, "WORKING");
    await expectNothingBefore(amira, "WORKING");
    expect((await chats("?status=resolved", AMIRA)).map((c) => c.id)).toEqual([ANA]);
    expect(await chats("?status=resolved", BRUNO)).toEqual([]);
  });

  it("reopens a resolved or snoozed chat when the customer writes, not when we do", async () => {
    const admin = await connect("admin", ADMIN.sub);
    await patch(ANA, { status: "resolved" });
    expect(await admin.next()).toMatchObject({ type: "chat.status", status: "resolved" });

    expect((await deliver("message", wahaMessage(ANA, { fromMe: true }))).status).toBe(200);
    expect(await admin.next()).toMatchObject({ type: "message.new", jid: ANA });
    expect(await statusOf(ANA)).toBe("resolved");

    const inbound = wahaMessage(ANA, { body: "one more thing" });
    expect((await deliver("message", inbound)).status).toBe(200);
    expect(await admin.next()).toEqual({
      type: "chat.status",
      jid: ANA,
      number: "default",
      status: "open",
    });
    expect(await admin.next()).toMatchObject({ type: "message.new", jid: ANA });
    expect(await statusOf(ANA)).toBe("open");

    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await patch(ANA, { status: "snoozed", snoozeUntil: until })).status).toBe(200);
    expect(await admin.next()).toEqual({
      type: "chat.status",
      jid: ANA,
      number: "default",
      status: "snoozed",
      snoozeUntil: until,
    });
    expect((await chats()).find((c) => c.id === ANA)?.snoozeUntil).toBe(until);
    // The same delivery again (WAHA retries) changes nothing.
    expect((await deliver("message", inbound)).status).toBe(200);
    expect(await statusOf(ANA)).toBe("snoozed");
    expect((await deliver("message", wahaMessage(ANA))).status).toBe(200);
    expect(await statusOf(ANA)).toBe("open");

    await patch(BRIAN, { status: "pending" });
    expect((await deliver("message", wahaMessage(BRIAN))).status).toBe(200);
    expect(await statusOf(BRIAN)).toBe("pending");
  });

  it("opens a snoozed chat again once its time has passed, on the next read", async () => {
    const until = new Date(Date.now() + 60_000).toISOString();
    await patch(ANA, { status: "snoozed", snoozeUntil: until });
    const admin = await connect("admin", ADMIN.sub);
    advance(59_000);
    expect(await statusOf(ANA)).toBe("snoozed");
    advance(1_000);
    expect(await statusOf(ANA)).toBe("open");
    expect(await admin.next()).toEqual({
      type: "chat.status",
      jid: ANA,
      number: "default",
      status: "open",
    });
    expect((await chats()).find((c) => c.id === ANA)?.snoozeUntil).toBeNull();
  });

  it("auto-assigns open conversations only: a new chat set pending is left for staff", async () => {
    await addAgents("a-1", "a-2");
    const held = "15557770001@c.us";
    const fresh = "15557770002@c.us";
    expect((await patch(held, { status: "pending" })).status).toBe(200);
    await deliver("message", wahaMessage(held));
    await deliver("message", wahaMessage(fresh));
    const owner = async (jid: string) =>
      (
        await (
          await call(`/api/wa/assignments/${jid}`, { as: ADMIN })
        ).json<{
          assignedTo: string | null;
        }>()
      ).assignedTo;
    expect(await owner(held)).toBeNull();
    expect(await owner(fresh)).toBe("a-1");
    // A resolved chat the customer writes to again is open by then, and taken as any other.
    const back = "15557770003@c.us";
    await patch(back, { status: "resolved" });
    await deliver("message", wahaMessage(back));
    expect(await owner(back)).toBe("a-2");
  });
});

describe("snoozes and the cron", () => {
  it("a cron run opens a snoozed chat whose time has passed, and says so", async () => {
    const until = new Date(Date.now() + 300_000).toISOString();
    await patch(ANA, { status: "snoozed", snoozeUntil: until });
    const admin = await connect("admin", ADMIN.sub);
    const stored = () =>
      env.DB.prepare("SELECT status FROM chat_states WHERE jid = ?")
        .bind(ANA)
        .first<{ status: string }>();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env);
    expect((await stored())?.status).toBe("snoozed");
    advance(300_000);
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env);
    expect((await stored())?.status).toBe("open");
    expect(await admin.next()).toEqual({
      type: "chat.status",
      jid: ANA,
      number: "default",
      status: "open",
    });
  });
});

describe("the list, one number's", () => {
  it("shows a chat's owner and status from its own number, not from another number's row for the same customer", async () => {
    await changeChatOwner(env.DB, "other", ANA, AMIRA.sub);
    await env.DB.prepare(
      "INSERT INTO chat_states (number, jid, status, updated_at) VALUES ('other', ?, 'resolved', 0)",
    )
      .bind(ANA)
      .run();
    const ana = (await chats()).find((c) => c.id === ANA);
    expect(ana?.owner).toBeNull();
    expect(ana?.status).toBe("open");
    expect((await chats("", AMIRA)).map((c) => c.id)).toEqual([]);
  });
});
