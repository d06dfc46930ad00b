import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { loadConfig } from "../../src/lib/config.ts";
import { jidSchema } from "../../src/lib/ids/id-schemas.ts";
import type { AppEnv, Role } from "../../src/lib/types.ts";
import { parseInput } from "../../src/lib/validate.ts";
import {
  assertChatAccess,
  type ChatAccessOptions,
  requireChatAccess,
} from "../../src/middleware/chat-access.ts";
import { resetAssignmentData } from "../helpers.ts";
import { ORIGIN } from "./fixtures.ts";

const MINE = "15550000001@c.us";
const THEIRS = "15550000002@c.us";
const NOBODYS = "15550000003@c.us";
const NOT_YOURS = { error: "forbidden", message: "this chat is not assigned to you" };

const app = new Hono<AppEnv>()
  .use(async (c, next) => {
    const role = (c.req.header("X-Test-Role") ?? "agent") as Role;
    c.set("user", { sub: role === "agent" ? "agent-1" : `${role}-1`, role });
    const loaded = loadConfig(c.env);
    if (!loaded.ok) throw new Error(loaded.errors.join("; "));
    c.set("config", loaded.config);
    await next();
  })
  .get("/media", requireChatAccess({ from: "query" }), (c) => c.text("bytes"))
  .get("/assignments/:jid", requireChatAccess({ from: "param" }), (c) => c.text("row"))
  .post("/send", async (c) => {
    const { jid } = parseInput(z.object({ jid: jidSchema }), await c.req.json());
    await assertChatAccess(c, jid);
    return c.text("sent");
  });

async function request(
  path: string,
  role: Role = "agent",
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("X-Test-Role", role);
  return app.request(`${ORIGIN}${path}`, { ...init, headers }, env);
}

const media = (jid: string, role?: Role) => request(`/media?jid=${encodeURIComponent(jid)}`, role);
const send = (jid: string) =>
  request("/send", "agent", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jid, text: "hello" }),
  });

beforeEach(async () => {
  const assign = env.DB.prepare("INSERT INTO chat_assignments (jid, assigned_to) VALUES (?, ?)");
  await resetAssignmentData(
    assign.bind(MINE, "agent-1"),
    assign.bind(THEIRS, "agent-2"),
    assign.bind(NOBODYS, null),
  );
});

describe("requireChatAccess", () => {
  it("lets an agent through to a chat assigned to it, the jid read from the query", async () => {
    const res = await media(MINE);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("bytes");
  });

  it("answers 403 'this chat is not assigned to you' to an agent asking for another agent's chat", async () => {
    const res = await media(THEIRS);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(NOT_YOURS);
  });

  it("answers 403 to an agent asking for an unassigned chat or one not in D1", async () => {
    expect((await media(NOBODYS)).status).toBe(403);
    expect((await media("15559999999@c.us")).status).toBe(403);
  });

  it("lets admins and users through to every chat", async () => {
    for (const role of ["admin", "user"] as const) {
      expect((await media(THEIRS, role)).status).toBe(200);
      expect((await media(NOBODYS, role)).status).toBe(200);
    }
  });

  it("reads the jid from a path parameter", async () => {
    expect((await request(`/assignments/${encodeURIComponent(MINE)}`)).status).toBe(200);
    const other = await request(`/assignments/${encodeURIComponent(THEIRS)}`);
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual(NOT_YOURS);
  });

  it("answers 400 naming jid, before any access check, for a missing or malformed jid", async () => {
    const missing = await request("/media");
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: "invalid-request", message: "jid: is required" });
    const malformed = await media("../etc/passwd");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: "invalid-request",
      message: expect.stringMatching(/^jid: must be a WhatsApp chat id/),
    });
    expect((await request("/assignments/not-a-jid")).status).toBe(400);
  });

  it("throws at creation, naming `from`, for a place it cannot read a jid from", () => {
    const options = { from: "body" } as unknown as ChatAccessOptions;
    expect(() => requireChatAccess(options)).toThrow(
      /requireChatAccess: `from` must be "query" or "param", got "body"/,
    );
  });
});

describe("assertChatAccess", () => {
  it("lets an agent act on its own chat, the jid read from a JSON body", async () => {
    const res = await send(MINE);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("sent");
  });

  it("answers the same 403 to an agent acting on another agent's chat", async () => {
    const res = await send(THEIRS);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(NOT_YOURS);
  });
});
