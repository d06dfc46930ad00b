/**
 * The commands a user runs, as processes: `npm start` and `npm run gateway` started at
 * the same moment, their log lines, and `npm run token` signing what the demo accepts.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSecrets } from "../../tools/demo-secrets.ts";
import { freePort } from "../../tools/wrangler.ts";

interface Running {
  child: ChildProcess;
  out: string[];
  /** Waits for a line matching `pattern`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

function run(script: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const out: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream?.on("data", (chunk: Buffer) => {
      const text = rest + chunk.toString("utf8");
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      out.push(...lines);
      for (const wake of waiters) wake();
    });
  }
  return {
    child,
    out,
    line(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = out.find((l) => pattern.test(l));
          if (!found) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no line like ${pattern} within ${timeoutMs} ms:\n${out.join("\n")}`));
        }, timeoutMs);
        if (!check()) waiters.add(wake);
      });
    },
  };
}

function stop(running: Running | undefined): void {
  const pid = running?.child.pid;
  if (pid === undefined || running?.child.exitCode !== null) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}

const dirs: string[] = [];
let start: Running | undefined;
let gateway: Running | undefined;
let startUrl = "";
let gatewayUrl = "";
let simUrl = "";
let adminToken = "";
const secrets = randomSecrets();
const startData = mkdtempSync(path.join(tmpdir(), "wa-edge-start-"));

beforeAll(async () => {
  dirs.push(startData);
  const gatewayData = mkdtempSync(path.join(tmpdir(), "wa-edge-gateway-"));
  dirs.push(gatewayData);
  writeFileSync(path.join(startData, "demo-secrets.json"), JSON.stringify(secrets));
  const [port, simPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  startUrl = `http://127.0.0.1:${port}`;
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  simUrl = `http://127.0.0.1:${simPort}`;
  // Both at once: two local Workers runtimes starting side by side must not collide.
  start = run("tools/start.ts", {
    PORT: String(port),
    SIM_PORT: String(simPort),
    WA_EDGE_DATA_DIR: startData,
  });
  gateway = run("tools/gateway.ts", {
    PORT: String(gatewayPort),
    WA_EDGE_DATA_DIR: gatewayData,
    WAHA_URL: simUrl,
    WAHA_API_KEY: secrets.apiKey,
    JWT_SECRET: secrets.jwt,
    HTTP_LOG: "none",
  });
  const link = await start.line(/Admin .*#token=/, 90_000);
  adminToken = link.split("#token=")[1] ?? "";
  await gateway.line(/^wa-edge on /, 90_000);
}, 120_000);

afterAll(() => {
  stop(start);
  stop(gateway);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A message of the demo without media: asking for its media cools the key down. */
async function noMediaUrl(base: string, token: string, number?: string): Promise<string> {
  // `npm start` serves two numbers: a chat-scoped call names its number there.
  const of = number === undefined ? "" : `number=${number}&`;
  const res = await fetch(`${base}/api/wa/messages?${of}jid=15550100001@c.us&limit=100`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const messages = (await res.json()) as Array<{ id: string; hasMedia: boolean }>;
  const plain = messages.find((m) => !m.hasMedia);
  if (!plain) throw new Error("the demo chat has no text message");
  return `${base}/api/wa/media?${of}jid=15550100001@c.us&id=${encodeURIComponent(plain.id)}`;
}

describe("npm start", () => {
  it("prints the Worker's request lines and [wa media] lines, as wrangler tail would", async () => {
    const res = await fetch(`${startUrl}/api/wa/chats`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    await start?.line(/^GET \/api\/wa\/chats 200 \d+ms/);
    const media = await fetch(await noMediaUrl(startUrl, adminToken, "sales"), {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(media.status).toBe(404);
    await start?.line(/^\[wa media\] cooldown key=/);
    expect(start?.out.some((l) => l.startsWith("[wrangler:info] GET"))).toBe(false);
  });

  it("leaves a secret that npm run token signs with, with nothing else set", async () => {
    const env: Record<string, string> = { ...process.env, WA_EDGE_DATA_DIR: startData } as Record<
      string,
      string
    >;
    delete env.JWT_SECRET;
    const minted = spawnSync(
      process.execPath,
      [path.resolve("tools/token.ts"), "--role", "agent", "--sub", "agent-1"],
      {
        encoding: "utf8",
        env,
        // Somewhere without a .dev.vars: the secret must come from npm start's data folder.
        cwd: tmpdir(),
      },
    );
    expect(minted.stderr).toBe("");
    expect(minted.status).toBe(0);
    const me = await fetch(`${startUrl}/api/me`, {
      headers: { Authorization: `Bearer ${minted.stdout.trim()}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: "agent-1", role: "agent" });
  });
});

describe("npm run gateway with HTTP_LOG=none", () => {
  it("prints no request lines but every [wa media] line", async () => {
    const token = adminToken;
    const media = await fetch(await noMediaUrl(gatewayUrl, token), {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(media.status).toBe(404);
    await gateway?.line(/^\[wa media\] cooldown key=/);
    expect(gateway?.out.some((l) => /^(GET|POST) \/api\//.test(l))).toBe(false);
  });
});
