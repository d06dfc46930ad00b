/**
 * The whole local stack in one call: the WAHA simulator, migrated local D1, optional
 * seed SQL, and the gateway under `wrangler dev` wired to the simulator (webhooks
 * included). Used by `npm start`, the benchmarks and the browser test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { signToken } from "../src/lib/auth/sign-token.ts";
import type { User } from "../src/lib/auth/user.ts";
import { randomSecrets, type StackSecrets } from "./demo-secrets.ts";
import { type Simulator, startSimulator } from "./waha-sim/server.ts";
import {
  applyLocalMigrations,
  freePort,
  type Gateway,
  startGateway,
  wrangler,
} from "./wrangler.ts";

export type { StackSecrets } from "./demo-secrets.ts";

export interface Stack {
  sim: Simulator;
  gateway: Gateway;
  secrets: StackSecrets;
  persistTo: string;
  /** A signed token for `user`, valid `ttlSeconds`. */
  token(user: User, ttlSeconds?: number): Promise<string>;
  /** The simulator's /__sim/ control API. */
  control<T = unknown>(path: string, body?: unknown, method?: string): Promise<T>;
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
  } = {},
): Promise<Stack> {
  const secrets = opts.secrets ?? randomSecrets();
  const port = opts.port ?? (await freePort());
  const temporary = opts.persistTo === undefined;
  const persistTo = opts.persistTo ?? mkdtempSync(path.join(tmpdir(), "wa-edge-"));
  const sim = await startSimulator({
    port: opts.simPort ?? 0,
    apiKey: secrets.apiKey,
    webhookUrl: `http://127.0.0.1:${port}/api/waha/webhook`,
    webhookHmacKey: secrets.hmac,
    ...(opts.simTier ? { tier: opts.simTier } : {}),
  });
  let gateway: Gateway | undefined;
  const stop = async () => {
    gateway?.stop();
    await sim.close();
    if (temporary) rmSync(persistTo, { recursive: true, force: true });
  };
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
        WAHA_URL: sim.url,
        WAHA_API_KEY: secrets.apiKey,
        WAHA_WEBHOOK_HMAC_KEY: secrets.hmac,
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
    gateway: started,
    secrets,
    persistTo,
    token: (user, ttlSeconds = 3600) => signToken(user, secrets.jwt, ttlSeconds),
    async control<T>(p: string, body?: unknown, method = body === undefined ? "GET" : "POST") {
      const res = await fetch(`${sim.url}/__sim/${p}`, {
        method,
        headers: { "Content-Type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`simulator ${method} ${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    stop,
  };
}
