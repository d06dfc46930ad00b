/**
 * What the realtime benches share: a signed WAHA webhook posted to the gateway (one
 * number's path or the default one), a socket reopened as the inbox reopens it, and
 * workerd's memory and CPU, split between the Worker's runtime and the dev proxy in front.
 */

import type { monitorEventLoopDelay } from "node:perf_hooks";
import { signWebhook } from "../tools/waha-sim/webhook.ts";
import { groupProcesses, percentile } from "./load.ts";

function webhookBody(event: string, payload: unknown): string {
  return JSON.stringify({
    id: `evt_${crypto.randomUUID()}`,
    session: "default",
    event,
    payload,
    engine: "WEBJS",
  });
}

/** Posts one webhook signed with `hmacKey`; `number` picks `/api/waha/webhook/{number}`. */
export async function postWebhook(
  url: string,
  hmacKey: string,
  event: string,
  payload: unknown,
  number?: string,
): Promise<number> {
  const body = webhookBody(event, payload);
  const res = await fetch(`${url}/api/waha/webhook${number ? `/${number}` : ""}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Webhook-Hmac": signWebhook(body, hmacKey),
      "X-Webhook-Hmac-Algorithm": "sha512",
      "X-Webhook-Request-Id": `req_${crypto.randomUUID()}`,
      "X-Webhook-Timestamp": String(Date.now()),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * A socket reopened as the inbox reopens one: one upgrade that signs in by itself (the
 * token as the subprotocol `bearer.<token>` next to `wa-edge`), asking for what came after
 * `since`. Resolves once it is open.
 */
export async function resumeSocket(
  url: string,
  token: string,
  since: number,
  number?: string,
): Promise<WebSocket> {
  const query = `since=${since}${number === undefined ? "" : `&number=${number}`}`;
  const ws = new WebSocket(`${url.replace("http", "ws")}/api/realtime?${query}`, [
    "wa-edge",
    `bearer.${token}`,
  ]);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`a socket failed to reopen`)), {
      once: true,
    });
  });
  return ws;
}

/** Closes a socket (if any) with 1000 and waits for the close to finish. */
export async function closeAndWait(ws: WebSocket | null): Promise<void> {
  if (!ws) return;
  const closed = new Promise<void>((resolve) =>
    ws.addEventListener("close", () => resolve(), { once: true }),
  );
  ws.close(1000, "reconnecting");
  await closed;
}

/** CPU time (user + system, ms) workerd has used so far: the Worker runtime and the dev proxy. */
export async function workerdCpuMs(pgid: number): Promise<{ worker: number; proxy: number }> {
  const { readFile } = await import("node:fs/promises");
  const used = { worker: 0, proxy: 0 };
  for (const p of await groupProcesses(pgid)) {
    const stat = await readFile(`/proc/${p.pid}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second).
    const ms = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
    used[p.publicPort ? "proxy" : "worker"] += ms;
  }
  return used;
}

/** CPU ms so far: workerd's two processes and this one (which receives every frame). */
async function cpuNow(pgid: number): Promise<{ worker: number; proxy: number; bench: number }> {
  const own = process.cpuUsage();
  return { ...(await workerdCpuMs(pgid)), bench: (own.user + own.system) / 1000 };
}

/**
 * The mid-run reconnect both runs make: every socket drops and comes back, 50 at once,
 * while the webhooks go on. Resolves with how long it took and the CPU it cost.
 */
export async function reconnectAll<T>(
  pgid: number,
  sockets: readonly T[],
  reconnect: (socket: T) => Promise<void>,
): Promise<{ windowMs: number; cpuMs: { worker: number; proxy: number; bench: number } }> {
  const windowStart = performance.now();
  const start = await cpuNow(pgid);
  for (let i = 0; i < sockets.length; i += 50) {
    await Promise.all(sockets.slice(i, i + 50).map(reconnect));
  }
  const end = await cpuNow(pgid);
  return {
    windowMs: performance.now() - windowStart,
    cpuMs: {
      worker: end.worker - start.worker,
      proxy: end.proxy - start.proxy,
      bench: end.bench - start.bench,
    },
  };
}

/** The mid-run reconnect: how long it took, each upgrade, and how busy it kept the runtime. */
export function reconnectRows(r: {
  windowMs: number;
  /** CPU ms during the reconnect: the Worker runtime, the dev proxy, this bench's process. */
  cpuMs: { worker: number; proxy: number; bench: number };
  upgrades: number[];
  live: number[];
  away: number[];
}): Array<[string, string]> {
  const busy = (ms: number) =>
    `${r.windowMs > 0 ? Math.round((100 * ms) / r.windowMs) : 0}% (${(ms / 1000).toFixed(1)} CPU-s)`;
  return [
    [
      "  the reconnect itself",
      `${(r.windowMs / 1000).toFixed(1)} s, upgrade p50 ${pct(r.upgrades, 50)} ms, p99 ${pct(r.upgrades, 99)} ms`,
    ],
    [
      "  busy during it",
      `the Worker runtime ${busy(r.cpuMs.worker)}, wrangler's dev proxy ${busy(r.cpuMs.proxy)}, this bench ${busy(r.cpuMs.bench)}`,
    ],
    [
      "  frames sent to an open socket",
      `p50 ${pct(r.live, 50)} ms, p99 ${pct(r.live, 99)} ms (${r.live.length})`,
    ],
    [
      "  frames a socket missed while away",
      `p50 ${pct(r.away, 50)} ms, p99 ${pct(r.away, 99)} ms (${r.away.length}, replayed on its return)`,
    ],
  ];
}

