/**
 * Contacts: profile pictures through the gateway, asked of WAHA at most once per contact per
 * WA_AVATAR_TTL_MS whoever asks; none is a 404 that costs WAHA nothing more; names saved on
 * the phone and push names on chats and group messages.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { BrowserMessage, ChatSummary } from "../src/lib/contracts/api.ts";
import { call, json, resetAssignmentData, sim } from "./helpers.ts";

const admin = { role: "admin" as const, sub: "admin-contacts" };

beforeEach(async () => {
  await sim.reset();
  await resetAssignmentData();
});

async function calls(endpoint: string): Promise<number> {
  return (await sim.stats()).calls[endpoint] ?? 0;
}

describe("GET /api/wa/avatar", () => {
  it("answers 20 agents asking at once with one WAHA call and the same picture", async () => {
    const jid = "15550100001@c.us";
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(`/api/wa/avatar?number=default&jid=${jid}`, {
          as: { role: "agent", sub: `agent-${i}` },
        }),
      ),
    );
    const bodies = await Promise.all(answers.map((r) => r.arrayBuffer()));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/jpeg");
      expect(res.headers.get("Cache-Control")).toMatch(/^private, max-age=\d+$/);
    }
    const first = new Uint8Array(bodies[0] ?? new ArrayBuffer(0));
    expect(first.slice(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
    for (const body of bodies) expect(new Uint8Array(body)).toEqual(first);
    expect(await calls("contact-picture")).toBe(1);
    expect(await calls("picture-file")).toBe(1);
    // Later askers are answered without WAHA too.
    const again = await call(`/api/wa/avatar?jid=${jid}`, { as: admin });
    expect(again.status).toBe(200);
    expect(await calls("contact-picture")).toBe(1);
  });

  it("is 404 when WhatsApp has no picture, and asking again does not call WAHA", async () => {
    const jid = "15550100002@c.us";
    await sim.control("contacts", { contactId: jid, picture: false });
    const first = await call(`/api/wa/avatar?jid=${jid}`, { as: admin });
    expect(first.status).toBe(404);
    expect(await first.json()).toMatchObject({ error: "avatar-not-found" });
    expect(Number(first.headers.get("Retry-After"))).toBeGreaterThan(3600);
    const second = await call(`/api/wa/avatar?jid=${jid}`, { as: admin });
    expect(second.status).toBe(404);
    expect(await calls("contact-picture")).toBe(1);
    // The chat list stops pointing at it.
    const chats = await (await call("/api/wa/chats", { as: admin })).json<ChatSummary[]>();
    expect(chats.find((c) => c.id === jid)?.avatarUrl).toBeNull();
    expect(chats.find((c) => c.id === "15550100003@c.us")?.avatarUrl).toBe(
      "/api/wa/avatar?number=default&jid=15550100003%40c.us",
    );
  });

  it("asks WAHA again once WA_AVATAR_TTL_MS has passed, and shows the picture the contact set meanwhile", async () => {
    const jid = "15550100005@c.us";
    await sim.control("contacts", { contactId: jid, picture: false });
    expect((await call(`/api/wa/avatar?jid=${jid}`, { as: admin })).status).toBe(404);
    await sim.control("contacts", { contactId: jid, picture: true });
    expect((await call(`/api/wa/avatar?jid=${jid}`, { as: admin })).status).toBe(404);
    expect(await calls("contact-picture")).toBe(1);
    // A day later (the object's record of its look, moved back by the TTL and a second).
    const stub = env.CONTACT_AVATAR.get(env.CONTACT_AVATAR.idFromName(`default:${jid}`));
    await runInDurableObject(stub, (_instance, state) => {
      const kept = state.storage.kv.get<{ checkedAt: number }>("avatar");
      if (!kept) throw new Error("nothing kept");
      state.storage.kv.put("avatar", { ...kept, checkedAt: kept.checkedAt - 86_401_000 });
    });
    const later = await call(`/api/wa/avatar?jid=${jid}`, { as: admin });
    expect(later.status).toBe(200);
    expect(await calls("contact-picture")).toBe(2);
  });

  it("refuses an agent another agent's chat, and a number the gateway does not serve", async () => {
    const jid = "15550100003@c.us";
    await call("/api/agents", { as: admin, ...json({ id: "agent-owner", name: "Owner" }) });
    await call(`/api/wa/assignments/${jid}`, {
      as: admin,
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ agentId: "agent-owner" }),
    });
    const other = await call(`/api/wa/avatar?jid=${jid}`, {
      as: { role: "agent", sub: "agent-x" },
    });
    expect(other.status).toBe(403);
    const bad = await call(`/api/wa/avatar?number=elsewhere&jid=${jid}`, { as: admin });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid-request" });
    expect(await calls("contact-picture")).toBe(0);
  });
});

describe("names", () => {
  it("shows the name saved on the phone once the contact was looked up", async () => {
    const jid = "15550100004@c.us";
    await sim.control("contacts", { contactId: jid, savedName: "Dalia (supplier)" });
    await env.DB.prepare("INSERT INTO chats (number, jid, name) VALUES ('default', ?, 'Dalia')")
      .bind(jid)
      .run();
    await call(`/api/wa/avatar?jid=${jid}`, { as: admin });
    const chats = await (await call("/api/wa/chats", { as: admin })).json<ChatSummary[]>();
    expect(chats.find((c) => c.id === jid)?.name).toBe("Dalia (supplier)");
  });

  it("carries the sender's push name on every group message and on quotes of it", async () => {
    const group = "120363025246125486@g.us";
    const sent = await sim.control<{ id: string }>("messages", {
      chatId: group,
      participant: "15550100101@c.us",
      senderName: "Priya",
      body: "stock is low",
    });
    await sim.control("messages", {
      chatId: group,
      participant: "15550100102@c.us",
      senderName: "Tom",
      body: "ordering now",
      replyTo: sent.id,
    });
    const page = await (
      await call(`/api/wa/messages?jid=${encodeURIComponent(group)}`, { as: admin })
    ).json<BrowserMessage[]>();
    const priya = page.find((m) => m.body === "stock is low");
    const tom = page.find((m) => m.body === "ordering now");
    expect(priya?.senderName).toBe("Priya");
    expect(tom?.senderName).toBe("Tom");
    expect(tom?.replyTo?.senderName).toBe("Priya");
  });
});
