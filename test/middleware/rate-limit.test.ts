import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { readCounters } from "../../src/lib/monitoring/metrics.ts";
import type { AppEnv } from "../../src/lib/types.ts";
import {
  type RateLimitOptions,
  rateLimit,
  wahaReadLimit,
} from "../../src/middleware/rate-limit.ts";
import { startOfRateWindow } from "../helpers.ts";
import { ORIGIN } from "./fixtures.ts";

/** WAHA_STATUS_LIMITER allows 30 requests per key in 10 s (wrangler.toml). */
const LIMIT = 30;

/** Each test gets users of its own: the binding's counts outlive a test. */
let users = 0;
const freshUser = () => `rate-user-${Date.now()}-${++users}`;

const app = new Hono<AppEnv>()
  .use(async (c, next) => {
    c.set("user", { sub: c.req.header("X-Test-User") ?? "nobody", role: "user" });
    await next();
  })
  .get("/status", wahaReadLimit("status"), (c) => c.text("ok"))
  .get("/messages", wahaReadLimit("messages"), (c) => c.text("ok"));

async function get(path: string, sub: string): Promise<Response> {
  return app.request(
    `${ORIGIN}${path}`,
    { headers: { "X-Test-User": sub } },
    env,
    createExecutionContext(),
  );
}

async function spend(path: string, sub: string, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await get(path, sub)).status);
  return statuses;
}

async function counter(name: string): Promise<number> {
  return (await readCounters(env, createExecutionContext())).counters[name] ?? 0;
}

describe("rateLimit", () => {
  it("lets a user's first 30 requests in 10 s through and answers the next with 429 and Retry-After: 10", async () => {
    await startOfRateWindow(10);
    const sub = freshUser();
    expect(await spend("/status", sub, LIMIT)).toEqual(Array(LIMIT).fill(200));
    const res = await get("/status", sub);
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("10");
    expect(await res.json()).toEqual({
      error: "rate-limited",
      message: "too many status requests from this user; try again in 10 s",
    });
  });

  it("keeps a budget per user: one user's 429 leaves another user's requests alone", async () => {
    await startOfRateWindow(10);
    const spent = freshUser();
    await spend("/status", spent, LIMIT + 1);
    expect((await get("/status", freshUser())).status).toBe(200);
  });

  it("keeps a budget per scope: a user refused status reads may still read messages", async () => {
    await startOfRateWindow(10);
    const sub = freshUser();
    await spend("/status", sub, LIMIT + 1);
    expect((await get("/status", sub)).status).toBe(429);
    expect((await get("/messages", sub)).status).toBe(200);
  });

  it("counts each refusal as ratelimit.rejections:<scope> for the monitoring stats", async () => {
    await startOfRateWindow(10);
    const before = await counter("ratelimit.rejections:messages");
    const sub = freshUser();
    await spend("/messages", sub, LIMIT + 2);
    expect(await counter("ratelimit.rejections:messages")).toBe(before + 2);
  });

  it("throws at creation, naming `periodSeconds`, for a period the binding cannot have", () => {
    const options = {
      limiter: (e: Env) => e.WAHA_STATUS_LIMITER,
      periodSeconds: 30,
      scope: "status",
    } as unknown as RateLimitOptions;
    expect(() => rateLimit(options)).toThrow(/rateLimit: `periodSeconds` must be 10 or 60, got 30/);
  });

  it("throws at creation, naming `limiter`, when it is not a function", () => {
    const options = {
      limiter: "WAHA_STATUS_LIMITER",
      periodSeconds: 10,
      scope: "status",
    } as unknown as RateLimitOptions;
    expect(() => rateLimit(options)).toThrow(/rateLimit: `limiter` must be a function/);
  });

  it("throws at creation, naming `scope`, for a scope that is empty or not kebab-case", () => {
    expect(() => wahaReadLimit("")).toThrow(/rateLimit: `scope` must be kebab-case, got ""/);
    expect(() => wahaReadLimit("Status Reads")).toThrow(/`scope` must be kebab-case/);
  });
});
