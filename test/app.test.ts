import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import app from "../src/index.ts";
import { handleError } from "../src/lib/errors.ts";
import type { AppEnv } from "../src/lib/types.ts";
import { call, ORIGIN, tokenFor } from "./helpers.ts";

/** The real app with some vars replaced, as a deployment with other settings would run. */
function withEnv(vars: Record<string, string>, path: string, init: RequestInit = {}) {
  return app.fetch(
    new Request(`${ORIGIN}${path}`, init),
    { ...env, ...vars },
    createExecutionContext(),
  );
}

describe("health and configuration", () => {
  it("answers /api/health without a token and says the config is valid", async () => {
    const res = await call("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, version: "0.1.0", config: "valid" });
  });

  it("lists every bad variable on /api/health and refuses other routes with 503", async () => {
    const bad = { WA_MEDIA_MAX_CONCURRENCY: "lots", JWT_SECRET: "" };
    const health = await withEnv(bad, "/api/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({
      ok: false,
      version: "0.1.0",
      config: [
        "JWT_SECRET: is required",
        'WA_MEDIA_MAX_CONCURRENCY: must be a whole number (got "lots")',
      ],
    });
    const other = await withEnv(bad, "/api/config/polling");
    expect(other.status).toBe(503);
    expect(await other.json()).toMatchObject({ error: "config-invalid" });
  });

  it("serves the polling settings from config", async () => {
    const res = await withEnv({ WAHA_POLLING_INTERVAL: "20000" }, "/api/config/polling", {
      headers: { Authorization: `Bearer ${await tokenFor("user")}` },
    });
    expect(await res.json()).toEqual({
      initialCheckDelay: 5000,
      baseInterval: 20000,
      authenticatedInterval: 30000,
      maxInterval: 60000,
      backoffMultiplier: 2,
      pingInterval: 30000,
    });
  });
});

describe("errors", () => {
  it("answers an unknown route with the JSON error shape", async () => {
    const res = await call("/api/nope", { as: { role: "admin" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not-found", message: "no route for GET /api/nope" });
  });

  it("logs an unexpected error with context and answers 500 without internals", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = new Hono<AppEnv>()
      .use(async (c, next) => {
        c.set("requestId", "req-42");
        await next();
      })
      .get("/boom", () => {
        throw new Error("db password is hunter2");
      })
      .onError(handleError);
    const res = await broken.request("/boom");
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({
      error: "internal-error",
      message: "request req-42 failed; see the logs",
    });
    expect(body).not.toContain("hunter2");
    expect(errors).toHaveBeenCalledOnce();
    expect(String(errors.mock.calls[0]?.[0])).toContain("hunter2");
    expect(String(errors.mock.calls[0]?.[0])).toContain('"path":"/boom"');
    errors.mockRestore();
  });
});

describe("CORS", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "GET" },
  });

  it("refuses cross-origin preflights when no origin is configured", async () => {
    const res = await withEnv({}, "/api/wa/chats", preflight("https://evil.example"));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "cors-origin-denied" });
  });

  it("answers preflights and requests from an allowed origin only", async () => {
    const vars = { CORS_ORIGIN: "https://inbox.example,https://other.example" };
    const ok = await withEnv(vars, "/api/wa/chats", preflight("https://inbox.example"));
    expect(ok.status).toBe(204);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe("https://inbox.example");
    expect(ok.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");

    const denied = await withEnv(vars, "/api/wa/chats", preflight("https://evil.example"));
    expect(denied.status).toBe(403);

    const simple = await withEnv(vars, "/api/health", {
      headers: { Origin: "https://other.example" },
    });
    expect(simple.headers.get("Access-Control-Allow-Origin")).toBe("https://other.example");
    expect(simple.headers.get("Access-Control-Expose-Headers")).toContain("X-Cache-Status");
    const foreign = await withEnv(vars, "/api/health", {
      headers: { Origin: "https://evil.example" },
    });
    expect(foreign.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("CORS and shared caches", () => {
  const vars = { CORS_ORIGIN: "https://inbox.example" };

  it("says Vary: Origin on every answer once CORS_ORIGIN is set: allowed, same-origin and denied", async () => {
    const answers = [
      await withEnv(vars, "/api/health", { headers: { Origin: "https://inbox.example" } }),
      await withEnv(vars, "/api/health"),
      await withEnv(vars, "/api/health", { headers: { Origin: ORIGIN } }),
      await withEnv(vars, "/api/health", { headers: { Origin: "https://evil.example" } }),
      await withEnv(vars, "/api/wa/chats", {
        method: "OPTIONS",
        headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" },
      }),
      await withEnv(vars, "/api/wa/chats", { headers: { Origin: "https://evil.example" } }),
    ];
    for (const res of answers) expect(res.headers.get("Vary") ?? "").toMatch(/\bOrigin\b/);
  });

  it("lets an allowed origin send If-Range and read Accept-Ranges", async () => {
    const res = await withEnv(vars, "/api/wa/media", {
      method: "OPTIONS",
      headers: { Origin: "https://inbox.example", "Access-Control-Request-Method": "GET" },
    });
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("If-Range");
    const simple = await withEnv(vars, "/api/health", {
      headers: { Origin: "https://inbox.example" },
    });
    expect(simple.headers.get("Access-Control-Expose-Headers")).toContain("Accept-Ranges");
  });
});

describe("request logs", () => {
  async function logged(mode: string): Promise<unknown[][]> {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await withEnv({ HTTP_LOG: mode }, "/api/health?ticket=secret-ticket");
    const calls = log.mock.calls;
    log.mockRestore();
    return calls;
  }

  it("writes nothing with HTTP_LOG=none", async () => {
    expect(await logged("none")).toHaveLength(0);
  });

  it("writes one short line with basic and one JSON line with json, never the query", async () => {
    const basic = await logged("basic");
    expect(basic).toHaveLength(1);
    expect(String(basic[0]?.[0])).toMatch(/^GET \/api\/health 200 \d+ms$/);
    const json = await logged("json");
    expect(json).toHaveLength(1);
    expect(JSON.parse(String(json[0]?.[0]))).toMatchObject({
      method: "GET",
      path: "/api/health",
      status: 200,
    });
    expect(String(json[0]?.[0])).not.toContain("secret-ticket");
  });
});
