import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signToken } from "../src/lib/auth/sign-token.ts";
import type { ChatNote } from "../src/lib/contracts/api.ts";
import { changeChatOwner } from "../src/lib/db.ts";
import { connect, expectNothingBefore } from "./events.ts";
import { call, json } from "./helpers.ts";
import { ADMIN, AMIRA, ANA, BRIAN, BRUNO, chats, type Who } from "./team-fixtures.ts";
import { advance, freshGatewayEachTest, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

function post(jid: string, text: unknown, as: Who = ADMIN) {
  return call(`/api/wa/chats/${jid}/notes`, { ...json({ text }), as });
}

function putLabels(jid: string, labels: unknown, as: Who = ADMIN) {
  return call(`/api/wa/chats/${jid}/labels`, { ...json({ labels }), method: "PUT", as });
}

describe("private notes", () => {
  it("are kept with their author and time, listed oldest first, announced as note.new and never sent to WhatsApp", async () => {
    await changeChatOwner(env.DB, "default", ANA, AMIRA.sub);
    const admin = await connect("admin", ADMIN.sub);
    const bruno = await connect("agent", BRUNO.sub);
    const before = await simCalls("sendText", "sendSeen");

    // The author's name comes from the token when it has one.
    const named = await signToken(
      { sub: AMIRA.sub, role: "agent", name: "Amira" },
      env.JWT_SECRET,
      600,
    );
    const first = await call(`/api/wa/chats/${ANA}/notes`, {
      ...json({ text: "  Wants the blue one  " }),
      token: named,
    });
    expect(first.status).toBe(201);
    const note = await first.json<ChatNote>();
    expect(note).toEqual({
      id: expect.any(Number),
      jid: ANA,
      author: AMIRA.sub,
      authorName: "Amira",
      text: "Wants the blue one",
      createdAt: new Date(Date.now()).toISOString(),
    });
    expect(await admin.next()).toEqual({ type: "note.new", jid: ANA, number: "default", note });

    advance(1_000);
    expect((await post(ANA, "Called back, no answer")).status).toBe(201);
    const listed = await call(`/api/wa/chats/${ANA}/notes`, { as: AMIRA });
    expect(listed.status).toBe(200);
    const notes = await listed.json<ChatNote[]>();
    expect(notes.map((n) => [n.text, n.author])).toEqual([
      ["Wants the blue one", AMIRA.sub],
      ["Called back, no answer", ADMIN.sub],
    ]);
    expect(await simCalls("sendText", "sendSeen")).toEqual(before);
    // Notes are no messages: the conversation itself is unchanged.
    const page = await call(`/api/wa/messages?jid=${ANA}`, { as: ADMIN });
    expect(await page.text()).not.toContain("Wants the blue one");
    await expectNothingBefore(bruno, "WORKING");
  });

  it("are refused for another agent's chat, and empty or overlong text with 400 naming the field", async () => {
    await changeChatOwner(env.DB, "default", ANA, AMIRA.sub);
    expect((await post(ANA, "mine now", BRUNO)).status).toBe(403);
    expect((await call(`/api/wa/chats/${ANA}/notes`, { as: BRUNO })).status).toBe(403);
    for (const text of ["   ", undefined, 42, "x".repeat(4_001)]) {
      const res = await post(ANA, text);
      expect(res.status).toBe(400);
      expect((await res.json<{ message: string }>()).message).toMatch(/^text: /);
    }
    expect(await (await call(`/api/wa/chats/${ANA}/notes`, { as: ADMIN })).json()).toEqual([]);
  });
});

describe("labels", () => {
  it("are set trimmed and once each, carried by the chat, filtered by, and announced", async () => {
    const admin = await connect("admin", ADMIN.sub);
    const res = await putLabels(ANA, [" vip ", "billing", "vip"]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jid: ANA, number: "default", labels: ["billing", "vip"] });
    expect(await admin.next()).toEqual({
      type: "chat.labels",
      jid: ANA,
      number: "default",
      labels: ["billing", "vip"],
    });
    await putLabels(BRIAN, ["vip"]);

    const all = await chats();
    expect(all.find((c) => c.id === ANA)?.labels).toEqual(["billing", "vip"]);
    expect(all.find((c) => c.id === BRIAN)?.labels).toEqual(["vip"]);
    expect(all.filter((c) => c.labels.length === 0).length).toBe(all.length - 2);
    expect((await chats("?label=vip")).map((c) => c.id).sort()).toEqual([ANA, BRIAN]);
    expect((await chats("?label=Billing")).map((c) => c.id)).toEqual([ANA]);
    expect(await chats("?label=vip&status=resolved")).toEqual([]);

    expect((await putLabels(ANA, [])).status).toBe(200);
    expect((await chats("?label=billing")).map((c) => c.id)).toEqual([]);
  });

  it("refuses more than 20, empty or over 32 characters, naming the field; agents only on their chats", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [Array.from({ length: 21 }, (_, i) => `l${i}`), /^labels: must hold at most 20 labels/],
      [["ok", "  "], /^labels\.1: must not be empty/],
      [["x".repeat(33)], /^labels\.0: must be at most 32 characters/],
      ["vip", /^labels: /],
      [[7], /^labels\.0: /],
    ];
    for (const [labels, message] of cases) {
      const res = await putLabels(ANA, labels);
      expect(res.status).toBe(400);
      expect((await res.json<{ message: string }>()).message).toMatch(message);
    }
    expect((await putLabels(ANA, ["x".repeat(32)])).status).toBe(200);
    const badFilter = await call(`/api/wa/chats?label=${"y".repeat(33)}`, { as: ADMIN });
    expect(badFilter.status).toBe(400);
    expect((await badFilter.json<{ message: string }>()).message).toMatch(/^label: /);

    await changeChatOwner(env.DB, "default", ANA, AMIRA.sub);
    expect((await putLabels(ANA, ["mine"], BRUNO)).status).toBe(403);
    expect((await putLabels(ANA, ["mine"], AMIRA)).status).toBe(200);
    expect((await chats("?label=mine", AMIRA)).map((c) => c.id)).toEqual([ANA]);
    expect(await chats("?label=mine", BRUNO)).toEqual([]);
  });
});
