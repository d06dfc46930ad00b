/**
 * Real WAHA for tests: WAHA Core built from its own source (`../shared/waha-core`, or
 * `WAHA_SRC`) once into a cache outside the repository (`WAHA_CACHE`, default
 * ~/.cache/wa-edge/waha-2026.2.1), and started on 127.0.0.1 in its own process group. A
 * started session tries to reach WhatsApp: callers run it only inside a network namespace
 * that has nothing but loopback (tools/test-waha.ts makes one).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export const WAHA_VERSION = "2026.2.1";

/** Where WAHA's source and build scripts are, or null when this machine has none. */
export function wahaSource(root = process.cwd()): string | null {
  const candidates = [process.env.WAHA_SRC, path.resolve(root, "../shared/waha-core")];
  for (const dir of candidates) {
    if (dir && existsSync(path.join(dir, "build.sh"))) return dir;
  }
  return null;
}

export function wahaCache(): string {
  return process.env.WAHA_CACHE || path.join(homedir(), ".cache/wa-edge", `waha-${WAHA_VERSION}`);
}

/** Builds WAHA into the cache unless it is there; answers the build's folder. */
export function ensureWahaBuilt(source: string, cache = wahaCache()): string {
  if (existsSync(path.join(cache, "waha/dist/main.js"))) return cache;
  mkdirSync(cache, { recursive: true });
  console.log(`[waha] building WAHA ${WAHA_VERSION} once into ${cache} (about 5 minutes)…`);
  const built = spawnSync("bash", [path.join(source, "build.sh"), cache], { stdio: "inherit" });
  if (built.status !== 0) throw new Error(`building WAHA failed (exit ${built.status})`);
  return cache;
}

export interface RealWaha {
  url: string;
  apiKey: string;
  child: ChildProcess;
  /** WAHA ignores SIGTERM: its whole process group is killed. */
  stop(): void;
}

/**
 * Starts the built WAHA (NOWEB) on `port` with `apiKey`, its data in `dataDir`; resolves
 * once `/ping` answers. `preload`: a module WAHA's Node loads first (`--require`).
 */
export async function startRealWaha(opts: {
  cache: string;
  port: number;
  apiKey: string;
  dataDir: string;
  env?: Record<string, string>;
  preload?: string;
  log?: (line: string) => void;
}): Promise<RealWaha> {
  const nodePath = path.join(opts.cache, "node-path");
  const node = existsSync(nodePath) ? readFileSync(nodePath, "utf8").trim() : process.execPath;
  mkdirSync(path.join(opts.dataDir, "media"), { recursive: true });
  mkdirSync(path.join(opts.dataDir, "sessions"), { recursive: true });
  const url = `http://127.0.0.1:${opts.port}`;
  const child = spawn(node, [...(opts.preload ? ["--require", opts.preload] : []), "dist/main"], {
    cwd: path.join(opts.cache, "waha"),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      WHATSAPP_DEFAULT_ENGINE: "NOWEB",
      WHATSAPP_API_KEY: opts.apiKey,
      WHATSAPP_API_PORT: String(opts.port),
      WHATSAPP_API_HOSTNAME: "127.0.0.1",
      WAHA_BASE_URL: url,
      WAHA_PRINT_QR: "False",
      WHATSAPP_FILES_FOLDER: path.join(opts.dataDir, "media"),
      WAHA_LOCAL_STORE_BASE_DIR: path.join(opts.dataDir, "sessions"),
      WHATSAPP_RESTART_ALL_SESSIONS: "False",
      PUPPETEER_SKIP_DOWNLOAD: "1",
      ...opts.env,
    },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => opts.log?.(chunk.toString("utf8")));
  }
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WAHA exited with ${child.exitCode}`);
    const pong = await fetch(`${url}/ping`).catch(() => null);
    if (pong?.ok) break;
    if (Date.now() > until) {
      stop();
      throw new Error("WAHA did not answer /ping within 60 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, apiKey: opts.apiKey, child, stop };
}
