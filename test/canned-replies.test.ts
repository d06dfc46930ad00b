import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { CannedReply } from "../src/lib/contracts/api.ts";
import { call, json } from "./helpers.ts";

const ADMIN = { role: "admin", sub: "admin-1" } as const;
const USER = { role: "user", sub: "user-1" } as const;
const AGENT = { role: "agent", sub: "agent-1" } as const;

const create = (body: unknown, as: { role: "admin" | "user" | "agent"; sub: string } = ADMIN) =>
  call("/api/canned-replies", { ...json(body), as });

const list = async (): Promise<CannedReply[]> =>
  (await call("/api/canned-replies", { as: AGENT })).json();

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM canned_replies").run();
});

describe("canned replies", () => {
  it("admins and users add them, stored with a lowercase shortcut; agents read them in shortcut order", async () => {
    const hours = await create({
      shortcut: " Hours ",
      text: "We are open 9–17, Monday to Friday.",
    });
    expect(hours.status).toBe(201);
    const made = await hours.json<CannedReply>();
    expect(made).toEqual({
      id: expect.any(String),
      shortcut: "hours",
      text: "We are open 9–17, Monday to Friday.",
    });
    expect((await create({ shortcut: "address", text: "Main Street 1" }, USER)).status).toBe(201);
    expect((await list()).map((r) => r.shortcut)).toEqual(["address", "hours"]);
  });

  it("agents may not write them (403)", async () => {
    const res = await create({ shortcut: "hi", text: "Hello!" }, AGENT);
    expect(res.status).toBe(403);
    expect(await list()).toEqual([]);
  });

  it("bad input is a 400 that names the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{ text: "x" }, "shortcut: is required"],
      [{ shortcut: "two words", text: "x" }, "shortcut: may hold only letters, digits, - and _"],
      [{ shortcut: "a".repeat(33), text: "x" }, "shortcut: must be at most 32 characters"],
      [{ shortcut: "hi" }, "text: is required"],
      [{ shortcut: "hi", text: "   " }, "text: is required"],
      [{ shortcut: "hi", text: "x".repeat(4097) }, "text: must be at most 4096 characters"],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ error: "invalid-request", message });
    }
    const notJson = await call("/api/canned-replies", {
      method: "POST",
      body: "{",
      headers: { "Content-Type": "application/json" },
      as: ADMIN,
    });
    expect(notJson.status).toBe(400);
    expect(await list()).toEqual([]);
  });

  it("a shortcut is unique, whatever its case, on create and on change (409)", async () => {
    await create({ shortcut: "hours", text: "9–17" });
    const other = await (
      await create({ shortcut: "address", text: "Main Street 1" })
    ).json<CannedReply>();
    const copy = await create({ shortcut: "HOURS", text: "again" });
    expect(copy.status).toBe(409);
    expect(await copy.json()).toEqual({
      error: "shortcut-exists",
      message: "shortcut: /hours is taken",
    });
    const renamed = await call(`/api/canned-replies/${other.id}`, {
      ...json({ shortcut: "hours" }),
      method: "PATCH",
      as: ADMIN,
    });
    expect(renamed.status).toBe(409);
    expect((await list()).map((r) => r.shortcut)).toEqual(["address", "hours"]);
  });

  it("PATCH changes the text or the shortcut; DELETE removes it; an unknown id is 404", async () => {
    const made = await (await create({ shortcut: "hours", text: "9–17" })).json<CannedReply>();
    const patched = await call(`/api/canned-replies/${made.id}`, {
      ...json({ text: "9–18 from May" }),
      method: "PATCH",
      as: USER,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toEqual({ id: made.id, shortcut: "hours", text: "9–18 from May" });
    const empty = await call(`/api/canned-replies/${made.id}`, {
      ...json({}),
      method: "PATCH",
      as: USER,
    });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({
      error: "invalid-request",
      message: "body: needs shortcut or text",
    });
    const byAgent = await call(`/api/canned-replies/${made.id}`, { method: "DELETE", as: AGENT });
    expect(byAgent.status).toBe(403);
    const gone = await call(`/api/canned-replies/${made.id}`, { method: "DELETE", as: ADMIN });
    expect(gone.status).toBe(204);
    expect(await list()).toEqual([]);
    const again = await call(`/api/canned-replies/${made.id}`, { method: "DELETE", as: ADMIN });
    expect(again.status).toBe(404);
  });
});
