/**
 * Sign-in test fixtures (workerd): keys made with WebCrypto, tokens signed with them,
 * tenants of the local key server (test/key-server.ts), and the real app run with the
 * sign-in settings a deployment would have.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import app from "../src/index.ts";
import type { TenantState } from "./tenant-state.ts";

export type Alg = "RS256" | "ES256";

export interface TestKey {
  alg: Alg;
  kid: string;
  privateKey: CryptoKey;
  /** The public half as a JWKS lists it. */
  jwk: JsonWebKey & { kid: string; alg: Alg; use: "sig" };
}

export async function makeKey(alg: Alg, kid = `${alg.toLowerCase()}-${crypto.randomUUID()}`) {
  const params =
    alg === "RS256"
      ? {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        }
      : { name: "ECDSA", namedCurve: "P-256" };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const exported = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const { kty, n, e, crv, x, y } = exported;
  const jwk = { kty, n, e, crv, x, y, kid, alg, use: "sig" as const };
  const key: TestKey = { alg, kid, privateKey: pair.privateKey, jwk };
  return key;
}

export function b64url(input: string | Uint8Array): string {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** A token signed by `key` with its kid (unless the header says otherwise). */
export async function signJwt(
  key: TestKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const head = b64url(JSON.stringify({ alg: key.alg, typ: "JWT", kid: key.kid, ...header }));
  const input = `${head}.${b64url(JSON.stringify(payload))}`;
  const algorithm =
    key.alg === "RS256" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" };
  const signature = await crypto.subtle.sign(
    algorithm,
    key.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

/** An HS256 token whose MAC key is `secret`, given as a string or raw bytes. */
export async function signHs256(
  payload: Record<string, unknown>,
  secret: string | Uint8Array<ArrayBuffer>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const raw = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT", ...header }))}.${b64url(JSON.stringify(payload))}`;
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input));
  return `${input}.${b64url(new Uint8Array(mac))}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** One origin of the key server: an issuer's JWKS, or an Access team domain. */
export interface Tenant {
  origin: string;
  jwksUrl: string;
  setKeys(keys: TestKey[], extra?: Omit<TenantState, "keys">): Promise<void>;
  set(state: TenantState): Promise<void>;
  fetches(): Promise<number>;
  /** Key set requests the tenant holds unanswered right now (see `hang`). */
  held(): Promise<number>;
}

export async function newTenant(keys: TestKey[] = []): Promise<Tenant> {
  const res = await fetch(`${env.TEST_KEY_SERVER}/tenants`, { method: "POST" });
  const { origin } = await res.json<{ origin: string }>();
  const stats = async () => {
    const res = await fetch(`${origin}/__stats`);
    return res.json<{ fetches: number; held: number }>();
  };
  const tenant: Tenant = {
    origin,
    jwksUrl: `${origin}/jwks.json`,
    async set(state) {
      const put = await fetch(`${origin}/__keys`, { method: "PUT", body: JSON.stringify(state) });
      if (!put.ok) throw new Error(`key server: ${put.status}`);
    },
    setKeys: (list, extra = {}) => tenant.set({ ...extra, keys: list.map((k) => k.jwk) }),
    fetches: async () => (await stats()).fetches,
    held: async () => (await stats()).held,
  };
  await tenant.setKeys(keys);
  return tenant;
}

/** The execution contexts of requests whose work after the answer nobody awaited yet. */
const unsettled: ExecutionContext[] = [];

/**
 * The inbox's own site in these tests: https, as a deployment serves it, so that a page
 * of its own passes the Origin check of changes signed in by cookie.
 */
export const SITE = "https://inbox.shop.example";

/**
 * The real app with these vars over the test bindings, as such a deployment would run,
 * reached at `site` (the origin workerd builds the request URL from, Host included).
 */
export function gateway(vars: Record<string, string>, site = SITE) {
  return async (path: string, init: RequestInit & { bearer?: string } = {}): Promise<Response> => {
    const { bearer, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (bearer !== undefined) headers.set("Authorization", `Bearer ${bearer}`);
    const ctx = createExecutionContext();
    unsettled.push(ctx);
    return app.fetch(new Request(`${site}${path}`, { ...rest, headers }), { ...env, ...vars }, ctx);
  };
}

/** Waits for what the requests so far left running after their answers (`waitUntil`). */
export async function afterAnswers(): Promise<void> {
  await Promise.all(unsettled.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
}

/** Freezes Date (only Date: timers keep real time); `advance` moves it on. */
export function frozenClock() {
  let now = Date.now();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(now);
  return {
    advance(ms: number) {
      now += ms;
      vi.setSystemTime(now);
    },
    restore: () => vi.useRealTimers(),
  };
}

/** Console lines written while `run` runs. */
export async function logged(run: () => Promise<unknown>): Promise<string> {
  const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    await run();
    return spy.mock.calls.map((args) => args.map(String).join(" ")).join("\n");
  } finally {
    spy.mockRestore();
  }
}

/** The one answer to every refused token. */
export const REFUSED = { error: "unauthorized", message: "the token is invalid or expired" };

export async function expectRefused(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
  expect(await res.json()).toEqual(REFUSED);
}
