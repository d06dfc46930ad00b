import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/lib/types.ts";
import { type CorsOptions, cors } from "../../src/middleware/cors.ts";
import { configWith, ORIGIN, withConfig } from "./fixtures.ts";

const INBOX = "https://inbox.example";

function appWith(options: CorsOptions) {
  return new Hono<AppEnv>()
    .use(cors(options))
    .get("/data", (c) => c.json({ ok: true }))
    .get("/varied", (c) => c.json({ ok: true }, 200, { Vary: "Accept-Encoding" }));
}

const listed = appWith({ origins: () => [INBOX] });
const unlisted = appWith({ origins: () => [] });

async function preflight(app: Hono<AppEnv>, origin: string): Promise<Response> {
  return app.request(`${ORIGIN}/data`, {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "GET" },
  });
}

describe("cors", () => {
  it("answers a preflight from a listed origin with 204 and what it may send", async () => {
    const res = await preflight(listed, INBOX);
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(INBOX);
    expect(res.headers.get("Access-Control-Allow-Methods")).toContain("PUT");
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    expect(res.headers.get("Access-Control-Max-Age")).toBe("600");
    // Hono's CORS also says the answer varies by the headers asked for.
    expect(res.headers.get("Vary")).toBe("Origin, Access-Control-Request-Headers");
  });

  it("refuses a preflight from an origin not on the list with 403 and Vary: Origin", async () => {
    const res = await preflight(listed, "https://evil.example");
    expect(res.status).toBe(403);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(res.headers.get("Vary")).toBe("Origin");
    expect(await res.json()).toEqual({
      error: "cors-origin-denied",
      message: "origin https://evil.example is not allowed",
    });
  });

  it("refuses every cross-origin preflight with 403 when no list is set, without Vary", async () => {
    const res = await preflight(unlisted, INBOX);
    expect(res.status).toBe(403);
    expect(res.headers.get("Vary")).toBeNull();
  });

  it("lets a same-origin preflight through to the routes", async () => {
    const res = await preflight(unlisted, ORIGIN);
    expect(res.status).toBe(404);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("lets a listed origin read the answer and the cache headers", async () => {
    const res = await listed.request(`${ORIGIN}/data`, { headers: { Origin: INBOX } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(INBOX);
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("X-Cache-Status");
    expect(res.headers.get("Vary")).toBe("Origin");
  });

  it("adds Vary: Origin to every answer when a list is set, even one without Origin", async () => {
    const res = await listed.request(`${ORIGIN}/data`);
    expect(res.headers.get("Vary")).toBe("Origin");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("adds Origin to the route's own Vary instead of replacing it", async () => {
    const res = await listed.request(`${ORIGIN}/varied`, { headers: { Origin: INBOX } });
    expect(res.headers.get("Vary")).toBe("Accept-Encoding, Origin");
  });

  it("gives an unlisted origin the answer without Access-Control-Allow-Origin", async () => {
    const res = await listed.request(`${ORIGIN}/data`, {
      headers: { Origin: "https://evil.example" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(res.headers.get("Vary")).toBe("Origin");
  });

  it("adds no Vary when no list is set", async () => {
    const res = await unlisted.request(`${ORIGIN}/data`);
    expect(res.headers.get("Vary")).toBeNull();
  });

  it("allows any origin with *", async () => {
    const res = await preflight(appWith({ origins: () => ["*"] }), "https://anywhere.example");
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://anywhere.example");
  });

  it("reads the list from CORS_ORIGIN by default", async () => {
    const app = new Hono<AppEnv>()
      .use(withConfig(configWith({ CORS_ORIGIN: `${INBOX}, https://other.example` })))
      .use(cors())
      .get("/data", (c) => c.json({ ok: true }));
    expect((await preflight(app, "https://other.example")).status).toBe(204);
    expect((await preflight(app, "https://evil.example")).status).toBe(403);
  });

  it("keeps a request same-origin only when it runs without a config", async () => {
    const app = new Hono<AppEnv>().use(cors()).get("/data", (c) => c.json({ ok: true }));
    const res = await app.request(`${ORIGIN}/data`, { headers: { Origin: INBOX } }, env);
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect((await preflight(app, INBOX)).status).toBe(403);
  });

  it("answers preflights with the maxAgeSeconds it was given", async () => {
    const res = await preflight(appWith({ origins: () => [INBOX], maxAgeSeconds: 60 }), INBOX);
    expect(res.headers.get("Access-Control-Max-Age")).toBe("60");
  });

  it("throws at creation, naming `maxAgeSeconds`, for a negative or fractional age", () => {
    expect(() => cors({ maxAgeSeconds: -1 })).toThrow(/cors: `maxAgeSeconds` must be/);
    expect(() => cors({ maxAgeSeconds: 1.5 })).toThrow(/`maxAgeSeconds`.*got 1.5/);
  });

  it("throws at creation, naming `origins`, when it is not a function", () => {
    const origins = [INBOX] as unknown as CorsOptions["origins"];
    expect(() => cors({ origins })).toThrow(/cors: `origins` must be a function/);
  });
});
