/**
 * The gateway under `wrangler dev` against a real WAHA started for the test file, both on
 * 127.0.0.1 inside `npm run test:waha`'s loopback-only namespace, with fresh secrets and a
 * fresh local D1.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { signToken } from "../../src/lib/auth/sign-token.ts";
import { randomSecrets, type StackSecrets } from "../../tools/demo-secrets.ts";
import { type RealWaha, startRealWaha, wahaCache } from "../../tools/real-waha.ts";
import {
  applyLocalMigrations,
  freePort,
  type Gateway,
  startGateway,
} from "../../tools/wrangler.ts";

export interface RealStack {
  waha: RealWaha;
  gateway: Gateway;
  secrets: StackSecrets;
  /** A call to the gateway as `role`. */
  call(
    pathAndQuery: string,
    init?: RequestInit,
    role?: "admin" | "agent" | "user",
  ): Promise<Response>;
  /** A send through the gateway, as an admin's browser makes it. */
  sendText(jid: string, text: string, clientId: string): Promise<Response>;
  /** A call to WAHA itself, with its key. */
  wahaCall(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** Another gateway on the same WAHA with other config (a wrong key, another session). */
  gatewayWith(vars: Record<string, string>): Promise<Gateway>;
  stop(): void;
}

/** A JSON answer's body, as the test expects it. */
export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function startRealStack(
  opts: {
    preload?: string;
    wahaEnv?: Record<string, string>;
    /** The gateway's own config values beside the stack's. */
    gatewayVars?: Record<string, string>;
  } = {},
): Promise<RealStack> {
  const secrets = randomSecrets();
  const dataDir = mkdtempSync(path.join(tmpdir(), "real-waha-"));
  const persistTo = mkdtempSync(path.join(tmpdir(), "real-gateway-"));
  const waha = await startRealWaha({
    cache: wahaCache(),
    port: await freePort(),
    apiKey: secrets.apiKey,
    dataDir,
    ...(opts.preload ? { preload: opts.preload } : {}),
    ...(opts.wahaEnv ? { env: opts.wahaEnv } : {}),
    log: process.env.WAHA_LOG ? (line) => process.stdout.write(`[waha] ${line}`) : undefined,
  });
  const gateways: Gateway[] = [];
  const others: string[] = [];
  const start = async (vars: Record<string, string>, persist: string) => {
    const gateway = await startGateway({
      port: await freePort(),
      persistTo: persist,
      logLevel: "error",
      vars: {
        WAHA_URL: waha.url,
        WAHA_API_KEY: secrets.apiKey,
        WAHA_WEBHOOK_HMAC_KEY: secrets.hmac,
        JWT_SECRET: secrets.jwt,
        HTTP_LOG: "none",
        ...vars,
      },
    });
    gateways.push(gateway);
    return gateway;
  };
  applyLocalMigrations(persistTo);
  const gateway = await start(opts.gatewayVars ?? {}, persistTo);
  const call: RealStack["call"] = async (pathAndQuery, init = {}, role = "admin") => {
    const headers = new Headers(init.headers);
    const token = await signToken({ sub: `${role}-1`, role }, secrets.jwt, 600);
    headers.set("Authorization", `Bearer ${token}`);
    return fetch(`${gateway.url}${pathAndQuery}`, { ...init, headers });
  };
  return {
    waha,
    gateway,
    secrets,
    call,
    sendText(jid, text, clientId) {
      return call("/api/wa/send-text", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jid, text, clientId }),
      });
    },
    async wahaCall(pathAndQuery, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("X-Api-Key", secrets.apiKey);
      if (init.body) headers.set("Content-Type", "application/json");
      // The tests' own setup calls (configure, start): WAHA Core dropped one such connection
      // mid-answer once while its session restarted ("other side closed"); ask again then.
      for (let attempt = 1; ; attempt++) {
        try {
          return await fetch(`${waha.url}${pathAndQuery}`, { ...init, headers });
        } catch (err) {
          if (attempt >= 3 || !(err instanceof TypeError)) throw err;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    },
    async gatewayWith(vars) {
      const persist = mkdtempSync(path.join(tmpdir(), "real-gateway-"));
      others.push(persist);
      applyLocalMigrations(persist);
      return start(vars, persist);
    },
    stop() {
      for (const g of gateways) g.stop();
      waha.stop();
      for (const dir of [dataDir, persistTo, ...others])
        rmSync(dir, { recursive: true, force: true });
    },
  };
}
