/**
 * Set-up shared by the WAHA cache, upstream, chat list and monitoring tests: a fake
 * clock (TTLs, stale windows and the circuit's cool-off pass without waiting) and a
 * fresh gateway per test.
 */
import { applyD1Migrations, createExecutionContext, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, vi } from "vitest";
import app from "../src/index.ts";
import { readCounters } from "../src/lib/monitoring/metrics.ts";
import { ORIGIN, sim, tokenFor } from "./helpers.ts";

let now = Date.now();

/** Freezes Date (only Date: timers, timeouts and the simulator keep real time). */
export function useClock(): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(now);
}

/** Moves the frozen clock forward. */
export function advance(ms: number): void {
  now += ms;
  vi.setSystemTime(now);
}

/**
 * Empty storage (cached answers, circuit, counters, D1), a reset simulator, and an hour
 * later on the clock so nothing an isolate still holds in memory is fresh.
 */
export async function freshGateway(): Promise<void> {
  // Counters still on their way to the Stats object land before storage is wiped.
  await readCounters(env, createExecutionContext());
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  await sim.reset();
  advance(3_600_000);
}

/** The usual set-up of a file: the frozen clock, and a fresh gateway before each test. */
export function freshGatewayEachTest(): void {
  beforeAll(useClock);
  afterAll(() => vi.useRealTimers());
  beforeEach(freshGateway);
}

let users = 0;

/** A user nobody has used yet, so per-user rate limits start from zero. */
export function newUser(role: "admin" | "user" | "agent" = "user"): {
  role: typeof role;
  sub: string;
} {
  return { role, sub: `${role}-${++users}-${now}` };
}

/** Runs the real app with some vars replaced, as a deployment with other settings would. */
export async function callWith(
  vars: Record<string, string>,
  path: string,
  init: RequestInit & { as?: { role: "admin" | "user" | "agent"; sub?: string } } = {},
): Promise<Response> {
  const { as, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (as) headers.set("Authorization", `Bearer ${await tokenFor(as.role, as.sub)}`);
  return app.fetch(
    new Request(`${ORIGIN}${path}`, { ...rest, headers }),
    { ...env, ...vars },
    createExecutionContext(),
  );
}

/** Simulator call counts for the endpoints named. */
export async function simCalls(...endpoints: string[]): Promise<Record<string, number>> {
  const { calls } = await sim.stats();
  return Object.fromEntries(endpoints.map((e) => [e, calls[e] ?? 0]));
}
