import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changeChatOwner } from "../src/lib/db.ts";
import type { ChatSummary } from "../src/lib/store/browser-shapes.ts";
import {
  deliverSim,
  ENGINES,
  GROUP,
  inboxId,
  ME,
  MEMBERS,
  onEngine,
  simChange,
  simMessage,
} from "./engines.ts";
import { connect, expectNothingBefore } from "./events.ts";
import { call, sim } from "./helpers.ts";
import { freshGatewayEachTest } from "./waha-fixtures.ts";

freshGatewayEachTest();

const CUSTOMER = "15557770001@c.us";
const OTHER = "15557770002@c.us";
const ADMIN = { role: "admin" as const, sub: "admin-engines" };

async function page(jid: string) {
  const res = await call(`/api/wa/messages?jid=${encodeURIComponent(jid)}`, { as: ADMIN });
  expect(res.status).toBe(200);
  return res.json<Array<{ id: string; body: string | null; fromMe: boolean; ack: number }>>();
}

describe.each(ENGINES)("on %s", (engine) => {
  onEngine(engine);

  it("files a customer's message and our reply under the customer's @c.us chat, announced once", async () => {
    const admin = await connect("admin");
    const theirs = await simMessage({ chatId: CUSTOMER, body: "Is the blue one in stock?" });
    const ours = await simMessage({ chatId: CUSTOMER, body: "It is.", fromMe: true });
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    // WAHA sends a customer's message as `message` and as `message.any`.
    expect(await deliverSim(engine, { ...theirs, event: "message.any" })).toBe("unchanged");
    expect(await deliverSim(engine, ours)).toBe("accepted");

    expect(await admin.next()).toMatchObject({
      type: "message.new",
      jid: CUSTOMER,
      message: { id: theirs.payload.id, from: CUSTOMER, to: null, fromMe: false },
    });
    expect(await admin.next()).toMatchObject({
      type: "message.new",
      jid: CUSTOMER,
      message: { id: inboxId(ours.payload), from: CUSTOMER, body: "It is.", fromMe: true },
    });
    await expectNothingBefore(admin, "STARTING");

    const messages = await page(CUSTOMER);
    expect(messages.map((m) => m.body)).toEqual(["It is.", "Is the blue one in stock?"]);
    const chats = await (await call("/api/wa/chats", { as: ADMIN })).json<ChatSummary[]>();
    expect(chats.filter((c) => c.id === CUSTOMER)).toHaveLength(1);
    expect(chats.some((c) => c.id === ME || c.id.endsWith("@s.whatsapp.net"))).toBe(false);
  });

  it("files a member's message and our own under the group, the member named as its sender", async () => {
    const admin = await connect("admin");
    const theirs = await simMessage({
      chatId: GROUP,
      body: "Shelf 4 again",
      participant: MEMBERS[1],
    });
    // GOWS puts the sender in `to`: for our own group message that is our number.
    const ours = await simMessage({ chatId: GROUP, body: "On it", fromMe: true });
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    expect(await deliverSim(engine, ours)).toBe("accepted");
    expect(await admin.next()).toMatchObject({
      type: "message.new",
      jid: GROUP,
      message: { id: theirs.payload.id, from: MEMBERS[1], participant: MEMBERS[1] },
    });
    expect(await admin.next()).toMatchObject({
      type: "message.new",
      jid: GROUP,
      message: { id: inboxId(ours.payload), body: "On it", fromMe: true },
    });
    const assignments = await (await call("/api/wa/assignments", { as: ADMIN })).json<
      Array<{ jid: string }>
    >();
    expect(assignments.map((a) => a.jid)).toEqual([GROUP]);
    expect((await page(GROUP)).slice(0, 2).map((m) => m.body)).toEqual(["On it", "Shelf 4 again"]);
  });

  it("tells an agent of its own chats only, and the agent a first message auto-assigns to", async () => {
    const alice = "agent-alice";
    const bob = "agent-bob";
    await changeChatOwner(env.DB, "default", CUSTOMER, alice);
    await changeChatOwner(env.DB, "default", GROUP, alice);
    await changeChatOwner(env.DB, "default", OTHER, bob);
    const [a, b] = [await connect("agent", alice), await connect("agent", bob)];
    expect(await deliverSim(engine, await simMessage({ chatId: CUSTOMER }))).toBe("accepted");
    expect(await deliverSim(engine, await simMessage({ chatId: GROUP, fromMe: true }))).toBe(
      "accepted",
    );
    expect(await deliverSim(engine, await simMessage({ chatId: OTHER, body: "bob's" }))).toBe(
      "accepted",
    );
    expect(await a.next()).toMatchObject({ type: "message.new", jid: CUSTOMER });
    expect(await a.next()).toMatchObject({ type: "message.new", jid: GROUP });
    expect(await b.next()).toMatchObject({ type: "message.new", jid: OTHER });

    // A customer nobody has yet: the first message assigns the chat round-robin.
    await env.DB.prepare("INSERT INTO agents (id, name) VALUES (?, 'Bob')").bind(bob).run();
    const fresh = "15557770003@c.us";
    expect(await deliverSim(engine, await simMessage({ chatId: fresh }))).toBe("accepted");
    expect(await b.next()).toEqual({
      type: "chat.assigned",
      number: "default",
      jid: fresh,
      agentId: bob,
    });
    expect(await b.next()).toMatchObject({ type: "message.new", jid: fresh });
    await expectNothingBefore(a, "WORKING");
  });

  it("announces each delivery and read receipt of our direct message once, by its status name", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: CUSTOMER, body: "Tracking: 123", fromMe: true });
    expect(await deliverSim(engine, ours)).toBe("accepted");
    await admin.next();
    const id = inboxId(ours.payload);
    const receipts = [];
    for (const [ack, status] of [
      [2, "DEVICE"],
      [3, "READ"],
    ] as const) {
      const receipt = await simChange("ack", { messageId: ours.payload.id, ack });
      expect(receipt.event).toBe("message.ack");
      expect(await deliverSim(engine, receipt)).toBe("accepted");
      expect(await admin.next()).toEqual({
        type: "message.status",
        number: "default",
        jid: CUSTOMER,
        id,
        status,
      });
      // WAHA retried it, or sent it twice: nothing new.
      expect(await deliverSim(engine, receipt)).toBe("unchanged");
      receipts.push(receipt);
    }
    // The delivery receipt arriving late, after the read one, never moves the status back.
    expect(await deliverSim(engine, receipts[0] ?? { event: null })).toBe("unchanged");
    await expectNothingBefore(admin, "STARTING");
    expect((await page(CUSTOMER))[0]).toMatchObject({ id, ack: 3 });
  });

  it("announces a message WhatsApp refused as ERROR, even after WAHA said it took it", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: CUSTOMER, fromMe: true });
    expect(await deliverSim(engine, ours)).toBe("accepted");
    await admin.next();
    const refused = await simChange("ack", { messageId: ours.payload.id, ack: -1 });
    expect(await deliverSim(engine, refused)).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.status",
      number: "default",
      jid: CUSTOMER,
      id: inboxId(ours.payload),
      status: "ERROR",
    });
  });

  it("reads a receipt by its ack name where the engine leaves the number out", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: CUSTOMER, fromMe: true });
    expect(await deliverSim(engine, ours)).toBe("accepted");
    await admin.next();
    const receipt = await simChange("ack", { messageId: ours.payload.id, ack: 4 });
    const payload: Record<string, unknown> = { ...(receipt.payload as object), ack: null };
    expect(payload.ackName).toBe("PLAYED");
    expect(await deliverSim(engine, { event: receipt.event, payload })).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.status",
      number: "default",
      jid: CUSTOMER,
      id: inboxId(ours.payload),
      status: "PLAYED",
    });
  });

  it("announces members' receipts of our group message as its status, each step once", async () => {
    // WEBJS sends group receipts only with the session's webjs.tagsEventsOn.
    await sim.control("config", { webjsTagsEventsOn: true }, "PUT");
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: GROUP, body: "Team meeting at 5", fromMe: true });
    expect(await deliverSim(engine, ours)).toBe("accepted");
    await admin.next();
    const id = inboxId(ours.payload);
    const read = await simChange("ack", {
      messageId: ours.payload.id,
      ack: 3,
      participant: MEMBERS[0],
    });
    expect(read.event).toBe("message.ack.group");
    expect(await deliverSim(engine, read)).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.status",
      number: "default",
      jid: GROUP,
      id,
      status: "READ",
    });
    expect(await deliverSim(engine, read)).toBe("unchanged");
    // Another member's later delivery receipt says less than READ.
    const other = await simChange("ack", {
      messageId: ours.payload.id,
      ack: 2,
      participant: MEMBERS[2],
    });
    expect(other.event).toBe("message.ack.group");
    expect(await deliverSim(engine, other)).toBe("unchanged");
    await expectNothingBefore(admin, "WORKING");
  });

  it("keeps an ack for a message it never stored (answered kept) and announces nothing yet", async () => {
    const admin = await connect("admin");
    // Sent from the phone while the gateway was not told: WAHA's ack is its first word of it.
    const ours = await simMessage({ chatId: CUSTOMER, fromMe: true });
    const receipt = await simChange("ack", { messageId: ours.payload.id, ack: 3 });
    expect(await deliverSim(engine, receipt)).toBe("kept");
    await expectNothingBefore(admin, "SCAN_QR_CODE");
  });
});

describe("on NOWEB only", () => {
  const engine = "NOWEB" as const;
  onEngine(engine);

  // NOWEB turns every status update of our own messages into message.ack, groups included.
  it("shows our group message as refused when NOWEB's message.ack says ERROR", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: GROUP, body: "Team lunch?", fromMe: true });
    expect(await deliverSim("NOWEB", ours)).toBe("accepted");
    await admin.next();
    const refused = await simChange("ack", { messageId: ours.payload.id, ack: -1 });
    expect(refused.event).toBe("message.ack");
    expect(await deliverSim("NOWEB", refused)).toBe("accepted");
    const id = inboxId(ours.payload);
    expect(await admin.next()).toEqual({
      type: "message.status",
      number: "default",
      jid: GROUP,
      id,
      status: "ERROR",
    });
    expect((await page(GROUP))[0]).toMatchObject({ id, ack: -1 });
  });
});
