/** Helpers for workerd tests: signed tokens, calls into the Worker, the simulator. */
import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import { signToken } from "../src/lib/auth/sign-token.ts";
import { loadConfig } from "../src/lib/config.ts";
import type { Role } from "../src/lib/types.ts";
import { numbersOf, type WaNumber } from "../src/lib/waha/numbers.ts";

export const ORIGIN = "http://gateway.test";

/** The test configuration's number (WAHA_URL's `default`, or the first of WAHA_NUMBERS). */
export function theNumber(): WaNumber {
  const loaded = loadConfig(env);
  const first = loaded.ok ? numbersOf(loaded.config)[0] : undefined;
  if (first === undefined) throw new Error("the test configuration has no number");
  return first;
}

export function tokenFor(role: Role, sub = `${role}-1`, ttlSeconds = 600): Promise<string> {
  return signToken({ sub, role }, env.JWT_SECRET, ttlSeconds);
}

/** Calls the Worker as a browser would; `as` signs a token for that role/sub. */
export async function call(
  path: string,
  init: RequestInit & { as?: { role: Role; sub?: string }; token?: string } = {},
): Promise<Response> {
  const { as, token, ...rest } = init;
  const headers = new Headers(rest.headers);
  const bearer = token ?? (as ? await tokenFor(as.role, as.sub) : undefined);
  if (bearer) headers.set("Authorization", `Bearer ${bearer}`);
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { ...rest, headers }));
}

export function json(body: unknown): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
}

/** The WAHA simulator's control API. */
export const sim = {
  async control<T = unknown>(
    path: string,
    body?: unknown,
    method = body ? "POST" : "GET",
  ): Promise<T> {
    const res = await fetch(`${env.WAHA_URL}/__sim/${path}`, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : null,
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json<T>();
  },
  reset: () => sim.control("reset", {}),
  stats: () =>
    sim.control<{
      calls: Record<string, number>;
      mediaInFlight: number;
      mediaPeak: number;
      apiPeak: number;
      resets: number;
      webhooksSent: number;
      webhookAttempts: number;
      webhookFailures: number;
      whatsappDownloads: number;
      whatsappFailures: number;
    }>("stats"),
  /** WAHA itself, with the key, for reading raw upstream shapes. */
  waha: (path: string) =>
    fetch(`${env.WAHA_URL}${path}`, { headers: { "X-Api-Key": env.WAHA_API_KEY } }),
  /** The texts of our own messages in WAHA's copy of a chat, oldest first. */
  async ownTexts(jid: string): Promise<string[]> {
    const res = await sim.waha(`/api/default/chats/${jid}/messages?limit=100&downloadMedia=false`);
    const messages =
      await res.json<Array<{ fromMe: boolean; body: string | null; timestamp: number }>>();
    // Newest first, and within a second in the order they came.
    return messages
      .map((m, i) => ({ m, i }))
      .sort((a, b) => a.m.timestamp - b.m.timestamp || a.i - b.i)
      .filter(({ m }) => m.fromMe)
      .map(({ m }) => m.body ?? "");
  },
};

/**
 * Back to an empty state: no assignments, agents, seen webhooks, stored chats and
 * messages or outbox entries; default settings.
 */
export function resetAssignmentData(...then: D1PreparedStatement[]): Promise<D1Result[]> {
  return env.DB.batch([
    env.DB.prepare("DELETE FROM chat_assignments"),
    env.DB.prepare("DELETE FROM agents"),
    env.DB.prepare("DELETE FROM webhook_receipts"),
    env.DB.prepare("DELETE FROM outbox"),
    env.DB.prepare("DELETE FROM messages"),
    env.DB.prepare("DELETE FROM chats"),
    env.DB.prepare("DELETE FROM lids"),
    env.DB.prepare("DELETE FROM settings WHERE key LIKE 'chats_reconciled_at:%'"),
    env.DB.prepare("UPDATE settings SET value = 'on' WHERE key = 'auto_assign'"),
    env.DB.prepare("DELETE FROM settings WHERE key LIKE 'round_robin_cursor:%'"),
    ...then,
  ]);
}

/**
 * Rate limits count in windows aligned to the wall clock (the local binding like
 * Cloudflare's): waits, if need be, until at least `needMs` of the current window is left,
 * so a test's burst is counted in one window. Real time, whether or not Date is faked.
 */
export async function startOfRateWindow(periodSeconds: 10 | 60, needMs = 5_000): Promise<void> {
  const period = periodSeconds * 1000;
  const left = period - (vi.getRealSystemTime() % period);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}
