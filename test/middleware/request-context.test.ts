import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/lib/types.ts";
import {
  type RequestContextOptions,
  requestContext,
} from "../../src/middleware/request-context.ts";
import { ORIGIN } from "./fixtures.ts";

function appWith(options?: RequestContextOptions) {
  const app = new Hono<AppEnv>().use(requestContext(options));
  for (const path of ["/api/health", "/api/me", "/status"]) {
    app.get(path, (c) =>
      c.json({ requestId: c.var.requestId, session: c.var.config?.WAHA_SESSION ?? null }),
    );
  }
  return app;
}

const app = appWith();
const bad = { ...env, HTTP_LOG: "loud", WA_MEDIA_MAX_CONCURRENCY: "lots" };

describe("requestContext", () => {
  it("takes the request id from cf-ray and puts the parsed config on the context", async () => {
    const res = await app.request(
      `${ORIGIN}/api/me`,
      { headers: { "cf-ray": "8f00-LHR" } },
      { ...env, WAHA_SESSION: "sales" },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requestId: "8f00-LHR", session: "sales" });
  });

  it("makes up a request id when there is no cf-ray", async () => {
    const res = await app.request(`${ORIGIN}/api/me`, {}, env);
    const { requestId } = await res.json<{ requestId: string }>();
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 503 config-invalid naming every bad variable when the config is invalid", async () => {
    const res = await app.request(`${ORIGIN}/api/me`, {}, bad);
    expect(res.status).toBe(503);
    const body = await res.json<{ error: string; message: string }>();
    expect(body.error).toBe("config-invalid");
    expect(body.message).toContain("HTTP_LOG");
    expect(body.message).toContain("WA_MEDIA_MAX_CONCURRENCY");
  });

  it("still runs /api/health with an invalid config, without a config on the context", async () => {
    const res = await app.request(`${ORIGIN}/api/health`, {}, bad);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ session: null });
  });

  it("runs the paths in configExempt with an invalid config, and only those", async () => {
    const custom = appWith({ configExempt: ["/status"] });
    expect((await custom.request(`${ORIGIN}/status`, {}, bad)).status).toBe(200);
    expect((await custom.request(`${ORIGIN}/api/health`, {}, bad)).status).toBe(503);
  });

  it("throws at creation, naming `configExempt`, for anything but a list of paths", () => {
    const notAList = "/api/health" as unknown as string[];
    expect(() => requestContext({ configExempt: notAList })).toThrow(
      /requestContext: `configExempt` must be a list of paths/,
    );
    expect(() => requestContext({ configExempt: ["health"] })).toThrow(/`configExempt`/);
  });
});
