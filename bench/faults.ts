/**
 * `npm run bench:faults`: the outbox's promise under rotating faults, in WAHA's real
 * configuration (its webhooks on, each send echoed as `message.any`). Agents keep sending
 * into their own chats while the fault matrix turns every `--every` seconds: sends refused
 * or hung before WAHA takes them; taken and then hung, cut or answered late; the echo before,
 * after or never; WAHA down; the session restarting. At the end every send must be at WAHA
 * once, in its chat's order. 127.0.0.1 only; starts and stops its own stack.
 *
 *   npm run bench:faults -- [--agents 50] [--seconds 600] [--every 30]
 */
import { parseArgs } from "node:util";
import { startStack } from "../tools/stack.ts";
import { stopOnExit } from "../tools/wrangler.ts";
import { type Asked, sendsAtWaha } from "./sends-at-waha.ts";

const { values } = parseArgs({
  options: {
    agents: { type: "string", default: "50" },
    seconds: { type: "string", default: "600" },
    every: { type: "string", default: "30" },
  },
});
const AGENTS = Number(values.agents);
const SECONDS = Number(values.seconds);
const EVERY_MS = Number(values.every) * 1000;
const SEND_EVERY_MS = 6_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jidOf = (i: number) => `1555400${String(i).padStart(4, "0")}@c.us`;

type Step = { name: string; faults?: object[]; config?: object; session?: string };

/** One turn of the matrix; each step holds for `--every` seconds, then is cleared. */
const MATRIX: Step[] = [
  {
    name: "refused with 503 before taking (30 %)",
    faults: [{ endpoint: "sendText", status: 503, probability: 0.3 }],
  },
  {
    name: "hangs before taking (20 %)",
    faults: [{ endpoint: "sendText", hang: true, probability: 0.2 }],
  },
  {
    name: "taken, then hangs (20 %)",
    faults: [{ endpoint: "sendText", afterTaking: true, hang: true, probability: 0.2 }],
  },
  {
    name: "taken, then reset (30 %)",
    faults: [{ endpoint: "sendText", afterTaking: true, resetAfterBytes: 0, probability: 0.3 }],
  },
  {
    name: "taken, answered after the timeout (20 %)",
    faults: [{ endpoint: "sendText", afterTaking: true, latencyMs: 6_000, probability: 0.2 }],
  },
  {
    name: "echo before the answer, answers reset (30 %)",
    config: { sendEcho: "before" },
    faults: [{ endpoint: "sendText", afterTaking: true, resetAfterBytes: 0, probability: 0.3 }],
  },
  {
    name: "echo 8 s after the answer, answers hang (20 %)",
    config: { sendEcho: "after", echoDelayMs: 8_000 },
    faults: [{ endpoint: "sendText", afterTaking: true, hang: true, probability: 0.2 }],
  },
  {
    name: "echo lost, answers reset (30 %)",
    config: { sendEcho: "none" },
    faults: [{ endpoint: "sendText", afterTaking: true, resetAfterBytes: 0, probability: 0.3 }],
  },
  { name: "WAHA down (every call 503)", faults: [{ status: 503 }] },
  { name: "session STARTING (WAHA holds calls 10 s, then 422)", session: "STARTING" },
];

const stack = await startStack({ vars: { HTTP_LOG: "none" } });
stopOnExit(() => void stack.stop());

