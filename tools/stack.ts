/**
 * The whole local stack in one call: the WAHA simulator (or one per WhatsApp number),
 * migrated local D1, optional seed SQL, and the gateway under `wrangler dev` wired to the
 * simulators (webhooks included). Used by `npm start`, the benchmarks and the browser test.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { signToken } from "../src/lib/auth/sign-token.ts";
import type { User } from "../src/lib/auth/user.ts";
import { randomSecrets, type StackSecrets } from "./demo-secrets.ts";
import type { DemoSet, Tier } from "./waha-sim/config.ts";
import type { Engine } from "./waha-sim/model.ts";
import { type Simulator, startSimulator } from "./waha-sim/server.ts";
import {
  applyLocalMigrations,
  freePort,
  type Gateway,
  startGateway,
  wrangler,
} from "./wrangler.ts";

export type { StackSecrets } from "./demo-secrets.ts";

/** One WhatsApp number of a stack: its own simulator, WAHA session, demo chats and keys. */
export interface SimNumber {
  id: string;
  name: string;
  tier: Tier;
  engine: Engine;
  session: string;
  demo: DemoSet;
}

/**
 * The demo's two numbers: sales on a WAHA Core (only the session `default`), support on a
 * WAHA Plus with a session of its own, each with its own customers (Ana writes to both).
 */
export const TWO_NUMBERS: readonly SimNumber[] = [
  { id: "sales", name: "Sales", tier: "CORE", engine: "WEBJS", session: "default", demo: "basic" },
  {
    id: "support",
    name: "Support",
    tier: "PLUS",
    engine: "WEBJS",
    session: "support",
    demo: "support",
  },
];

export interface Stack {
  /** The first number's simulator (the only one without `numbers`). */
  sim: Simulator;
  /** Each number's simulator by id (with `numbers`). */
  sims: Record<string, Simulator>;
  gateway: Gateway;
  secrets: StackSecrets;
  persistTo: string;
  /** A signed token for `user`, valid `ttlSeconds`. */
  token(user: User, ttlSeconds?: number): Promise<string>;
  /** The simulator's /__sim/ control API (the first number's). */
  control<T = unknown>(path: string, body?: unknown, method?: string): Promise<T>;
  /** The /__sim/ control API of one number's simulator. */
  controlOf<T = unknown>(number: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startStack(
  opts: {
    /** Gateway port; default a free one. */
    port?: number;
    /** Simulator port; default a free one. */
    simPort?: number;
    /** Where local D1 and Durable Objects live; default a temporary folder removed on stop. */
    persistTo?: string;
    secrets?: StackSecrets;
    /** Extra gateway vars (config values). */
    vars?: Record<string, string>;
    seedSql?: string;
    logLevel?: "info" | "warn" | "error" | "log";
    /** The simulator's WAHA tier; default CORE (media sending needs PLUS). */
    simTier?: "CORE" | "PLUS";
    /**
     * Several WhatsApp numbers (WAHA_NUMBERS), one simulator each, on ports from `simPort`
     * up; without it, one simulator as the number `default` (WAHA_URL).
     */
    numbers?: readonly SimNumber[];
  } = {},
): Promise<Stack> {
  const secrets = opts.secrets ?? randomSecrets();
  const port = opts.port ?? (await freePort());
  const temporary = opts.persistTo === undefined;
  const persistTo = opts.persistTo ?? mkdtempSync(path.join(tmpdir(), "wa-edge-"));
  const sims: Record<string, Simulator> = {};
  let gateway: Gateway | undefined;
  const stop = async () => {
    gateway?.stop();
    await Promise.all(Object.values(sims).map((s) => s.close()));
    if (temporary) rmSync(persistTo, { recursive: true, force: true });
  };
  let wahaVars: Record<string, string>;
  if (opts.numbers) {
    const entries = [];
    for (const [i, n] of opts.numbers.entries()) {
      const keys = numberKeys(secrets, i, n.id);
      sims[n.id] = await startSimulator({
        port: opts.simPort ? opts.simPort + i : 0,
        apiKey: keys.apiKey,
        session: n.session,
        tier: n.tier,
        engine: n.engine,
        demo: n.demo,
        webhookUrl: `http://127.0.0.1:${port}/api/waha/webhook/${n.id}`,
        webhookHmacKey: keys.hmac,
      }).catch(async (error: unknown) => {
        await stop();
        throw error;
      });
      const url = sims[n.id]?.url ?? "";
      const { apiKey, hmac: webhookHmacKey } = keys;
      entries.push({ id: n.id, name: n.name, url, session: n.session, apiKey, webhookHmacKey });
    }
    wahaVars = { WAHA_NUMBERS: JSON.stringify(entries) };
  } else {
    sims.default = await startSimulator({
      port: opts.simPort ?? 0,
      apiKey: secrets.apiKey,
      webhookUrl: `http://127.0.0.1:${port}/api/waha/webhook`,
      webhookHmacKey: secrets.hmac,
      ...(opts.simTier ? { tier: opts.simTier } : {}),
    });
    wahaVars = {
      WAHA_URL: sims.default.url,
      WAHA_API_KEY: secrets.apiKey,
      WAHA_WEBHOOK_HMAC_KEY: secrets.hmac,
    };
  }
  const sim = Object.values(sims)[0];
  if (!sim) throw new Error("startStack: no simulator started");
  try {
    applyLocalMigrations(persistTo);
    if (opts.seedSql) {
      wrangler([
        "d1",
        "execute",
        "DB",
        "--local",
        "--persist-to",
        persistTo,
        "--command",
        opts.seedSql,
      ]);
    }
    gateway = await startGateway({
      port,
      persistTo,
      logLevel: opts.logLevel ?? "error",
      vars: {
        ...wahaVars,
        JWT_SECRET: secrets.jwt,
        HTTP_LOG: "none",
        ...opts.vars,
      },
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const started = gateway;
  return {
    sim,
    sims,
    gateway: started,
    secrets,
    persistTo,
    token: (user, ttlSeconds = 3600) => signToken(user, secrets.jwt, ttlSeconds),
    control: (p, body, method) => simControl(sim, p, body, method),
    controlOf(number, p, body) {
      const of = sims[number];
      if (!of) throw new Error(`startStack: no simulator for the number ${number}`);
      return simControl(of, p, body);
    },
    stop,
  };
}

async function simControl<T>(
  sim: Simulator,
  p: string,
  body?: unknown,
  method = body === undefined ? "GET" : "POST",
): Promise<T> {
  const res = await fetch(`${sim.url}/__sim/${p}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`simulator ${method} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Each number's own WAHA API key and webhook key: the first number's are the stack's, the
 * others' are derived from them (so the demo's saved secrets stay one small file).
 */
export function numberKeys(
  secrets: StackSecrets,
  index: number,
  id: string,
): { apiKey: string; hmac: string } {
  if (index === 0) return { apiKey: secrets.apiKey, hmac: secrets.hmac };
  const derive = (secret: string) =>
    createHash("sha256").update(`${secret}:${id}`).digest("hex").slice(0, 32);
  return { apiKey: derive(secrets.apiKey), hmac: derive(secrets.hmac) };
}
