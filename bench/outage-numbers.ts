/**
 * `npm run bench:outage-numbers`: two numbers on two WAHA servers (simulators), agents
 * working both, one server down for a while. The healthy number must not notice: every read
 * answered, every send taken at once and reaching its WAHA exactly once and in order, its
 * status WORKING throughout. The down number's sends wait and go out once it is back.
 * 127.0.0.1 only; starts and stops its own simulators and gateway.
 *
 *   npm run bench:outage-numbers -- [--agents 50] [--seconds 180] [--down-from 60] [--down-for 60]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { signToken } from "../src/lib/auth/sign-token.ts";
import { randomSecrets } from "../tools/demo-secrets.ts";
import { startSimulator } from "../tools/waha-sim/server.ts";
import { applyLocalMigrations, freePort, startGateway, stopOnExit } from "../tools/wrangler.ts";
import { percentile } from "./load.ts";
import {
  drained,
  jidOf,
  outageOptions,
  READ_EVERY_MS,
  readTally,
  SEND_EVERY_MS,
  sleep,
  timedRead,
} from "./outage-options.ts";
import { type Asked, sendsAtWaha, type WahaCopy } from "./sends-at-waha.ts";

const { AGENTS, SECONDS, DOWN_FROM, DOWN_FOR, FAULT } = outageOptions();
const NUMBERS = [
  { id: "sales", session: "sales-wa" },
  { id: "support", session: "support-wa" },
] as const;
type NumberId = (typeof NUMBERS)[number]["id"];
const DOWN: NumberId = "support";

const secrets = randomSecrets();
const port = await freePort();
const persistTo = mkdtempSync(path.join(tmpdir(), "wa-edge-numbers-"));
const sims = await Promise.all(
  NUMBERS.map((n) =>
    startSimulator({
      port: 0,
      apiKey: secrets.apiKey,
      session: n.session,
      webhookUrl: `http://127.0.0.1:${port}/api/waha/webhook/${n.id}`,
      webhookHmacKey: `${secrets.hmac}-${n.id}`,
    }),
  ),
);
const copies = new Map<NumberId, WahaCopy>(
  NUMBERS.map((n, i) => {
    const url = sims[i]?.url ?? "";
    const copy: WahaCopy = {
      sim: { url },
      secrets: { apiKey: secrets.apiKey },
      async control<T>(p: string, body?: unknown, method = body === undefined ? "GET" : "POST") {
        const res = await fetch(`${url}/__sim/${p}`, {
          method,
          headers: { "Content-Type": "application/json" },
          body: body === undefined ? null : JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`simulator ${method} ${p}: ${res.status}`);
        return (await res.json()) as T;
      },
    };
    return [n.id, copy];
  }),
);
const copyOf = (id: NumberId): WahaCopy => {
  const copy = copies.get(id);
  if (!copy) throw new Error(`no simulator for ${id}`);
  return copy;
};
applyLocalMigrations(persistTo);
const gateway = await startGateway({
  port,
  persistTo,
  logLevel: "error",
  vars: {
    WAHA_NUMBERS: JSON.stringify(
      NUMBERS.map((n, i) => ({
        id: n.id,
        name: n.id,
        url: sims[i]?.url,
        session: n.session,
        apiKey: secrets.apiKey,
        webhookHmacKey: `${secrets.hmac}-${n.id}`,
      })),
    ),
    JWT_SECRET: secrets.jwt,
    HTTP_LOG: "none",
  },
});
const stop = async () => {
  gateway.stop();
  await Promise.all(sims.map((sim) => sim.close()));
  rmSync(persistTo, { recursive: true, force: true });
};
stopOnExit(() => void stop());

try {
  for (const n of NUMBERS) {
    await copyOf(n.id).control("reset", {});
    for (let i = 0; i < AGENTS; i++) {
      await copyOf(n.id).control("messages", { chatId: jidOf(i), body: "hello?", webhook: true });
    }
  }
  const tokens = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) =>
      signToken({ sub: `staff-${i}`, role: "user" }, secrets.jwt, 3600),
    ),
  );
  const admin = await signToken({ sub: "watcher", role: "admin" }, secrets.jwt, 3600);
  const base = gateway.url;
  const blank = () => ({
    reads: readTally(),
    sent: 0,
    queued: 0,
    failed: 0,
  });
  const figures = { sales: blank(), support: blank() };
  const asked = { sales: new Map<string, Asked>(), support: new Map<string, Asked>() };
  const healthyStatus = { working: 0, other: [] as string[] };

  const until = Date.now() + SECONDS * 1000;
  const outage = (async () => {
    await sleep(DOWN_FROM);
    if (FAULT) await copyOf(DOWN).control("faults", { status: 503 });
    const upAt = Date.now() + DOWN_FOR;
    // The healthy number's status, as its header polls it, all through the outage.
    while (Date.now() < upAt) {
      const res = await fetch(`${base}/api/waha/status?number=sales`, {
        headers: { Authorization: `Bearer ${admin}` },
      }).catch(() => null);
      const body = res ? ((await res.json()) as { status?: string; error?: string }) : null;
      if (body?.status === "WORKING") healthyStatus.working++;
      else
        healthyStatus.other.push(body?.status ?? `${res?.status ?? "none"} ${body?.error ?? ""}`);
      await sleep(1_000);
    }
    await copyOf(DOWN).control("faults", undefined, "DELETE");
  })();

  await Promise.all(
    Array.from({ length: AGENTS }, async (_, agent) => {
      const auth = { Authorization: `Bearer ${tokens[agent] ?? ""}` };
      await sleep((agent * READ_EVERY_MS) / AGENTS);
      let n = 0;
      let nextSend = Date.now() + (agent * SEND_EVERY_MS) / AGENTS;
      while (Date.now() < until) {
        for (const { id } of NUMBERS) {
          const f = figures[id];
          for (const p of [
            `/api/wa/chats?number=${id}`,
            `/api/wa/messages?number=${id}&jid=${jidOf(agent)}`,
          ]) {
            await timedRead(`${base}${p}`, auth, f.reads);
          }
        }
        if (Date.now() >= nextSend) {
          nextSend += SEND_EVERY_MS;
          const text = `agent ${agent} message ${n++}`;
          for (const { id } of NUMBERS) {
            const clientId = `bench-${id}-${agent}-${n}-${crypto.randomUUID().slice(0, 8)}`;
            asked[id].set(clientId, { agent, text, at: Date.now() });
            const res = await fetch(`${base}/api/wa/send-text`, {
              method: "POST",
              headers: { ...auth, "Content-Type": "application/json" },
              body: JSON.stringify({ number: id, jid: jidOf(agent), text, clientId }),
            }).catch(() => null);
            if (res?.status === 200) figures[id].sent++;
            else if (res?.status === 202) figures[id].queued++;
            else figures[id].failed++;
            await res?.arrayBuffer();
          }
        }
        await sleep(READ_EVERY_MS);
      }
    }),
  );
  await outage;
  // Both numbers' outboxes: a send the healthy number queued under load waits there too.
  for (const { id } of NUMBERS) await drained(base, admin, `?number=${id}`);

  console.log(
    `\n${AGENTS} agents working both numbers for ${SECONDS} s; ${DOWN}'s WAHA ${FAULT ? "down" : "(not down: --no-fault)"} from ${DOWN_FROM / 1000} s for ${DOWN_FOR / 1000} s\n`,
  );
  console.log("| | sales (healthy) | support (down) | goal for sales |\n|---|---|---|---|");
  const row = (label: string, of: (id: NumberId) => string | Promise<string>, goal: string) =>
    Promise.all([of("sales"), of("support")]).then(([a, b]) =>
      console.log(`| ${label} | ${a} | ${b} | ${goal} |`),
    );
  const at: Record<NumberId, { missing: number; duplicates: number; outOfOrder: number }> = {
    sales: await sendsAtWaha(copyOf("sales"), AGENTS, jidOf, asked.sales.values(), "sales-wa"),
    support: await sendsAtWaha(
      copyOf("support"),
      AGENTS,
      jidOf,
      asked.support.values(),
      "support-wa",
    ),
  };
  await row(
    "reads answered / failed",
    (id) => `${figures[id].reads.ok} / ${figures[id].reads.failed}`,
    "0 failed",
  );
  await row(
    "read latency p50 / p99",
    (id) => {
      const ms = figures[id].reads.ms.sort((a, b) => a - b);
      return `${percentile(ms, 50).toFixed(1)} / ${percentile(ms, 99).toFixed(1)} ms`;
    },
    "–",
  );
  await row(
    "sends: 200 sent / 202 queued / failed",
    (id) => `${figures[id].sent} / ${figures[id].queued} / ${figures[id].failed}`,
    "0 queued, 0 failed",
  );
  await row("sends lost (missing at WAHA)", (id) => `${at[id].missing} of ${asked[id].size}`, "0");
  await row("sends duplicated at WAHA", (id) => `${at[id].duplicates}`, "0");
  await row("sends out of their chat's order", (id) => `${at[id].outOfOrder}`, "0");
  console.log(
    `| sales status during the outage: WORKING / other | ${healthyStatus.working} / ${healthyStatus.other.length} ${healthyStatus.other.join(" ")} | – | 0 other |`,
  );
} finally {
  await stop();
}
