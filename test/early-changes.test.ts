/**
 * Receipts, edits, reactions and deletions that reach the gateway before their message (a
 * receipt overtaking WAHA's `message.any`, or a change to a message the store has not read
 * yet) are kept and applied when the message arrives, on every engine.
 */
import { describe, expect, it } from "vitest";
import type { BrowserMessage } from "../src/lib/store/browser-shapes.ts";
import { deliverSim, ENGINES, inboxId, onEngine, simChange, simMessage } from "./engines.ts";
import { connect, expectNothingBefore } from "./events.ts";
import { call } from "./helpers.ts";
import { freshGatewayEachTest } from "./waha-fixtures.ts";

freshGatewayEachTest();

const CUSTOMER = "15557790001@c.us";
const ADMIN = { role: "admin" as const, sub: "admin-early" };

async function stored(jid: string, id: string): Promise<BrowserMessage | undefined> {
  const res = await call(`/api/wa/messages?jid=${encodeURIComponent(jid)}`, { as: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json<BrowserMessage[]>()).find((m) => m.id === id);
}

describe.each(ENGINES)("on %s", (engine) => {
  onEngine(engine);

  it("shows the receipt, edit and reaction that came before our message once it arrives, and says so", async () => {
    const admin = await connect("admin");
    const ours = await simMessage({ chatId: CUSTOMER, body: "Order shipped", fromMe: true });
    const id = inboxId(ours.payload);
    const read = await simChange("ack", { messageId: ours.payload.id, ack: 3 });
    const edit = await simChange("edit", { messageId: ours.payload.id, body: "Order shipped!" });
    const reaction = await simChange("react", { messageId: ours.payload.id, text: "🙏" });
    for (const early of [read, edit, reaction])
      expect(await deliverSim(engine, early)).toBe("kept");
    await expectNothingBefore(admin, "STARTING");

    expect(await deliverSim(engine, ours)).toBe("accepted");
    expect(await admin.next()).toMatchObject({
      type: "message.new",
      jid: CUSTOMER,
      message: { id },
    });
    const frames = [await admin.next(), await admin.next(), await admin.next()];
    expect(frames).toEqual(
      expect.arrayContaining([
        { type: "message.status", number: "default", jid: CUSTOMER, id, status: "READ" },
        { type: "message.edited", number: "default", jid: CUSTOMER, id, body: "Order shipped!" },
        {
          type: "message.reaction",
          number: "default",
          jid: CUSTOMER,
          id,
          reaction: "🙏",
          from: CUSTOMER,
        },
      ]),
    );
    expect(await stored(CUSTOMER, id)).toMatchObject({
      body: "Order shipped!",
      editedAt: expect.any(Number),
      reactions: [{ from: CUSTOMER, text: "🙏" }],
      ackName: "READ",
    });
    // WAHA's retry of a kept change, after the message came: nothing new.
    expect(await deliverSim(engine, reaction)).toBe("unchanged");
    await expectNothingBefore(admin, "WORKING");
  });

  it("leaves a message deleted when its deletion came first", async () => {
    const theirs = await simMessage({ chatId: CUSTOMER, body: "wrong number, sorry" });
    const revoke = await simChange("revoke", { messageId: theirs.payload.id });
    expect(await deliverSim(engine, revoke)).toBe("kept");
    expect(await deliverSim(engine, theirs)).toBe("accepted");
    expect(await stored(CUSTOMER, inboxId(theirs.payload))).toMatchObject({
      body: null,
      revokedAt: expect.any(Number),
    });
  });

  it("applies an edit kept for a message the store has not read when the chat's page comes from WAHA", async () => {
    // In WAHA, never announced: the chat is filled from WAHA on first open.
    const theirs = await simMessage({ chatId: CUSTOMER, body: "meet at 5" });
    const edit = await simChange("edit", { messageId: theirs.payload.id, body: "meet at 6" });
    expect(await deliverSim(engine, edit)).toBe("kept");
    expect(await stored(CUSTOMER, inboxId(theirs.payload))).toMatchObject({
      body: "meet at 6",
      editedAt: expect.any(Number),
    });
  });
});
