import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BrowserMessage, ChatSummary } from "../src/lib/store/browser-shapes.ts";
import {
  deliverSim,
  ENGINES,
  GROUP,
  inboxId,
  MEMBERS,
  onEngine,
  simChange,
  simMessage,
} from "./engines.ts";
import { connect, deliver, expectNothingBefore } from "./events.ts";
import { call, sim } from "./helpers.ts";
import { advance, freshGatewayEachTest, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

const CUSTOMER = "15557780001@c.us";
const ADMIN = { role: "admin" as const, sub: "admin-changes" };

/** Twelve people WhatsApp shows by @lid, and their phone numbers (prefixes keep tests apart). */
function lidPeople(lidPrefix: string, phonePrefix: string): Array<{ lid: string; pn: string }> {
  return Array.from({ length: 12 }, (_, i) => {
    const n = String(i).padStart(2, "0");
    return { lid: `${lidPrefix}${n}@lid`, pn: `${phonePrefix}${n}@c.us` };
  });
}

/** The stored message `id` of `jid`, as the inbox reads it. */
async function stored(jid: string, id: string): Promise<BrowserMessage | undefined> {
  const res = await call(`/api/wa/messages?jid=${encodeURIComponent(jid)}`, { as: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json<BrowserMessage[]>()).find((m) => m.id === id);
}

async function chatIds(): Promise<string[]> {
  const res = await call("/api/wa/chats", { as: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json<ChatSummary[]>()).map((c) => c.id);
}

describe.each(ENGINES)("on %s", (engine) => {
  // The full demo: NOWEB lists channels and status updates among its chats.
  onEngine(engine, "full");

  it("marks a message its sender deleted as deleted, without its text, and says so once", async () => {
    const admin = await connect("admin");
    const theirs = await simMessage({ chatId: CUSTOMER, body: "my card number is…" });
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    await admin.next();
    const revoke = await simChange("revoke", { messageId: theirs.payload.id });
    expect(revoke.event).toBe("message.revoked");
    expect(await deliverSim(engine, revoke)).toBe("accepted");
    const id = inboxId(theirs.payload);
    expect(await admin.next()).toEqual({
      type: "message.revoked",
      number: "default",
      jid: CUSTOMER,
      id,
    });
    expect(await deliverSim(engine, revoke)).toBe("unchanged");
    await expectNothingBefore(admin, "STARTING");
    expect(await stored(CUSTOMER, id)).toMatchObject({
      body: null,
      hasMedia: false,
      revokedAt: expect.any(Number),
    });
  });

  it("shows a member's deleted group message as deleted", async () => {
    const admin = await connect("admin");
    const theirs = await simMessage({ chatId: GROUP, body: "wrong chat", participant: MEMBERS[2] });
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    await admin.next();
    expect(
      await deliverSim(engine, await simChange("revoke", { messageId: theirs.payload.id })),
    ).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.revoked",
      number: "default",
      jid: GROUP,
      id: theirs.payload.id,
    });
    expect((await stored(GROUP, theirs.payload.id))?.revokedAt).toEqual(expect.any(Number));
  });

  it("shows an edited message's new text, marked edited, and says so once", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: CUSTOMER, body: "See you at 3", fromMe: true });
    expect(await deliverSim(engine, ours)).toBe("accepted");
    await admin.next();
    const edit = await simChange("edit", { messageId: ours.payload.id, body: "See you at 4" });
    expect(edit.event).toBe("message.edited");
    expect(await deliverSim(engine, edit)).toBe("accepted");
    const id = inboxId(ours.payload);
    expect(await admin.next()).toEqual({
      type: "message.edited",
      number: "default",
      jid: CUSTOMER,
      id,
      body: "See you at 4",
    });
    expect(await deliverSim(engine, edit)).toBe("unchanged");
    await expectNothingBefore(admin, "WORKING");
    expect(await stored(CUSTOMER, id)).toMatchObject({
      body: "See you at 4",
      editedAt: expect.any(Number),
    });
  });

  it("shows a customer's reaction on our message, and its removal, each said once", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: CUSTOMER, body: "Your parcel left", fromMe: true });
    expect(await deliverSim(engine, ours)).toBe("accepted");
    await admin.next();
    const id = inboxId(ours.payload);
    const set = await simChange("react", { messageId: ours.payload.id, text: "👍" });
    expect(set.event).toBe("message.reaction");
    expect(await deliverSim(engine, set)).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.reaction",
      number: "default",
      jid: CUSTOMER,
      id,
      reaction: "👍",
      from: CUSTOMER,
    });
    expect(await deliverSim(engine, set)).toBe("unchanged");
    expect((await stored(CUSTOMER, id))?.reactions).toEqual([{ from: CUSTOMER, text: "👍" }]);

    const removed = await simChange("react", { messageId: ours.payload.id, text: "" });
    expect(await deliverSim(engine, removed)).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.reaction",
      number: "default",
      jid: CUSTOMER,
      id,
      reaction: "",
      from: CUSTOMER,
    });
    await expectNothingBefore(admin, "STARTING");
    expect((await stored(CUSTOMER, id))?.reactions).toEqual([]);
  });

  it("keeps our reaction and a member's apart on a group message", async () => {
    const admin = await connect("admin");
    const theirs = await simMessage({
      chatId: GROUP,
      body: "Van is here",
      participant: MEMBERS[0],
    });
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    await admin.next();
    const id = theirs.payload.id;
    const mine = await simChange("react", { messageId: id, text: "🙏", fromMe: true });
    const member = await simChange("react", { messageId: id, text: "🎉", participant: MEMBERS[1] });
    expect(await deliverSim(engine, mine)).toBe("accepted");
    expect(await deliverSim(engine, member)).toBe("accepted");
    expect(await admin.next()).toEqual({
      type: "message.reaction",
      number: "default",
      jid: GROUP,
      id,
      reaction: "🙏",
      from: "me",
    });
    expect(await admin.next()).toMatchObject({ reaction: "🎉", from: MEMBERS[1] });
    expect((await stored(GROUP, id))?.reactions).toEqual(
      expect.arrayContaining([
        { from: "me", text: "🙏" },
        { from: MEMBERS[1], text: "🎉" },
      ]),
    );
  });

  it("shows a customer's reply with the message it quotes, live and in the list", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: CUSTOMER, body: "Pick-up or delivery?", fromMe: true });
    expect(await deliverSim(engine, ours)).toBe("accepted");
    await admin.next();
    const reply = await simMessage({
      chatId: CUSTOMER,
      body: "Delivery",
      replyTo: ours.payload.id,
    });
    expect(await deliverSim(engine, reply)).toBe("accepted");
    const quote = { id: inboxId(ours.payload), body: "Pick-up or delivery?", fromMe: true };
    expect(await admin.next()).toMatchObject({
      type: "message.new",
      message: { id: reply.payload.id, body: "Delivery", replyTo: quote },
    });
    expect((await stored(CUSTOMER, reply.payload.id))?.replyTo).toEqual(quote);
  });

  it("names a member's photo in the chat list, and a quote of it names the member and the photo", async () => {
    const admin = await connect("admin");
    const photo = await simMessage({
      chatId: GROUP,
      participant: MEMBERS[1],
      media: { kind: "image/jpeg" },
    });
    expect(await deliverSim(engine, photo)).toBe("accepted");
    await admin.next();
    const chats = await call("/api/wa/chats", { as: ADMIN });
    const group = (await chats.json<ChatSummary[]>()).find((c) => c.id === GROUP);
    expect(group?.preview).toBe("📷 Photo");
    const reply = await simMessage({
      chatId: GROUP,
      participant: MEMBERS[2],
      body: "Which shelf?",
      replyTo: photo.payload.id,
    });
    expect(await deliverSim(engine, reply)).toBe("accepted");
    const quote = {
      id: inboxId(photo.payload),
      body: "📷 Photo",
      fromMe: false,
      sender: MEMBERS[1],
    };
    expect(await admin.next()).toMatchObject({ type: "message.new", message: { replyTo: quote } });
    expect((await stored(GROUP, inboxId(reply.payload)))?.replyTo).toEqual(quote);
  });

  it("ignores channel posts and status updates: no chat, no assignment, nothing announced", async () => {
    const admin = await connect("admin");
    await env.DB.prepare("INSERT INTO agents (id, name) VALUES ('agent-amira', 'Amira')").run();
    for (const sent of [
      await simMessage({ chatId: "120363400000000001@newsletter", body: "Spring sale" }),
      await simMessage({ chatId: "status@broadcast", participant: "15550100001@c.us" }),
      await simMessage({ chatId: "status@broadcast", body: "Open late today", fromMe: true }),
    ]) {
      const res = await deliver(sent.event ?? "", sent.payload, { engine });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: "ignored",
        reason: expect.stringMatching(/is not an inbox chat$/),
      });
    }
    await expectNothingBefore(admin, "WORKING");
    const assignments = await (await call("/api/wa/assignments", { as: ADMIN })).json();
    expect(assignments).toEqual([]);
    const ids = await chatIds();
    expect(ids.length).toBeGreaterThan(20);
    expect(ids.filter((id) => !/@(c\.us|g\.us|lid)$/.test(id))).toEqual([]);
  });

  it("files a person WAHA knows by @lid under their phone number's chat", async () => {
    const admin = await connect("admin");
    const lid = "99887766554433@lid";
    const phone = "15557780009@c.us";
    await sim.control("lids", { lid, pn: phone });
    const theirs = await simMessage({ chatId: lid, body: "Hi, it's Marta" });
    const ours = await simMessage({ chatId: lid, body: "Hi Marta!", fromMe: true });
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    expect(await deliverSim(engine, ours)).toBe("accepted");
    expect(await admin.next()).toMatchObject({ type: "message.new", jid: phone });
    expect(await admin.next()).toMatchObject({ type: "message.new", jid: phone });
    const receipt = await simChange("ack", { messageId: ours.payload.id, ack: 3 });
    expect(await deliverSim(engine, receipt)).toBe("accepted");
    expect(await admin.next()).toMatchObject({
      type: "message.status",
      jid: phone,
      status: "READ",
    });
    expect(await stored(phone, inboxId(ours.payload))).toMatchObject({ body: "Hi Marta!", ack: 3 });
    const ids = await chatIds();
    expect(ids).toContain(phone);
    expect(ids).not.toContain(lid);
  });

  it("lists each person the gateway has mapped from @lid once, under their phone number, however many there are", async () => {
    const people = lidPeople("5000000000000", "155577801");
    for (const { lid, pn } of people) {
      await sim.control("lids", { lid, pn });
      expect(await deliverSim(engine, await simMessage({ chatId: lid }))).toBe("accepted");
    }
    const ids = await chatIds();
    expect(people.filter(({ pn }) => !ids.includes(pn))).toEqual([]);
    expect(people.filter(({ lid }) => ids.includes(lid))).toEqual([]);
  });

  it("maps people WAHA lists by @lid a few at a time, never listing one under the @lid as well", async () => {
    const people = lidPeople("6000000000000", "155577802");
    for (const { lid, pn } of people) {
      await sim.control("lids", { lid, pn });
      // Only WAHA knows of them: no webhook reached the gateway.
      await sim.control("messages", { chatId: lid, body: "from before" });
    }
    const first = await chatIds();
    expect(people.filter(({ lid }) => first.includes(lid))).toEqual([]);
    // The newest ten are asked about; the rest wait for the next reconcile.
    expect(people.filter(({ pn }) => first.includes(pn))).toHaveLength(10);
    expect(await simCalls("lids")).toEqual({ lids: 10 });
    advance(300_000);
    const later = await chatIds();
    expect(people.filter(({ pn }) => !later.includes(pn))).toEqual([]);
    expect(people.filter(({ lid }) => later.includes(lid))).toEqual([]);
    // Two of them and the demo's two @lid people; the mapped ten are not asked again.
    expect(await simCalls("lids")).toEqual({ lids: 14 });
  });

  it("keeps a person WAHA knows only by @lid as a chat of its own", async () => {
    const admin = await connect("admin");
    const lid = "55443322110099@lid";
    const theirs = await simMessage({ chatId: lid, body: "Who is this?" });
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    expect(await admin.next()).toMatchObject({ type: "message.new", jid: lid });
    expect((await stored(lid, theirs.payload.id))?.body).toBe("Who is this?");
    expect(await chatIds()).toContain(lid);
  });
});
