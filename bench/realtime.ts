/**
 * `npm run bench:realtime`: realtime fan-out on 127.0.0.1 only. Starts the WAHA
 * simulator and one gateway, opens 1,000 WebSockets (staff and agents), posts 100 signed
 * webhooks, and prints deliveries against what each socket should get, webhook-to-socket
 * latency and workerd's memory with the sockets idle. Halfway through, every socket is
 * closed and opened again with `since` (the last seq it saw), as the inbox reopens it (one
 * upgrade signed in by its token, no ticket), while webhooks keep coming: the replay must
 * leave no event missing and none twice. `BENCH_DIRECT=1` goes past wrangler's dev proxy,
 * straight to the Worker runtime; `BENCH_RECONNECT=0` leaves the reconnect out. Stops what
 * it started.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Role } from "../src/lib/types.ts";
import { type Stack, startStack } from "../tools/stack.ts";
import { groupRss, percentile } from "./load.ts";
import {
  closeAndWait,
  memoryRows,
  pct,
  postWebhook,
  printRows,
  reconnectAll,
  reconnectRows,
  resumeSocket,
  runtimeUrl,
  splitRows,
  workerdSplit,
} from "./realtime-wire.ts";

/** `BENCH_NUMBERS=5` (or `-- --numbers 5`): several numbers at once, realtime-numbers.ts. */
const numbersAt = process.argv.indexOf("--numbers");
const NUMBERS = Number(
  (numbersAt >= 0 ? process.argv[numbersAt + 1] : undefined) ?? process.env.BENCH_NUMBERS ?? 1,
);
if (NUMBERS > 1) {
  const { benchNumbers } = await import("./realtime-numbers.ts");
  process.exit(await benchNumbers(NUMBERS));
}

const PORT = Number(process.env.BENCH_PORT ?? 8792);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const EVENTS = 100;
const AGENTS = 10;
/** One in ten sockets is staff (admin or user), who get every event. */
const STAFF_EVERY = 10;
const SESSION_EVENTS = ["STARTING", "SCAN_QR_CODE", "FAILED", "STOPPED", "WORKING"] as const;
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 3_000);
/** `BENCH_RECONNECT=0`: no mid-run reconnect, as the bench ran before it had one. */
const RECONNECT = process.env.BENCH_RECONNECT !== "0";
const DEADLINE_MS = 240_000;

const agentId = (i: number) => `bench-agent-${i}`;
const chatOf = (i: number) => `1555777000${i}@c.us`;

let stack: Stack | undefined;
const sockets: WebSocket[] = [];
const stopAll = () => {
  for (const ws of sockets) ws.close();
  void stack?.stop();
};
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});
setTimeout(() => {
  console.error(`bench:realtime: gave up after ${DEADLINE_MS / 1000} s`);
  stopAll();
  process.exit(1);
}, DEADLINE_MS).unref();

interface Client {
  role: Role;
  agent: string | null;
  /** Event keys received (message id or session:STATUS). */
  got: Set<string>;
  duplicates: number;
  misrouted: number;
  /** Close code if the socket closed during the run. */
  closedWith: number | null;
  /** The last seq this client saw, for reconnecting with `since`. */
  lastSeq: number;
  ws: WebSocket | null;
  index: number;
  /** When its socket last reopened: a frame of an earlier webhook was missed while away. */
  openedAt: number;
}

const sentAt = new Map<string, number>();
const ownerOfChat = new Map<string, string>();
const latencies: number[] = [];
/** Each delivery's latency by event key, and which deliveries came while sockets reconnected. */
const byKey = new Map<string, number[]>();
const duringReconnect: number[] = [];
const outsideReconnect: number[] = [];
let reconnectWindow = false;
const away: number[] = [];
const live: number[] = [];
const upgrades: number[] = [];

function onFrame(client: Client, data: unknown): void {
  const now = performance.now();
  if (typeof data !== "string" || !data.startsWith("{")) return;
  const frame = JSON.parse(data) as {
    type: string;
    status?: string;
    jid?: string;
    message?: { id: string };
    seq?: number;
  };
  if (typeof frame.seq === "number") client.lastSeq = Math.max(client.lastSeq, frame.seq);
  const key =
    frame.type === "message.new"
      ? frame.message?.id
      : frame.type === "session.status"
        ? `session:${frame.status}`
        : undefined;
  if (key === undefined) return;
  const t0 = sentAt.get(key);
  if (t0 !== undefined) {
    latencies.push(now - t0);
    const seen = byKey.get(key);
    if (seen) seen.push(now - t0);
    else byKey.set(key, [now - t0]);
    (reconnectWindow ? duringReconnect : outsideReconnect).push(now - t0);
    (client.openedAt > t0 ? away : live).push(now - t0);
  }
  if (client.got.has(key)) client.duplicates++;
  client.got.add(key);
  if (
    client.agent !== null &&
    frame.jid !== undefined &&
    ownerOfChat.get(frame.jid) !== client.agent
  ) {
    client.misrouted++;
  }
}