try {
  await stack.control("reset", {});
  for (let i = 0; i < AGENTS; i++) {
    await stack.control("messages", { chatId: jidOf(i), body: "hello?", webhook: true });
  }
  const tokens = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) => stack.token({ sub: `staff-${i}`, role: "user" })),
  );
  const admin = await stack.token({ sub: "watcher", role: "admin" });
  const base = stack.gateway.url;
  const asked = new Map<string, Asked>();
  const answers: Record<string, number> = {};
  const started = Date.now();
  const until = started + SECONDS * 1000;
  let lastCleared = 0;
  const steps: string[] = [];

  const rotation = (async () => {
    for (let i = 0; Date.now() + EVERY_MS <= until; i++) {
      const step = MATRIX[i % MATRIX.length] as Step;
      steps.push(step.name);
      for (const fault of step.faults ?? []) await stack.control("faults", fault);
      if (step.config) await stack.control("config", step.config, "PUT");
      if (step.session) await stack.control("session", { status: step.session });
      await sleep(EVERY_MS);
      await stack.control("faults", undefined, "DELETE");
      await stack.control("config", { sendEcho: "with", echoDelayMs: 0 }, "PUT");
      if (step.session) await stack.control("session", { status: "WORKING" });
      lastCleared = Date.now();
    }
  })();

  await Promise.all(
    Array.from({ length: AGENTS }, async (_, agent) => {
      const auth = {
        Authorization: `Bearer ${tokens[agent] ?? ""}`,
        "Content-Type": "application/json",
      };
      await sleep((agent * SEND_EVERY_MS) / AGENTS);
      for (let n = 0; Date.now() < until; n++) {
        const clientId = `soak-${agent}-${n}-${crypto.randomUUID().slice(0, 8)}`;
        const text = `agent ${agent} message ${n}`;
        asked.set(clientId, { agent, text, at: Date.now() });
        // A browser whose request got no answer asks again with the same clientId.
        for (let tries = 0; tries < 5; tries++) {
          const res = await fetch(`${base}/api/wa/send-text`, {
            method: "POST",
            headers: auth,
            body: JSON.stringify({ jid: jidOf(agent), text, clientId }),
            signal: AbortSignal.timeout(30_000),
          }).catch(() => null);
          // A body cut short is no answer either: the browser asks again.
          const read = await res?.arrayBuffer().then(
            () => true,
            () => false,
          );
          const key = read ? String(res?.status) : "no answer";
          answers[key] = (answers[key] ?? 0) + 1;
          if (read && res && res.status < 500) break;
          await sleep(1_000);
        }
        await sleep(SEND_EVERY_MS);
      }
    }),
  );
  await rotation;
  // Let the outboxes drain: the last send leaves when the outbox list is empty.
  const drainUntil = Date.now() + 180_000;
  let drainedAt = Number.NaN;
  while (Date.now() < drainUntil) {
    const left = (await (
      await fetch(`${base}/api/wa/outbox`, { headers: { Authorization: `Bearer ${admin}` } })
    ).json()) as Array<{ status: string }>;
    if (left.filter((e) => e.status !== "failed").length === 0) {
      drainedAt = Date.now();
      break;
    }
    await sleep(250);
  }
  const failed = (
    (await (
      await fetch(`${base}/api/wa/outbox`, { headers: { Authorization: `Bearer ${admin}` } })
    ).json()) as Array<{ status: string }>
  ).filter((e) => e.status === "failed").length;
  const { missing, duplicates, outOfOrder } = await sendsAtWaha(
    stack,
    AGENTS,
    jidOf,
    asked.values(),
  );

  console.log(
    `\n${AGENTS} agents sending every ${SEND_EVERY_MS / 1000} s for ${SECONDS} s; a fault every ${EVERY_MS / 1000} s:`,
  );
  for (const [i, name] of steps.entries()) console.log(`  ${i * (EVERY_MS / 1000)} s: ${name}`);
  console.log("\n| | measured | goal |\n|---|---|---|");
  console.log(`| sends asked | ${asked.size} | – |`);
  console.log(`| gateway answers (status: count) | ${JSON.stringify(answers)} | – |`);
  console.log(`| sends missing at WAHA | ${missing} | 0 |`);
  console.log(`| duplicated at WAHA | ${duplicates} | 0 |`);
  console.log(`| out of their chat's order | ${outOfOrder} | 0 |`);
  console.log(`| given up (failed) | ${failed} | 0 |`);
  console.log(
    `| the last send left after the last fault cleared | ${Number.isNaN(drainedAt) ? "not within 180 s" : `${((drainedAt - lastCleared) / 1000).toFixed(1)} s`} | – |`,
  );
} finally {
  await stack.stop();
}
