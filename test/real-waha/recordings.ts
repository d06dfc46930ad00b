/**
 * What real WAHA sent and answered in the message tests, kept as versioned fixtures
 * (test/fixtures/waha-<version>/noweb/*.json) with `RECORD_WAHA_FIXTURES=1 npm run
 * test:waha`; `npm test` holds the simulator's NOWEB shapes to them
 * (test/unit/waha-recordings.test.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { WAHA_VERSION } from "../../tools/real-waha.ts";
import type { Phone } from "./phone.ts";
import type { Recorded } from "./recorder.ts";

export const FIXTURES = path.resolve(`test/fixtures/waha-${WAHA_VERSION}/noweb`);

type Payload = Record<string, unknown>;

/** Which recording a delivery is an example of, or null. */
export function kindOf(d: Recorded): string | null {
  const p = (d.body.payload ?? {}) as Payload;
  const from = String(p.from ?? "");
  switch (d.event) {
    case "message.any":
      if (from.endsWith("@g.us")) return p.fromMe ? null : "message.any-group-incoming";
      if (p.fromMe) return p.source === "api" ? "message.any-sent-text" : null;
      return p.hasMedia ? "message.any-incoming-image" : "message.any-incoming-text";
    case "message.ack":
    case "message.ack.group":
    case "message.reaction":
    case "message.edited":
    case "message.revoked":
      return d.event;
    case "session.status":
      return (p.status as string) === "WORKING" ? "session.status-working" : null;
    default:
      return null;
  }
}

export async function record(phone: Phone): Promise<void> {
  mkdirSync(FIXTURES, { recursive: true });
  const seen = new Set<string>();
  for (const d of phone.recorder.deliveries) {
    const kind = kindOf(d);
    if (!kind || seen.has(kind)) continue;
    seen.add(kind);
    write(`webhook-${kind}`, { headers: d.headers, body: d.body });
  }
  // WAHA's answers to the calls the gateway makes, for the same chats.
  const jid = "15551230001@c.us";
  const answers: Record<string, string> = {
    "answer-session": "/api/sessions/default",
    "answer-messages": `/api/default/chats/${jid}/messages?limit=5&downloadMedia=false`,
    "answer-chats": "/api/default/chats?limit=5&sortBy=conversationTimestamp&sortOrder=desc",
    "answer-version": "/api/server/version",
  };
  for (const [name, url] of Object.entries(answers)) {
    const res = await phone.stack.wahaCall(url);
    write(name, { status: res.status, body: await res.json() });
  }
  const sent = await phone.stack.wahaCall("/api/sendText", {
    method: "POST",
    body: JSON.stringify({ session: "default", chatId: jid, text: "recorded send" }),
  });
  write("answer-sendText", { status: sent.status, body: await sent.json() });
}

/** Written as recorded, but for keys: an HMAC key set in the session's config is not kept. */
function write(name: string, value: unknown): void {
  const text = JSON.stringify(
    value,
    (k, v: unknown) => (k === "hmac" && v && typeof v === "object" ? { key: "<not kept>" } : v),
    2,
  );
  writeFileSync(path.join(FIXTURES, `${name}.json`), `${text}\n`);
}
