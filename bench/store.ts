/**
 * `npm run bench:store`: what the message store saves and costs, on 127.0.0.1 only.
 *
 * 1. WAHA list calls per agent-hour: agents keep the chat list and their open chat up to
 *    date (a read every 5 s each); the store asks WAHA once per chat and then once per
 *    WA_STORE_RECONCILE_MS, against the TTL caches it replaced (one call per resource per
 *    TTL: the chat list every 6 s, each open chat every 8 s). Times are scaled by
 *    `--scale` (reconcile and the run shrink together; the ratio is what counts).
 * 2. Read latency of the store's lists against a cached answer (`/api/waha/status`, an
 *    isolate-memory hit, as the old lists were), 10 connections each.
 * 3. Media fetched ahead: messages with media arrive by webhook, agents open the chats
 *    after WAHA has deleted the files (WHATSAPP_FILES_LIFETIME), with fetching ahead off
 *    and on; how often WAHA had to download a file from WhatsApp again.
 *
 *   npm run bench:store -- [--agents 50] [--seconds 120] [--scale 10]
 */
import { parseArgs } from "node:util";
import { startStack } from "../tools/stack.ts";
import { load } from "./load.ts";

const { values } = parseArgs({
  options: {
    agents: { type: "string", default: "50" },
    seconds: { type: "string", default: "120" },
    scale: { type: "string", default: "10" },
  },
});
const AGENTS = Number(values.agents);
const SECONDS = Number(values.seconds);
const SCALE = Number(values.scale);
const RECONCILE_MS = 300_000;
const READ_EVERY_MS = 5_000;
const OLD_CHATS_TTL_MS = 6_000;
const OLD_MESSAGES_TTL_MS = 8_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jidOf = (i: number) => `1555400${String(i).padStart(4, "0")}@c.us`;

interface SimStats {
  calls: Record<string, number>;
  whatsappDownloads: number;
}

async function listCalls(): Promise<{
  perAgentHour: number;
  oldPerAgentHour: number;
  calls: number;
}> {
  const stack = await startStack({
    vars: { HTTP_LOG: "none", WA_STORE_RECONCILE_MS: String(RECONCILE_MS / SCALE) },
  });
  try {
    for (let i = 0; i < AGENTS; i++) {
      await stack.control("messages", { chatId: jidOf(i), body: "hello", webhook: true });
    }
    const tokens = await Promise.all(
      Array.from({ length: AGENTS }, (_, i) => stack.token({ sub: `staff-${i}`, role: "user" })),
    );
    const before = await stack.control<SimStats>("stats");
    const until = Date.now() + SECONDS * 1000;
    const every = READ_EVERY_MS / SCALE;
    await Promise.all(
      Array.from({ length: AGENTS }, async (_, agent) => {
        const auth = { Authorization: `Bearer ${tokens[agent] ?? ""}` };
        await sleep((agent * every) / AGENTS);
        while (Date.now() < until) {
          for (const path of ["/api/wa/chats", `/api/wa/messages?jid=${jidOf(agent)}`]) {
            const res = await fetch(`${stack.gateway.url}${path}`, { headers: auth });
            await res.arrayBuffer();
          }
          await sleep(every);
        }
      }),
    );
    const after = await stack.control<SimStats>("stats");
    const calls = ["chats", "messages", "message"].reduce(
      (n, e) => n + (after.calls[e] ?? 0) - (before.calls[e] ?? 0),
      0,
    );
    // The run stands for SECONDS × SCALE seconds of real time.
    const agentHours = (AGENTS * SECONDS * SCALE) / 3600;
    // The TTL caches: one chat list per 6 s for everyone, one page per open chat per 8 s.
    const oldPerHour = 3600_000 / OLD_CHATS_TTL_MS + (AGENTS * 3600_000) / OLD_MESSAGES_TTL_MS;
    return { perAgentHour: calls / agentHours, oldPerAgentHour: oldPerHour / AGENTS, calls };
  } finally {
    await stack.stop();
  }
}

