/**
 * `npm run bench:realtime-steps`: what each step of a realtime connection costs the Worker
 * runtime, on 127.0.0.1 only. One gateway, straight to the runtime (past wrangler's dev
 * proxy); each step runs `BENCH_COUNT` times (default 1,000, 50 at once) as one user (an
 * agent, or `BENCH_AS=admin`), and the runtime process's CPU time (user + system, from
 * /proc) is divided by the count. A 404 and `GET /api/me` set the floor every request
 * pays. Stops what it started.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startStack } from "../tools/stack.ts";
import {
  closeAndWait,
  printRows,
  resumeSocket,
  runtimeUrl,
  workerdCpuMs,
} from "./realtime-wire.ts";

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const AT_ONCE = 50;
const AS = process.env.BENCH_AS === "admin" ? "admin" : "agent";

const stack = await startStack({
  port: Number(process.env.BENCH_PORT ?? 8793),
  seedSql: "INSERT INTO agents (id, name) VALUES ('bench-agent', 'Bench');",
  vars: { SOCKET_MAX_PER_USER: String(COUNT) },
});
let exitCode = 0;
try {
  const pgid = stack.gateway.child.pid ?? 0;
  const url = await runtimeUrl(pgid);
  const token = await stack.token(
    AS === "agent" ? { sub: "bench-agent", role: "agent" } : { sub: "admin", role: "admin" },
  );
  const auth = { Authorization: `Bearer ${token}` };
  const ticket = async () => {
    const res = await fetch(`${url}/api/realtime/ticket`, { method: "POST", headers: auth });
    if (res.status !== 200) throw new Error(`ticket: ${res.status} ${await res.text()}`);
    return (await res.json()) as { ticket: string; seq: number };
  };
  const opened = (ws: WebSocket) =>
    new Promise<WebSocket>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(ws), { once: true });
      ws.addEventListener("error", () => reject(new Error("a socket failed to open")), {
        once: true,
      });
    });
  // Warm the hub and the isolate before anything is counted.
  await ticket();
  await sleep(500);

  /** Runs `step` COUNT times, AT_ONCE at a time; the runtime's CPU per step, in ms. */
  async function cost<T>(step: (i: number) => Promise<T>): Promise<{ ms: number; out: T[] }> {
    const before = (await workerdCpuMs(pgid)).worker;
    const out: T[] = [];
    for (let i = 0; i < COUNT; i += AT_ONCE) {
      const batch = Array.from({ length: Math.min(AT_ONCE, COUNT - i) }, (_, j) => step(i + j));
      out.push(...(await Promise.all(batch)));
    }
    return { ms: ((await workerdCpuMs(pgid)).worker - before) / COUNT, out };
  }

  const notFound = await cost(() => fetch(`${url}/no-such-path`).then((r) => r.arrayBuffer()));
  const me = await cost(() =>
    fetch(`${url}/api/me`, { headers: auth }).then((r) => r.arrayBuffer()),
  );
  const tickets = await cost(() => ticket());
  const upgrades = await cost((i) => {
    const t = tickets.out[i];
    const query = `ticket=${t?.ticket}&since=${t?.seq}`;
    const ws = new WebSocket(`${url.replace("http", "ws")}/api/realtime?${query}`);
    return opened(ws);
  });
  const closes = await cost((i) => closeAndWait(upgrades.out[i] as WebSocket));
  const since = tickets.out[0]?.seq ?? 0;
  const resumed = await cost(() => resumeSocket(url, token, since));
  await cost((i) => closeAndWait(resumed.out[i] as WebSocket));
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  printRows(
    `bench:realtime-steps (Worker runtime CPU per step, ${COUNT} of each, as ${AS === "agent" ? "an agent" : "an admin"})`,
    [
      ["a 404 (the floor of any request)", ms(notFound.ms)],
      ["GET /api/me (signed in)", ms(me.ms)],
      ["POST /api/realtime/ticket", ms(tickets.ms)],
      ["the upgrade with that ticket", ms(upgrades.ms)],
      ["a socket's close", ms(closes.ms)],
      [
        "a reconnect with a ticket (ticket + upgrade + close)",
        ms(tickets.ms + upgrades.ms + closes.ms),
      ],
      ["the upgrade signed in on itself (no ticket)", ms(resumed.ms)],
      ["a reconnect that way (upgrade + close)", ms(resumed.ms + closes.ms)],
    ],
  );
} catch (err) {
  console.error(`bench:realtime-steps: ${err instanceof Error ? err.stack : String(err)}`);
  exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