async function openClient(url: string, tokens: Map<string, string>, i: number): Promise<Client> {
  const staff = i % STAFF_EVERY === 0;
  const role: Role = staff ? (i % (2 * STAFF_EVERY) === 0 ? "admin" : "user") : "agent";
  const agent = staff ? null : agentId(Math.floor(i / STAFF_EVERY) % AGENTS);
  const sub = agent ?? role;
  const res = await fetch(`${url}/api/realtime/ticket`, {
    method: "POST",
    headers: { Authorization: `Bearer ${tokens.get(sub)}` },
  });
  if (res.status !== 200) throw new Error(`ticket ${i}: ${res.status} ${await res.text()}`);
  const { ticket, seq } = (await res.json()) as { ticket: string; seq: number };
  const client: Client = {
    role,
    agent,
    got: new Set(),
    duplicates: 0,
    misrouted: 0,
    closedWith: null,
    lastSeq: seq,
    ws: null,
    index: i,
    openedAt: 0,
  };
  const ws = new WebSocket(
    `${url.replace("http", "ws")}/api/realtime?ticket=${ticket}&since=${seq}`,
  );
  client.ws = ws;
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`socket ${i} failed to open`)), {
      once: true,
    });
  });
  ws.addEventListener("message", (event) => onFrame(client, event.data));
  ws.addEventListener("close", (event) => {
    if (client.ws === ws && event.code !== 1000) client.closedWith = event.code;
  });
  return client;
}

/**
 * Closes a client's socket and opens a new one that asks for what it missed, as the inbox
 * reconnects: one upgrade that signs in by itself (the token as a subprotocol), no ticket.
 */
async function reconnect(url: string, tokens: Map<string, string>, client: Client): Promise<void> {
  await closeAndWait(client.ws);
  const t0 = performance.now();
  const ws = await resumeSocket(url, tokens.get(client.agent ?? client.role) ?? "", client.lastSeq);
  upgrades.push(performance.now() - t0);
  client.ws = ws;
  client.openedAt = performance.now();
  sockets.push(ws);
  ws.addEventListener("message", (event) => onFrame(client, event.data));
  ws.addEventListener("close", (event) => {
    if (client.ws === ws && event.code !== 1000) client.closedWith = event.code;
  });
}

