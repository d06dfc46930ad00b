/**
 * `BENCH_NUMBERS=5 npm run bench:realtime`: realtime fan-out with several WhatsApp numbers
 * (WAHA_NUMBERS, one simulator each, one hub each) on 127.0.0.1. Each number gets 1,000
 * WebSockets: staff (one socket per number, as their browser opens), agents working that
 * number alone, and agents working two numbers (a socket on each). The same chat ids exist
 * on every number with a different owner on each, so a frame that crosses numbers shows.
 * Webhooks go to each number's own path; every delivery is checked against who may see it.
 * Halfway through, every socket drops and comes back with `since`. Stops what it started.
 */
import { readFileSync } from "node:fs";
import { freemem } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Role } from "../src/lib/types.ts";
import { numberKeys, type SimNumber, type Stack, startStack } from "../tools/stack.ts";
import { groupRss } from "./load.ts";
import {
  AGENTS,
  CHATS,
  chatOf,
  DUAL,
  holder,
  numberId,
  plan,
  soloAgent,
} from "./realtime-numbers-plan.ts";
import {
  closeAndWait,
  mb,
  memoryRows,
  pct,
  postWebhook,
  printRows,
  reconnectAll,
  resumeSocket,
  runtimeUrl,
  splitRows,
  workerdFiles,
  workerdSplit,
} from "./realtime-wire.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8792);
/** Sockets per number. */
const PER_NUMBER = Number(process.env.BENCH_CLIENTS ?? 1000);
/** Webhooks per number. */
const EVENTS = 100;
const SESSION_EVENTS = ["STARTING", "SCAN_QR_CODE", "FAILED", "STOPPED", "WORKING"] as const;
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 3_000);
const DEADLINE_MS = 600_000;
/** No more sockets are opened once the machine has less memory than this available. */
const MEMORY_FLOOR = 2 * 1024 ** 3;
interface Sock {
  number: string;
  slot: number;
  role: Role;
  agent: string | null;
  got: Set<string>;
  duplicates: number;
  misrouted: number;
  closedWith: number | null;
  lastSeq: number;
  ws: WebSocket | null;
}

