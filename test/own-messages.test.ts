/**
 * Editing and deleting our own messages through WAHA's edit and delete calls, on every
 * engine: the change reaches WAHA once, the store and every browser of the chat at once
 * (message.edited / message.revoked), and what WhatsApp would refuse is refused here.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { BrowserMessage } from "../src/lib/contracts/api.ts";
import { connect } from "./events.ts";
import { call, json, resetAssignmentData, sim } from "./helpers.ts";

const admin = { role: "admin" as const, sub: "admin-edits" };
const JID = "15550100005@c.us";

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
});

async function sendText(text: string): Promise<string> {
  const res = await call("/api/wa/send-text", { ...json({ jid: JID, text }), as: admin });
  expect(res.status).toBe(200);
  const { id } = await res.json<{ id: string }>();
  return id;
}

async function stored(id: string): Promise<BrowserMessage | undefined> {
  const res = await call(`/api/wa/messages?jid=${JID}`, { as: admin });
  return (await res.json<BrowserMessage[]>()).find((m) => m.id === id);
}

function path(id: string): string {
  return `/api/wa/messages/${encodeURIComponent(id)}?jid=${JID}&number=default`;
}

async function calls(endpoint: string): Promise<number> {
  return (await sim.stats()).calls[endpoint] ?? 0;
}

describe.each(["WEBJS", "NOWEB", "GOWS"])("on %s", (engine) => {
  beforeEach(async () => {
    await sim.control("reset", { engine });
  });

  it("edits our text at WAHA, in the store and in every browser", async () => {
    const id = await sendText("see you at 5");
    const browser = await connect("admin", "admin-edits");
    const res = await call(path(id), {
      as: admin,
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "see you at 6" }),
    });
    expect(res.status).toBe(200);
    expect(await calls("message-edit")).toBe(1);
    expect(await browser.next()).toEqual({
      type: "message.edited",
      number: "default",
      jid: JID,
      id,
      body: "see you at 6",
    });
    const message = await stored(id);
    expect(message?.body).toBe("see you at 6");
    expect(message?.editedAt).toEqual(expect.any(Number));
    expect(await sim.ownTexts(JID)).toContain("see you at 6");
  });

  it("deletes our message for everyone", async () => {
    const id = await sendText("wrong chat, sorry");
    const browser = await connect("admin", "admin-edits");
    const res = await call(path(id), { as: admin, method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await calls("message-delete")).toBe(1);
    expect(await browser.next()).toEqual({
      type: "message.revoked",
      number: "default",
      jid: JID,
      id,
    });
    expect((await stored(id))?.revokedAt).toEqual(expect.any(Number));
    // Deleted once: a second delete is refused without asking WAHA.
    const again = await call(path(id), { as: admin, method: "DELETE" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "message-deleted" });
    expect(await calls("message-delete")).toBe(1);
  });
});

describe("what WhatsApp would refuse", () => {
  it("refuses an edit after 15 minutes with 409 saying why, without calling WAHA", async () => {
    const id = await sendText("old news");
    const twentyMinutesAgo = Math.floor(Date.now() / 1000) - 20 * 60;
    await env.DB.prepare("UPDATE messages SET ts = ? WHERE id = ?")
      .bind(twentyMinutesAgo, id)
      .run();
    const res = await call(path(id), {
      as: admin,
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "fresh news" }),
    });
    expect(res.status).toBe(409);
    const body = await res.json<{ error: string; message: string }>();
    expect(body.error).toBe("edit-window-closed");
    expect(body.message).toMatch(/15 minutes/);
    expect(await calls("message-edit")).toBe(0);
  });

  it("refuses to change the customer's message, and an empty text", async () => {
    const page = await (await call(`/api/wa/messages?jid=${JID}`, { as: admin })).json<
      BrowserMessage[]
    >();
    const theirs = page.find((m) => !m.fromMe);
    expect(theirs).toBeDefined();
    const res = await call(path(theirs?.id ?? ""), { as: admin, method: "DELETE" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "not-own-message" });
    const id = await sendText("fine");
    const empty = await call(path(id), {
      as: admin,
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: " " }),
    });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ message: expect.stringMatching(/^text:/) });
    expect(await calls("message-delete")).toBe(0);
  });

  it("refuses an agent another agent's chat", async () => {
    const id = await sendText("ours");
    const res = await call(path(id), { as: { role: "agent", sub: "agent-9" }, method: "DELETE" });
    expect(res.status).toBe(403);
  });
});
