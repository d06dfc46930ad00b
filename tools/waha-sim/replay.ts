// A scripted day of WhatsApp traffic played through the simulator as signed webhooks: new chats,
// replies, media, acks, a session drop and its recovery. `npm run sim:replay -- [--sim URL] [--pace MS]`.
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

export interface ReplayOptions {
  /** Pause between steps (default 0), to watch the inbox follow along. */
  paceMs?: number;
  /** Where the simulator should send webhooks; default: as it is configured. */
  webhookUrl?: string;
  webhookHmacKey?: string;
  /** Seven digits that make this run's phone numbers; default from the clock (new chats each run). */
  seed?: number;
  log?: (line: string) => void;
}

export interface ReplaySummary {
  chats: string[];
  /** Webhooks the simulator sent, by event. */
  events: Record<string, number>;
  webhooks: number;
  /** Deliveries the receiver did not answer with 2xx (status 0: unreachable). */
  failed: Array<{ step: string; status: number }>;
}

type MediaKind = "image/jpeg" | "image/png" | "application/pdf" | "audio/ogg" | "video/mp4";

type Step =
  | {
      say: string;
      chat: number;
      fromMe?: boolean;
      media?: { kind: MediaKind; filename?: string; missing?: boolean };
    }
  | { ack: number; of: string }
  | { session: "STOPPED" | "STARTING" | "SCAN_QR_CODE" | "WORKING" | "FAILED" }
  | { group: string; chat: number; participant: number };

/**
 * The day. Messages are named by `say` text so acks can point at them; chats by index
 * into this run's phone numbers (chat 5 is a group).
 */
const DAY: Step[] = [
  { say: "Good morning, is the store open today?", chat: 0 },
  { say: "Hi! My order arrived damaged, photo attached", chat: 1, media: { kind: "image/jpeg" } },
  { say: "Yes, 9 to 6. How can we help?", chat: 0, fromMe: true },
  { ack: 2, of: "Yes, 9 to 6. How can we help?" },
  {
    say: "Here is the invoice",
    chat: 2,
    media: { kind: "application/pdf", filename: "invoice-0412.pdf" },
  },
  { ack: 3, of: "Yes, 9 to 6. How can we help?" },
  { say: "Sorry about that! We will send a replacement.", chat: 1, fromMe: true },
  { say: "(voice note)", chat: 3, media: { kind: "audio/ogg" } },
  { ack: 2, of: "Sorry about that! We will send a replacement." },
  { session: "STARTING" },
  { session: "FAILED" },
  { session: "STARTING" },
  { session: "WORKING" },
  { say: "Thanks, got the invoice.", chat: 2, fromMe: true },
  { ack: 3, of: "Sorry about that! We will send a replacement." },
  { say: "Video of the problem", chat: 1, media: { kind: "video/mp4" } },
  { say: "Old photo from last year", chat: 4, media: { kind: "image/png", missing: true } },
  { group: "Can someone check the shared order?", chat: 5, participant: 0 },
  { ack: 3, of: "Thanks, got the invoice." },
  { say: "Have a good evening!", chat: 0 },
];

async function control<T>(simUrl: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${simUrl}/__sim/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok)
    throw new Error(`simulator ${method} /__sim/${path}: ${res.status} ${await res.text()}`);
  return { body: (await res.json()) as T, headers: res.headers };
}

function phones(seed: number): string[] {
  const base = String(seed % 10_000_000).padStart(7, "0");
  return [0, 1, 2, 3, 4]
    .map((i) => `1555${base.slice(0, 6)}${i}@c.us`)
    .concat(`120363${base}00001@g.us`);
}

/** Plays the day; resolves once every webhook has been delivered (or failed). */
export async function replayDay(simUrl: string, opts: ReplayOptions = {}): Promise<ReplaySummary> {
  const base = simUrl.replace(/\/+$/, "");
  const log = opts.log ?? (() => {});
  if (opts.webhookUrl !== undefined || opts.webhookHmacKey !== undefined) {
    await control(base, "PUT", "config", {
      ...(opts.webhookUrl !== undefined ? { webhookUrl: opts.webhookUrl } : {}),
      ...(opts.webhookHmacKey !== undefined ? { webhookHmacKey: opts.webhookHmacKey } : {}),
    });
  }
  const config = await control<{ webhookUrl: string | null }>(base, "GET", "config");
  if (!config.body.webhookUrl)
    throw new Error("the simulator has no webhookUrl: nothing would be sent");

  const chats = phones(opts.seed ?? Date.now());
  const sent = new Map<string, string>();
  const summary: ReplaySummary = { chats, events: {}, webhooks: 0, failed: [] };
  const record = (step: string, event: string, status: number | undefined) => {
    summary.webhooks++;
    summary.events[event] = (summary.events[event] ?? 0) + 1;
    if (status === undefined || status < 200 || status > 299)
      summary.failed.push({ step, status: status ?? 0 });
  };

  for (const step of DAY) {
    if ("say" in step || "group" in step) {
      const text = "say" in step ? step.say : step.group;
      const chatId = chats[step.chat] ?? "";
      const fromMe = "say" in step && step.fromMe === true;
      const event = fromMe ? "message.any" : "message";
      const res = await control<{ id: string }>(base, "POST", "messages", {
        chatId,
        body: text,
        fromMe,
        webhook: true,
        ...("say" in step && step.media ? { media: step.media } : {}),
        ...("group" in step ? { participant: chats[step.participant] } : {}),
      });
      sent.set(text, res.body.id);
      record(text, event, Number(res.headers.get("X-Sim-Webhook-Status") ?? 0));
      log(`${event.padEnd(14)} ${chatId} ${fromMe ? "→" : "←"} ${text}`);
    } else if ("ack" in step) {
      const messageId = sent.get(step.of);
      if (!messageId) throw new Error(`the day acks "${step.of}" before sending it`);
      const res = await control<{ ackName: string; webhook?: { status: number } }>(
        base,
        "POST",
        "ack",
        {
          messageId,
          ack: step.ack,
        },
      );
      record(`ack ${step.of}`, "message.ack", res.body.webhook?.status);
      log(`message.ack    ${res.body.ackName} ${step.of}`);
    } else {
      const res = await control<{ webhook?: { status: number } }>(base, "POST", "session", {
        status: step.session,
      });
      record(`session ${step.session}`, "session.status", res.body.webhook?.status);
      log(`session.status ${step.session}`);
    }
    if (opts.paceMs) await sleep(opts.paceMs);
  }
  return summary;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      sim: { type: "string", default: `http://127.0.0.1:${process.env.SIM_PORT ?? 3000}` },
      pace: { type: "string", default: "500" },
    },
  });
  const paceMs = Number(values.pace);
  if (!Number.isInteger(paceMs) || paceMs < 0) {
    console.error(
      `sim:replay: --pace must be a whole number of milliseconds, got "${values.pace}"`,
    );
    process.exit(2);
  }
  try {
    const summary = await replayDay(values.sim, { paceMs, log: (line) => console.log(line) });
    const byEvent = Object.entries(summary.events)
      .map(([event, n]) => `${event} ${n}`)
      .join(", ");
    console.log(
      `\n${summary.webhooks} webhooks (${byEvent}); ${summary.failed.length} not accepted`,
    );
    for (const f of summary.failed) console.log(`  ${f.step}: status ${f.status}`);
    process.exit(summary.failed.length === 0 ? 0 : 1);
  } catch (err) {
    console.error(`sim:replay: ${err instanceof Error ? err.message : String(err)}`);
    console.error("Is the simulator running (npm start) and is --sim its URL?");
    process.exit(2);
  }
}