/** This process's open-files limit, which workerd inherits. */
function openFilesLimit(): string {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    return /Max open files\s+(\d+)/.exec(limits)?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

export async function benchNumbers(count: number): Promise<number> {
  const ids = Array.from({ length: count }, (_, k) => numberId(k));
  const { owners, works, seed } = plan(count);

  let stack: Stack | undefined;
  const all: Sock[] = [];
  const stopAll = async () => {
    for (const s of all) s.ws?.close();
    await stack?.stop();
  };
  process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
  setTimeout(() => {
    console.error(`bench:realtime: gave up after ${DEADLINE_MS / 1000} s`);
    void stopAll().then(() => process.exit(1));
  }, DEADLINE_MS).unref();

  const sentAt = new Map<string, number>();
  const byKey = new Map<string, number[]>();
  const latByNumber = new Map<string, number[]>(ids.map((id) => [id, []]));
  const duringReconnect: number[] = [];
  const outsideReconnect: number[] = [];
  let reconnectWindow = false;

  const onFrame = (s: Sock, data: unknown) => {
    const now = performance.now();
    if (typeof data !== "string" || !data.startsWith("{")) return;
    const frame = JSON.parse(data) as {
      type: string;
      number?: string;
      status?: string;
      jid?: string;
      message?: { id: string };
      seq?: number;
    };
    if (typeof frame.seq === "number") s.lastSeq = Math.max(s.lastSeq, frame.seq);
    // A frame of another number, or of a chat this agent does not own on this number.
    if (
      frame.number !== s.number ||
      (s.agent !== null &&
        frame.jid !== undefined &&
        owners.get(`${s.number} ${frame.jid}`) !== s.agent)
    ) {
      s.misrouted++;
    }
    const event =
      frame.type === "message.new"
        ? frame.message?.id
        : frame.type === "session.status"
          ? `session:${frame.status}`
          : undefined;
    if (event === undefined) return;
    const key = `${frame.number} ${event}`;
    const t0 = sentAt.get(key);
    if (t0 === undefined) return;
    const ms = now - t0;
    const seen = byKey.get(key);
    if (seen) seen.push(ms);
    else byKey.set(key, [ms]);
    latByNumber.get(s.number)?.push(ms);
    (reconnectWindow ? duringReconnect : outsideReconnect).push(ms);
    if (s.got.has(key)) s.duplicates++;
    s.got.add(key);
  };

  try {
    const numbers: SimNumber[] = ids.map((id) => ({
      id,
      name: id,
      tier: "CORE",
      engine: "WEBJS",
      session: "default",
      demo: "basic",
    }));
    stack = await startStack({
      port: PORT,
      numbers,
      seedSql: seed,
      logLevel: process.env.BENCH_LOG === "warn" ? "warn" : "error",
      vars: { SOCKET_MAX_PER_USER: String(PER_NUMBER) },
    });
    const pgid = stack.gateway.child.pid ?? 0;
    // BENCH_DIRECT=1: past wrangler's dev proxy, straight to the Worker runtime.
    const direct = process.env.BENCH_DIRECT === "1";
    const url = direct ? await runtimeUrl(pgid) : stack.gateway.url;
    const secrets = stack.secrets;
    const hmacOf = new Map(ids.map((id, k) => [id, numberKeys(secrets, k, id).hmac]));
    const tokens = new Map<string, string>();
    for (const sub of ["admin", "user", ...works.keys()]) {
      const role: Role = sub === "admin" || sub === "user" ? sub : "agent";
      tokens.set(sub, await stack.token({ sub, role }));
    }
    const ticket = async (sub: string, number: string) => {
      const res = await fetch(`${url}/api/realtime/ticket`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens.get(sub)}`, "Content-Type": "application/json" },
        body: JSON.stringify({ number }),
      });
      return res;
    };
    const open = async (s: Sock) => {
      const res = await ticket(s.agent ?? s.role, s.number);
      if (res.status !== 200) {
        throw new Error(`ticket ${s.number}/${s.slot}: ${res.status} ${await res.text()}`);
      }
      const issued = (await res.json()) as { ticket: string; seq: number };
      if (s.ws === null) s.lastSeq = issued.seq;
      const ws = new WebSocket(
        `${url.replace("http", "ws")}/api/realtime?ticket=${issued.ticket}&since=${s.lastSeq}`,
      );
      await new Promise<void>((resolve, reject) => {
        ws.addEventListener("open", () => resolve(), { once: true });
        ws.addEventListener("error", () => reject(new Error(`socket ${s.slot} failed`)), {
          once: true,
        });
      });
      watch(s, ws);
    };
    const watch = (s: Sock, ws: WebSocket) => {
      s.ws = ws;
      ws.addEventListener("message", (event) => onFrame(s, event.data));
      ws.addEventListener("close", (event) => {
        if (s.ws === ws && event.code !== 1000) s.closedWith = event.code;
      });
    };
    // As the inbox reopens a socket: one upgrade signed in by its token, no ticket.
    const reconnect = async (s: Sock) => {
      await closeAndWait(s.ws);
      watch(s, await resumeSocket(url, tokens.get(s.agent ?? s.role) ?? "", s.lastSeq, s.number));
    };

    // An agent asking for a number it does not work is refused (403), before any socket.
    const solo = ids.map((_, k) => soloAgent(k, 0));
    let refused = 0;
    for (const [k, agent] of solo.entries()) {
      const res = await ticket(agent, numberId((k + 1) % count));
      await res.arrayBuffer();
      if (res.status === 403) refused++;
    }

    // Warm every hub and webhook path, then take the baseline.
    for (const id of ids) {
      await postWebhook(
        url,
        hmacOf.get(id) ?? "",
        "session.status",
        { name: "default", status: "WORKING" },
        id,
      );
    }
    await sleep(IDLE_MS);
    const rssBefore = await groupRss(pgid);
    const splitBefore = await workerdSplit(pgid);
    const freeBefore = freemem();

    const connectStart = performance.now();
    const specs: Sock[] = [];
    for (let slot = 0; slot < PER_NUMBER; slot++) {
      for (let k = 0; k < count; k++) {
        specs.push({
          number: numberId(k),
          slot,
          ...holder(k, slot, count),
          got: new Set(),
          duplicates: 0,
          misrouted: 0,
          closedWith: null,
          lastSeq: 0,
          ws: null,
        });
      }
    }
    let stoppedForMemory = false;
    for (let i = 0; i < specs.length; i += 50) {
      if (freemem() < MEMORY_FLOOR) {
        stoppedForMemory = true;
        break;
      }
      const batch = specs.slice(i, i + 50);
      await Promise.all(batch.map(open));
      all.push(...batch);
    }
    const connectSeconds = (performance.now() - connectStart) / 1000;
    await sleep(IDLE_MS);
    const rssIdle = await groupRss(pgid);
    const splitIdle = await workerdSplit(pgid);
    const freeIdle = freemem();
    const files = await workerdFiles(pgid);

    // EVENTS rounds; in each, every number gets one webhook (all at once): a message round
    // that number's chats, or every 20th a session change.
    const expected = new Map<Sock, Set<string>>(all.map((s) => [s, new Set()]));
    const statuses: number[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const sendStart = performance.now();
    let reconnecting: Promise<void> | null = null;
    for (let n = 0; n < EVENTS; n++) {
      if (n === EVENTS / 2) {
        reconnectWindow = true;
        reconnecting = reconnectAll(pgid, all, reconnect).then(() => {
          reconnectWindow = false;
        });
      }
      const session = n % 20 === 19 ? SESSION_EVENTS[Math.floor(n / 20)] : undefined;
      const sent = ids.map((id, k) => {
        const hmac = hmacOf.get(id) ?? "";
        if (session) {
          const key = `${id} session:${session}`;
          for (const [s, set] of expected) if (s.number === id) set.add(key);
          sentAt.set(key, performance.now());
          const payload = { name: "default", status: session };
          return postWebhook(url, hmac, "session.status", payload, id);
        }
        const j = (n + k) % CHATS;
        const chat = chatOf(j);
        const msg = `false_${chat}_3EB0B${String(k).padStart(2, "0")}${String(n).padStart(10, "0")}`;
        const key = `${id} ${msg}`;
        const owner = owners.get(`${id} ${chat}`);
        for (const [s, set] of expected) {
          if (s.number === id && (s.agent === null || s.agent === owner)) set.add(key);
        }
        sentAt.set(key, performance.now());
        const payload = {
          id: msg,
          timestamp: Math.floor(Date.now() / 1000),
          from: chat,
          fromMe: false,
          to: "15550000000@c.us",
          body: `bench message ${n} to ${id}`,
          hasMedia: false,
          ack: 1,
          ackName: "SERVER",
        };
        return postWebhook(url, hmac, "message", payload, id);
      });
      statuses.push(...(await Promise.all(sent)));
    }
    const sendSeconds = (performance.now() - sendStart) / 1000;
    await reconnecting;
    loopDelay.disable();

    const want = [...expected.values()].reduce((sum, set) => sum + set.size, 0);
    const delivered = () => all.reduce((sum, s) => sum + s.got.size, 0);
    const waitUntil = performance.now() + 60_000;
    while (delivered() < want && performance.now() < waitUntil) await sleep(50);

    const perNumber = new Map(ids.map((id) => [id, { want: 0, got: 0, missing: 0 }]));
    let missing = 0;
    for (const [s, set] of expected) {
      const row = perNumber.get(s.number);
      for (const key of set) {
        if (row) row.want++;
        if (s.got.has(key)) {
          if (row) row.got++;
        } else {
          missing++;
          if (row) row.missing++;
        }
      }
    }
    const duplicates = all.reduce((sum, s) => sum + s.duplicates, 0);
    const misrouted = all.reduce((sum, s) => sum + s.misrouted, 0);
    const accepted = statuses.filter((s) => s === 200).length;
    const closes = new Map<number, number>();
    for (const s of all) {
      if (s.closedWith !== null) closes.set(s.closedWith, (closes.get(s.closedWith) ?? 0) + 1);
    }
    const closed = [...closes].map(([code, c]) => `${c} with ${code}`).join(", ") || "none";
    const p = pct;
    const latencies = [...byKey.values()].flat();
    const firsts = [...byKey.values()].map((v) => Math.min(...v));
    const spreads = [...byKey.values()].map((v) => Math.max(...v) - Math.min(...v));
    const staff = all.filter((s) => s.agent === null).length;
    const dual = all.filter((s) => s.agent?.startsWith("bench-dual-")).length;
    const rows: Array<[string, string]> = [
      ["numbers", `${count} (${ids.join(", ")}), a simulator and a hub each`],
      [
        "gateway",
        direct ? "straight to the Worker runtime (BENCH_DIRECT=1)" : "through wrangler's dev proxy",
      ],
      [
        "sockets",
        `${all.length} of ${specs.length}${stoppedForMemory ? ` (stopped: under ${mb(MEMORY_FLOOR)} available)` : ""}: ${staff} staff, ${all.length - staff - dual} of agents working one number (${AGENTS} a number), ${dual} of agents working two (${DUAL} a pair)`,
      ],
      ["ticket for a number not worked", `${refused}/${solo.length} refused with 403`],
      ["connect (ticket + upgrade)", `${connectSeconds.toFixed(1)} s`],
      [
        "webhooks accepted",
        `${accepted}/${EVENTS * count} in ${sendSeconds.toFixed(1)} s (${count} at once, one per number)`,
      ],
      [
        "deliveries",
        `${delivered()}/${want} expected (missing ${missing}, duplicate ${duplicates}, misrouted ${misrouted})`,
      ],
      ["sockets closed during the run", closed],
      ["reconnected once with since, mid-run", `${all.length} of ${all.length}`],
      ["webhook → socket p50", `${p(latencies, 50)} ms`],
      ["webhook → socket p99", `${p(latencies, 99)} ms`],
      ...ids.map((id): [string, string] => {
        const lat = latByNumber.get(id) ?? [];
        const row = perNumber.get(id);
        return [
          `  ${id}`,
          `p50 ${p(lat, 50)} ms, p99 ${p(lat, 99)} ms (${row?.got}/${row?.want}, missing ${row?.missing})`,
        ];
      }),
      ...splitRows({ duringReconnect, outsideReconnect, firsts, spreads, loopDelay }),
      ...memoryRows({ sockets: all.length, rssBefore, rssIdle, splitBefore, splitIdle }),
      [
        "  files open, sockets idle",
        `Worker's runtime ${files.worker}, dev proxy ${files.proxy} (limit ${openFilesLimit()} each)`,
      ],
      ["machine memory available", `${mb(freeBefore)} → ${mb(freeIdle)}`],
    ];
    printRows(`bench:realtime, ${count} numbers (127.0.0.1, one gateway, local workerd)`, rows);
    await stopAll();
    const clean = missing === 0 && duplicates === 0 && misrouted === 0;
    return clean && accepted === EVENTS * count && refused === solo.length ? 0 : 1;
  } catch (err) {
    console.error(`bench:realtime: ${err instanceof Error ? err.stack : String(err)}`);
    await stopAll();
    return 1;
  }
}
