import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/lib/types.ts";
import { type HttpLogOptions, httpLog } from "../../src/middleware/http-log.ts";
import { configWith, ORIGIN, signedIn, withConfig } from "./fixtures.ts";

/** An app logging per HTTP_LOG into `lines`; no HTTP_LOG at all runs it without a config. */
function appLogging(mode: "none" | "basic" | "json" | "no-config") {
  const lines: string[] = [];
  const app = new Hono<AppEnv>();
  if (mode !== "no-config") app.use(withConfig(configWith({ HTTP_LOG: mode })));
  app
    .use(httpLog({ write: (line) => lines.push(line) }))
    .get("/api/wa/chats", (c) => c.json([], 200, { "X-Cache-Status": "HIT" }))
    .get("/api/me", signedIn({ sub: "agent-7", role: "agent" }), (c) => c.json({}));
  return { app, lines };
}

describe("httpLog", () => {
  it("writes nothing when HTTP_LOG is none", async () => {
    const { app, lines } = appLogging("none");
    await app.request(`${ORIGIN}/api/wa/chats`);
    expect(lines).toEqual([]);
  });

  it("writes one short line with method, path, status, time and cache status when basic", async () => {
    const { app, lines } = appLogging("basic");
    await app.request(`${ORIGIN}/api/wa/chats`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/api\/wa\/chats 200 \d+ms HIT$/);
  });

  it("writes one JSON line with the request id, the route's answer and who asked when json", async () => {
    const { app, lines } = appLogging("json");
    await app.request(`${ORIGIN}/api/me`);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      t: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      id: "test-request",
      method: "GET",
      path: "/api/me",
      status: 200,
      ms: expect.any(Number),
      sub: "agent-7",
      role: "agent",
    });
  });

  it("never writes the query string, in either format", async () => {
    for (const mode of ["basic", "json"] as const) {
      const { app, lines } = appLogging(mode);
      await app.request(`${ORIGIN}/api/wa/chats?ticket=secret-ticket&jid=1555@c.us`);
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain("secret-ticket");
      expect(lines[0]).not.toContain("?");
    }
  });

  it("logs basic lines when the request runs without a config", async () => {
    const { app, lines } = appLogging("no-config");
    await app.request(`${ORIGIN}/api/nowhere`);
    expect(lines).toEqual([expect.stringMatching(/^GET \/api\/nowhere 404 \d+ms$/)]);
  });

  it("throws at creation, naming `write`, when it is not a function", () => {
    const write = "console" as unknown as HttpLogOptions["write"];
    expect(() => httpLog({ write })).toThrow(/httpLog: `write` must be a function/);
  });
});
