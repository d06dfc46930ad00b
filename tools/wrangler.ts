/**
 * Runs wrangler from node_modules on this Node, and the gateway (`wrangler dev`) in a
 * process group of its own so that stopping it stops workerd too.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { configSchema } from "../src/lib/config.ts";

const require = createRequire(import.meta.url);
const WRANGLER = path.join(
  path.dirname(require.resolve("wrangler/package.json")),
  "bin/wrangler.js",
);
/** Local D1, Durable Objects and demo secrets; `WA_EDGE_DATA_DIR` moves them. */
export const PERSIST_DIR = process.env.WA_EDGE_DATA_DIR || ".data";

/** A free TCP port on 127.0.0.1. */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** A free port whose next `count - 1` ports are free too (the demo's simulators sit side by side). */
export async function freePortRun(count: number, avoid: number[] = []): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = await freePort();
    const run = Array.from({ length: count }, (_, i) => base + i);
    if (run.some((p) => avoid.includes(p))) continue;
    const free = await Promise.all(
      run.slice(1).map((p) =>
        freePort(p).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} free ports side by side`);
}

/**
 * Lines wrangler itself prints that say nothing about the Worker: its own request line
 * (the Worker writes one per HTTP_LOG, and none with HTTP_LOG=none) and the failed
 * Request.cf lookup of a machine without internet.
 */
const NOISE = [
  /^\[wrangler:info\] (GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ \d{3}\b/,
  /Unable to fetch the `Request\.cf` object/,
  /^Error: getaddrinfo ENOTFOUND workers\.cloudflare\.com/,
  /^\s+at GetAddrInfoReqWrap\./,
];

/** Copies wrangler's output line by line, leaving out its noise. */
function relay(from: Readable | null, to: Writable): void {
  if (!from) return;
  const lines = createInterface({ input: from });
  lines.on("line", (line) => {
    if (!NOISE.some((noise) => noise.test(line))) to.write(`${line}\n`);
  });
}

/** Runs a wrangler command to completion and answers its output; throws with it on failure. */
export function wrangler(args: string[], quiet = true): string {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed:\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  }
  return result.stdout ?? "";
}

export function applyLocalMigrations(persistTo = PERSIST_DIR): void {
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
}

/** The config names the Worker knows, for passing the environment through explicitly. */
export const CONFIG_NAMES = Object.keys(configSchema.shape);

export interface Gateway {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/** Starts `wrangler dev` on 127.0.0.1:port with the given vars and waits until it answers. */
export async function startGateway(opts: {
  port: number;
  vars: Record<string, string>;
  persistTo?: string;
  logLevel?: "info" | "warn" | "error" | "log";
  extraArgs?: string[];
}): Promise<Gateway> {
  // wrangler looks for a free inspector port near 9229 itself, which races with any other
  // local Workers runtime starting at the same time ("Address already in use").
  const inspectorPort = await freePort();
  const args = [
    WRANGLER,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--inspector-ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    opts.persistTo ?? PERSIST_DIR,
    "--log-level",
    opts.logLevel ?? "info",
    "--show-interactive-dev-session=false",
    ...Object.entries(opts.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200 || res.status === 503) return { url, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`the gateway did not answer on ${url} within 60 s`);
}

/** Stops the children on Ctrl-C / SIGTERM / exit, once. */
export function stopOnExit(...stops: Array<() => unknown>): void {
  let stopped = false;
  const stopAll = () => {
    if (stopped) return;
    stopped = true;
    for (const stop of stops) stop();
  };
  process.on("exit", stopAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      stopAll();
      process.exit(130);
    });
  }
}
