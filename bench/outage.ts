/**
 * `npm run bench:outage`: agents keep reading and sending while WAHA goes down and comes
 * back. Every read must be answered (from the message store), every send must reach WAHA
 * exactly once and in its chat's order, and queued sends must go out within seconds of
 * WAHA's return. 127.0.0.1 only; starts and stops its own stack.
 *
 *   npm run bench:outage -- [--agents 50] [--seconds 180] [--down-from 60] [--down-for 60]
 *
 * WAHA is "down" when every one of its endpoints answers 503 (the simulator's faults).
 */
import { startStack } from "../tools/stack.ts";
import { stopOnExit } from "../tools/wrangler.ts";
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
import { type Asked, sendsAtWaha } from "./sends-at-waha.ts";

const { AGENTS, SECONDS, DOWN_FROM, DOWN_FOR } = outageOptions();

const stack = await startStack({ vars: { HTTP_LOG: "none" } });
stopOnExit(() => void stack.stop());

try {
  await stack.control("reset", {});
  for (let i = 0; i < AGENTS; i++) {
    await stack.control("messages", { chatId: jidOf(i), body: "hello, anyone?", webhook: true });
  }
  const tokens = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) => stack.token({ sub: `staff-${i}`, role: "user" })),
  );
  const admin = await stack.token({ sub: "watcher", role: "admin" });
  const base = stack.gateway.url;

  // Who sent what (clientId → chat, text, sequence), and when WAHA's copy says it went out.
  const asked = new Map<string, Asked>();
  const sentAt = new Map<string, number>();
  const ticket = (await (
    await fetch(`${base}/api/realtime/ticket`, {
      method: "POST",
      headers: { Authorization: `Bearer ${admin}` },
    })
  ).json()) as { ticket: string };
  const ws = new WebSocket(`${base.replace("http", "ws")}/api/realtime?ticket=${ticket.ticket}`);
  ws.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data)) as {
      type: string;
      clientId?: string;
      status?: string;
    };
    if (frame.type === "outbox.status" && frame.status === "sent" && frame.clientId) {
      if (!sentAt.has(frame.clientId)) sentAt.set(frame.clientId, Date.now());
    }
  });
  await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));

  const reads = readTally();
  const sends = { sent: 0, queued: 0, failed: 0 };
  const started = Date.now();
  const until = started + SECONDS * 1000;
  let downAt = 0;
  let upAt = 0;
  const outage = (async () => {
    await sleep(DOWN_FROM);
    await stack.control("faults", { status: 503 });
    downAt = Date.now();
    await sleep(DOWN_FOR);
    await stack.control("faults", undefined, "DELETE");
    upAt = Date.now();
  })();

  await Promise.all(
    Array.from({ length: AGENTS }, async (_, agent) => {
      const auth = { Authorization: `Bearer ${tokens[agent] ?? ""}` };
      await sleep((agent * READ_EVERY_MS) / AGENTS);
      let n = 0;
      let nextSend = Date.now() + (agent * SEND_EVERY_MS) / AGENTS;
      while (Date.now() < until) {
        for (const path of ["/api/wa/chats", `/api/wa/messages?jid=${jidOf(agent)}&limit=50`]) {
          await timedRead(`${base}${path}`, auth, reads);
        }
        if (Date.now() >= nextSend) {
          nextSend += SEND_EVERY_MS;
          const clientId = `bench-${agent}-${n}-${crypto.randomUUID().slice(0, 8)}`;
          const text = `agent ${agent} message ${n++}`;
          asked.set(clientId, { agent, text, at: Date.now() });
          const res = await fetch(`${base}/api/wa/send-text`, {
            method: "POST",
            headers: { ...auth, "Content-Type": "application/json" },
            body: JSON.stringify({ jid: jidOf(agent), text, clientId }),
          }).catch(() => null);
          if (res?.status === 200) {
            sends.sent++;
            if (!sentAt.has(clientId)) sentAt.set(clientId, Date.now());
          } else if (res?.status === 202) sends.queued++;
          else sends.failed++;
          await res?.arrayBuffer();
        }
        await sleep(READ_EVERY_MS);
      }
    }),
  );
  await outage;
  // Let the outboxes drain.
  await drained(base, admin);
  ws.close();

  const { missing, duplicates, outOfOrder } = await sendsAtWaha(
    stack,
    AGENTS,
    jidOf,
    asked.values(),
  );
  const queuedDuring = [...asked.entries()].filter(([, a]) => a.at >= downAt && a.at < upAt);
  const afterReturn = queuedDuring
    .map(([id]) => (sentAt.get(id) ?? Number.NaN) - upAt)
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
  const undelivered = queuedDuring.length - afterReturn.length;
  reads.ms.sort((a, b) => a - b);

  console.log(
    `\n${AGENTS} agents for ${SECONDS} s; WAHA down from ${DOWN_FROM / 1000} s for ${DOWN_FOR / 1000} s\n`,
  );
  console.log("| | measured | goal |\n|---|---|---|");
  console.log(`| reads answered / failed | ${reads.ok} / ${reads.failed} | 0 failed |`);
  console.log(
    `| read latency p50 / p99 | ${percentile(reads.ms, 50).toFixed(1)} / ${percentile(reads.ms, 99).toFixed(1)} ms | – |`,
  );
  console.log(
    `| sends: 200 sent / 202 queued / failed | ${sends.sent} / ${sends.queued} / ${sends.failed} | 0 failed |`,
  );
  console.log(`| sends missing at WAHA | ${missing} of ${asked.size} | 0 |`);
  console.log(`| duplicate sends at WAHA | ${duplicates} | 0 |`);
  console.log(`| sends out of their chat's order | ${outOfOrder} | 0 |`);
  console.log(
    `| asked during the outage: delivered after WAHA's return, max | ${afterReturn.length} of ${queuedDuring.length}, ${((afterReturn.at(-1) ?? 0) / 1000).toFixed(1)} s (p50 ${((percentile(afterReturn, 50) || 0) / 1000).toFixed(1)} s) | all, within 10 s |`,
  );
  const first = afterReturn[0] ?? 0;
  const last = afterReturn.at(-1) ?? 0;
  console.log(
    `| the first of them delivered after / then a second | ${(first / 1000).toFixed(1)} s / ${last > first ? ((afterReturn.length - 1) / ((last - first) / 1000)).toFixed(0) : "–"} sends | – |`,
  );
  if (undelivered > 0) console.log(`| not seen delivered | ${undelivered} | 0 |`);
} finally {
  await stack.stop();
}