try {
  const seed = Array.from({ length: AGENTS }, (_, i) => {
    ownerOfChat.set(chatOf(i), agentId(i));
    // Chats already owned and already answered: the run measures fan-out, not auto-assign.
    return (
      `INSERT INTO agents (id, name) VALUES ('${agentId(i)}', 'Agent ${i}'); ` +
      `INSERT INTO chat_assignments (jid, assigned_to, first_message_at) VALUES ('${chatOf(i)}', '${agentId(i)}', '2024-01-01T00:00:00.000Z');`
    );
  }).join(" ");
  // A dozen users hold all the sockets here (a thousand browsers' worth of load, not a
  // thousand people), so the per-user socket cap is lifted to the client count.
  stack = await startStack({
    port: PORT,
    seedSql: seed,
    vars: { SOCKET_MAX_PER_USER: String(CLIENTS) },
  });
  const { gateway } = stack;
  const hmacKey = stack.secrets.hmac;
  const pgid = gateway.child.pid ?? 0;
  // BENCH_DIRECT=1: past wrangler's dev proxy, straight to the Worker runtime.
  const url = process.env.BENCH_DIRECT === "1" ? await runtimeUrl(pgid) : gateway.url;
  const tokens = new Map<string, string>();
  for (const sub of ["admin", "user", ...Array.from({ length: AGENTS }, (_, i) => agentId(i))]) {
    const role: Role = sub === "admin" || sub === "user" ? sub : "agent";
    tokens.set(sub, await stack.token({ sub, role }));
  }
  // Warm the hub and the webhook path, then take the baseline.
  await postWebhook(url, hmacKey, "session.status", { name: "default", status: "WORKING" });
  await sleep(IDLE_MS);
  const rssBefore = await groupRss(pgid);
  const splitBefore = await workerdSplit(pgid);

  const connectStart = performance.now();
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i += 50) {
    const batch = Array.from({ length: Math.min(50, CLIENTS - i) }, (_, j) =>
      openClient(url, tokens, i + j),
    );
    clients.push(...(await Promise.all(batch)));
  }
  const connectSeconds = (performance.now() - connectStart) / 1000;
  await sleep(IDLE_MS);
  const rssIdle = await groupRss(pgid);
  const splitIdle = await workerdSplit(pgid);

  // 100 events: chat messages round the 10 chats, with a session change every 20th.
  const expected = new Map<Client, Set<string>>(clients.map((c) => [c, new Set()]));
  const statuses: number[] = [];
  // This process receives every frame: its own stalls count in every latency it measures.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const sendStart = performance.now();
  let reconnecting: Promise<void> | null = null;
  let reconnectStats = { windowMs: 0, cpuMs: { worker: 0, proxy: 0, bench: 0 } };
  for (let n = 0; n < EVENTS; n++) {
    if (n === EVENTS / 2 && RECONNECT) {
      // Every socket drops and comes back, in batches, while the webhooks go on.
      reconnectWindow = true;
      reconnecting = reconnectAll(pgid, clients, (c) => reconnect(url, tokens, c)).then((stats) => {
        reconnectWindow = false;
        reconnectStats = stats;
      });
    }
    const sessionSlot = n % 20 === 19 ? SESSION_EVENTS[Math.floor(n / 20)] : undefined;
    if (sessionSlot) {
      const key = `session:${sessionSlot}`;
      for (const set of expected.values()) set.add(key);
      sentAt.set(key, performance.now());
      statuses.push(
        await postWebhook(url, hmacKey, "session.status", { name: "default", status: sessionSlot }),
      );
      continue;
    }
    const chat = chatOf(n % AGENTS);
    const id = `false_${chat}_3EB0BENCH${String(n).padStart(11, "0")}`;
    for (const [client, set] of expected) {
      if (client.agent === null || client.agent === ownerOfChat.get(chat)) set.add(id);
    }
    sentAt.set(id, performance.now());
    statuses.push(
      await postWebhook(url, hmacKey, "message", {
        id,
        timestamp: Math.floor(Date.now() / 1000),
        from: chat,
        fromMe: false,
        to: "15550000000@c.us",
        body: `bench message ${n}`,
        hasMedia: false,
        ack: 1,
        ackName: "SERVER",
      }),
    );
  }
  const sendSeconds = (performance.now() - sendStart) / 1000;
  await reconnecting;
  loopDelay.disable();

  const want = [...expected.values()].reduce((sum, set) => sum + set.size, 0);
  const delivered = () => clients.reduce((sum, c) => sum + c.got.size, 0);
  const waitUntil = performance.now() + 30_000;
  while (delivered() < want && performance.now() < waitUntil) await sleep(50);

  let missing = 0;
  for (const [client, set] of expected) for (const key of set) if (!client.got.has(key)) missing++;
  const duplicates = clients.reduce((sum, c) => sum + c.duplicates, 0);
  const misrouted = clients.reduce((sum, c) => sum + c.misrouted, 0);
  latencies.sort((a, b) => a - b);
  const accepted = statuses.filter((s) => s === 200).length;
  const staffCount = clients.filter((c) => c.agent === null).length;
  const closes = new Map<number, number>();
  for (const c of clients) {
    if (c.closedWith !== null) closes.set(c.closedWith, (closes.get(c.closedWith) ?? 0) + 1);
  }
  const closed = [...closes].map(([code, n]) => `${n} with ${code}`).join(", ") || "none";

  const p = pct;
  const sessionLat = [...byKey].filter(([k]) => k.startsWith("session:")).flatMap(([, v]) => v);
  const messageLat = [...byKey].filter(([k]) => !k.startsWith("session:")).flatMap(([, v]) => v);
  // The first socket to hear of an event measures the road to the hub; the last, the fan-out.
  const firsts = [...byKey.values()].map((v) => Math.min(...v));
  const spreads = [...byKey.values()].map((v) => Math.max(...v) - Math.min(...v));
  const rows: Array<[string, string]> = [
    [
      "clients",
      `${clients.length} (${staffCount} staff, ${clients.length - staffCount} agents over ${AGENTS} ids)`,
    ],
    ["connect (ticket + upgrade)", `${connectSeconds.toFixed(1)} s`],
    [
      "webhooks accepted",
      `${accepted}/${EVENTS} in ${sendSeconds.toFixed(1)} s (sent one after another)`,
    ],
    [
      "deliveries",
      `${delivered()}/${want} expected (missing ${missing}, duplicate ${duplicates}, to the wrong agent ${misrouted})`,
    ],
    ["sockets closed during the run", closed],
    [
      "reconnected once with since, mid-run",
      RECONNECT
        ? `${clients.length} of ${clients.length} (one upgrade each, signed in on it: no ticket)`
        : "no (BENCH_RECONNECT=0)",
    ],
    ["webhook → socket p50", `${percentile(latencies, 50).toFixed(1)} ms`],
    ["webhook → socket p99", `${percentile(latencies, 99).toFixed(1)} ms`],
    [
      "  chat messages (staff + owner)",
      `p50 ${p(messageLat, 50)} ms, p99 ${p(messageLat, 99)} ms (${messageLat.length})`,
    ],
    [
      "  session.status (every socket)",
      `p50 ${p(sessionLat, 50)} ms, p99 ${p(sessionLat, 99)} ms (${sessionLat.length})`,
    ],
    ...splitRows({ duringReconnect, outsideReconnect, firsts, spreads, loopDelay }),
    ...reconnectRows({ ...reconnectStats, upgrades, live, away }),
    ...memoryRows({ sockets: clients.length, rssBefore, rssIdle, splitBefore, splitIdle }),
  ];
  printRows("bench:realtime (127.0.0.1, one gateway, local workerd)", rows);
  stopAll();
  process.exit(missing === 0 && misrouted === 0 && accepted === EVENTS ? 0 : 1);
} catch (err) {
  console.error(`bench:realtime: ${err instanceof Error ? err.stack : String(err)}`);
  stopAll();
  process.exit(1);
}