async function latency() {
  const stack = await startStack({ vars: { HTTP_LOG: "none" } });
  try {
    await stack.control("messages", { chatId: jidOf(0), body: "hello", webhook: true });
    const auth = { Authorization: `Bearer ${await stack.token({ sub: "lat", role: "admin" })}` };
    const run = (path: string) =>
      load({
        url: `${stack.gateway.url}${path}`,
        headers: auth,
        connections: 10,
        durationMs: 8_000,
      });
    // Warm each path once (fill, cache).
    for (const p of ["/api/wa/chats", `/api/wa/messages?jid=${jidOf(0)}`, "/api/waha/status"]) {
      await (await fetch(`${stack.gateway.url}${p}`, { headers: auth })).arrayBuffer();
    }
    return {
      chats: await run("/api/wa/chats"),
      messages: await run(`/api/wa/messages?jid=${jidOf(0)}`),
      cached: await run("/api/waha/status"),
    };
  } finally {
    await stack.stop();
  }
}

async function ahead(prefetch: "on" | "off"): Promise<{ redownloads: number; files: number }> {
  const stack = await startStack({
    vars: { HTTP_LOG: "none", WA_MEDIA_PREFETCH: prefetch, WA_MEDIA_MAX_CONCURRENCY: "3" },
  });
  try {
    await stack.control("config", { filesLifetimeSec: 5 }, "PUT");
    const token = await stack.token({ sub: "late", role: "admin" });
    const ids: Array<{ chat: string; id: string }> = [];
    for (let i = 0; i < 30; i++) {
      const chat = jidOf(100 + (i % 10));
      const payload = await stack.control<{ id: string }>("messages", {
        chatId: chat,
        media: { kind: "image/jpeg", size: 30_000 + i * 1000 },
        webhook: true,
      });
      ids.push({ chat, id: payload.id });
      await sleep(300);
    }
    // "Minutes later": after WAHA deleted the files (5 s here, 180 s by default).
    await sleep(7_000);
    const before = await stack.control<SimStats>("stats");
    for (const { chat, id } of ids) {
      for (let tries = 0; tries < 10; tries++) {
        const res = await fetch(
          `${stack.gateway.url}/api/wa/media?jid=${encodeURIComponent(chat)}&id=${encodeURIComponent(id)}`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        await res.arrayBuffer();
        if (res.status !== 429) break;
        await sleep(1_000);
      }
    }
    const after = await stack.control<SimStats>("stats");
    return { redownloads: after.whatsappDownloads - before.whatsappDownloads, files: ids.length };
  } finally {
    await stack.stop();
  }
}

const lists = await listCalls();
const lat = await latency();
const off = await ahead("off");
const on = await ahead("on");
const row = (name: string, r: { rps: number; p50: number; p99: number }) =>
  `| ${name} | ${r.rps.toFixed(0)} req/s | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`;
console.log(`\n${AGENTS} agents, ${SECONDS} s × scale ${SCALE}\n`);
console.log("| WAHA list calls per agent-hour | |\n|---|---|");
console.log(`| TTL caches (one per resource per TTL) | ${lists.oldPerAgentHour.toFixed(1)} |`);
console.log(
  `| message store (measured, ${lists.calls} calls) | ${lists.perAgentHour.toFixed(2)} |`,
);
console.log(
  `| fewer | **${((1 - lists.perAgentHour / lists.oldPerAgentHour) * 100).toFixed(1)} %** |`,
);
console.log("\n| read (10 connections) | throughput | p50 | p99 |\n|---|---|---|---|");
console.log(row("GET /api/wa/chats (store)", lat.chats));
console.log(row("GET /api/wa/messages (store)", lat.messages));
console.log(row("GET /api/waha/status (cached, HIT)", lat.cached));
console.log(
  "\n| media opened after WAHA deleted the files | re-downloads from WhatsApp |\n|---|---|",
);
console.log(`| fetching ahead off | ${off.redownloads} of ${off.files} |`);
console.log(`| fetching ahead on | ${on.redownloads} of ${on.files} |`);
