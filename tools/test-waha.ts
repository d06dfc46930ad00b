/**
 * `npm run test:waha`: the gateway against the real WAHA. Builds WAHA once into a cache
 * (tools/real-waha.ts), makes a network namespace with nothing but loopback (a started
 * session tries to reach WhatsApp), and runs the real-WAHA tests inside it; the namespace
 * and everything in it go afterwards. On a machine without WAHA's source, or without the
 * rights to make a namespace, it says "skipped" and why, and exits 0.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureWahaBuilt, wahaCache, wahaSource } from "./real-waha.ts";

function skip(why: string): never {
  console.log(`test:waha skipped: ${why}`);
  process.exit(0);
}

const source = wahaSource();
if (!source) skip("no WAHA source here (set WAHA_SRC, or place it at ../shared/waha-core)");
if (process.getuid?.() !== 0) skip("making a loopback-only network namespace needs root");
if (spawnSync("ip", ["netns", "list"]).status !== 0) skip("`ip netns` is not available");

const cache = ensureWahaBuilt(source, wahaCache());
const ns = `waedge${process.pid}`;
const ip = (...args: string[]) => spawnSync("ip", args, { stdio: "inherit" });
ip("netns", "add", ns);
let status = 1;
try {
  ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
  const vitest = path.resolve("node_modules/vitest/vitest.mjs");
  const run = spawnSync(
    "ip",
    [
      "netns",
      "exec",
      ns,
      process.execPath,
      vitest,
      "run",
      "--config",
      "vitest.waha.config.ts",
      ...process.argv.slice(2),
    ],
    { stdio: "inherit", env: { ...process.env, WAHA_CACHE: cache } },
  );
  status = run.status ?? 1;
} finally {
  // Whatever a test left running in the namespace is ours: it goes with it.
  const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split(/\s+/);
  for (const pid of pids.filter(Boolean)) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  ip("netns", "delete", ns);
}
process.exit(status);