/** workerd memory split between the Worker's runtime and the dev proxy in front of it. */
export async function workerdSplit(pgid: number): Promise<{ worker: number; proxy: number }> {
  let worker = 0;
  let proxy = 0;
  for (const p of await groupProcesses(pgid)) {
    if (p.publicPort) proxy += p.rss;
    else worker += p.rss;
  }
  return { worker, proxy };
}

/**
 * Files workerd holds open, split the same way: every relayed socket costs the dev proxy
 * about four and the runtime about two, against the process's open-files limit.
 */
export async function workerdFiles(pgid: number): Promise<{ worker: number; proxy: number }> {
  const { readdir } = await import("node:fs/promises");
  let worker = 0;
  let proxy = 0;
  for (const p of await groupProcesses(pgid)) {
    const open = (await readdir(`/proc/${p.pid}/fd`).catch(() => [])).length;
    if (p.publicPort) proxy += open;
    else worker += open;
  }
  return { worker, proxy };
}

/**
 * The Worker runtime's own address, behind wrangler's dev proxy: the listening socket of the
 * group's runtime process that answers /api/health. Going there skips the proxy's relay
 * (and its open files), as a deployed Worker has no such proxy.
 */
export async function runtimeUrl(pgid: number): Promise<string> {
  const { readdir, readFile, readlink } = await import("node:fs/promises");
  const inodes = new Set<string>();
  for (const p of await groupProcesses(pgid)) {
    if (p.publicPort) continue;
    for (const fd of await readdir(`/proc/${p.pid}/fd`)) {
      const link = await readlink(`/proc/${p.pid}/fd/${fd}`).catch(() => "");
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode) inodes.add(inode);
    }
  }
  const table = await readFile("/proc/net/tcp", "utf8");
  for (const line of table.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    // Listening (state 0A) on 127.0.0.1 and held by the runtime.
    if (cols[3] !== "0A" || !cols[1]?.startsWith("0100007F:") || !inodes.has(cols[9] ?? "")) {
      continue;
    }
    const url = `http://127.0.0.1:${Number.parseInt(cols[1].slice(9), 16)}`;
    const res = await fetch(`${url}/api/health`).catch(() => null);
    const body = res ? await res.text() : "";
    if (res && (res.status === 200 || res.status === 503) && body.includes('"config"')) return url;
  }
  throw new Error("the Worker runtime's own address was not found");
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A figure of latencies: "–" when there are none. */
export function pct(xs: number[], q: number): string {
  return xs.length === 0
    ? "–"
    : percentile(
        [...xs].sort((a, b) => a - b),
        q,
      ).toFixed(1);
}

/** Where the time went, as both runs print it. */
export function splitRows(t: {
  duringReconnect: number[];
  outsideReconnect: number[];
  firsts: number[];
  spreads: number[];
  loopDelay: ReturnType<typeof monitorEventLoopDelay>;
}): Array<[string, string]> {
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  return [
    [
      "  while sockets reconnected",
      `p50 ${pct(t.duringReconnect, 50)} ms, p99 ${pct(t.duringReconnect, 99)} ms (${t.duringReconnect.length})`,
    ],
    [
      "  the rest of the run",
      `p50 ${pct(t.outsideReconnect, 50)} ms, p99 ${pct(t.outsideReconnect, 99)} ms (${t.outsideReconnect.length})`,
    ],
    ["  first socket per event", `p50 ${pct(t.firsts, 50)} ms, max ${pct(t.firsts, 100)} ms`],
    [
      "  first → last socket per event",
      `p50 ${pct(t.spreads, 50)} ms, max ${pct(t.spreads, 100)} ms`,
    ],
    [
      "  the bench client's own stalls",
      `event-loop delay p50 ${ms(t.loopDelay.percentile(50))} ms, p99 ${ms(t.loopDelay.percentile(99))} ms, max ${ms(t.loopDelay.max)} ms`,
    ],
  ];
}

/** workerd's memory before the sockets and with them idle, as both runs print it. */
export function memoryRows(m: {
  sockets: number;
  rssBefore: number;
  rssIdle: number;
  splitBefore: { worker: number; proxy: number };
  splitIdle: { worker: number; proxy: number };
}): Array<[string, string]> {
  const perSocket = (m.rssIdle - m.rssBefore) / 1024 / m.sockets;
  return [
    ["workerd RSS before sockets", mb(m.rssBefore)],
    [
      `workerd RSS, ${m.sockets} sockets idle`,
      `${mb(m.rssIdle)} (+${perSocket.toFixed(1)} KB a socket)`,
    ],
    ["  of which the Worker's runtime", `${mb(m.splitBefore.worker)} → ${mb(m.splitIdle.worker)}`],
    ["  of which wrangler's dev proxy", `${mb(m.splitBefore.proxy)} → ${mb(m.splitIdle.proxy)}`],
  ];
}

/** The rows under a title, keys padded to one width. */
export function printRows(title: string, rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}\n`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log("");
}
