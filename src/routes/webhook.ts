/**
 * POST /api/waha/webhook: WAHA's events. Signed and recent or refused; each delivery
 * (and each message it is about) counts once. D1 changes happen before the answer so
 * a failure can be retried; fan-out to browsers and cache refreshes run after it.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import { jidSchema, messageIdSchema } from "../lib/chat-ids.ts";
import {
  chatOwner,
  claimWebhookKeys,
  recordInboundMessage,
  recordOutboundMessage,
  releaseWebhookKeys,
} from "../lib/db.ts";
import { apiError } from "../lib/errors.ts";
import { toBrowserMessage } from "../lib/inbox-shapes.ts";
import { count } from "../lib/metrics.ts";
import {
  type Audience,
  broadcast,
  chatAudience,
  EVERYONE,
  type RealtimeEvent,
} from "../lib/realtime.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { messageSchema, SESSION_STATUSES, type WahaMessage } from "../lib/waha.ts";
import { ACK_NAMES } from "../lib/waha-acks.ts";
import { invalidateChat, invalidateSession } from "../lib/waha-cache.ts";
import { verifyWebhook, WEBHOOK_MAX_AGE_MS } from "../lib/webhook-verify.ts";

/** WAHA sends media as URLs, so a webhook body is small; anything far bigger is refused. */
const MAX_BODY_BYTES = 1_048_576;
/** How long a delivery is remembered: well past WAHA's retries and the 5-minute window. */
const RECEIPT_TTL_MS = 24 * 3_600_000;

const envelopeSchema = z.looseObject({
  id: z.optional(z.string().check(z.maxLength(256))),
  timestamp: z.optional(z.number()),
  session: z.string({ error: "is required" }).check(z.minLength(1)),
  event: z.string({ error: "is required" }).check(z.minLength(1), z.maxLength(64)),
  payload: z.looseObject({}, { error: "must be an object" }),
  me: z.optional(z.unknown()),
  engine: z.optional(z.string()),
});

const requestIdSchema = z
  .string({ error: "is required" })
  .check(
    z.minLength(1, { error: "is required" }),
    z.maxLength(256, { error: "must be at most 256 characters" }),
  );

const serializedId = z.union([
  z.string(),
  z.pipe(
    z.object({ _serialized: z.string() }),
    z.transform((id: { _serialized: string }) => id._serialized),
  ),
]);

const ackSchema = z.looseObject({
  id: serializedId,
  from: z.string(),
  to: z.nullish(z.string()),
  fromMe: z.boolean(),
  ack: z.int(),
  ackName: z.nullish(z.string()),
});

const sessionStatusSchema = z.looseObject({ status: z.enum(SESSION_STATUSES) });

/** What one envelope asks of the gateway, decided before anything is written. */
type WebhookEvent =
  | { kind: "message"; jid: string; message: WahaMessage; at: string }
  | { kind: "ack"; jid: string; id: string; status: string }
  | { kind: "session"; status: string }
  | { kind: "ignored"; reason: string };

/** The chat a message belongs to: the other side of it (a group's id for group messages). */
function chatOf(fromMe: boolean, from: string, to: string | null | undefined): string | null {
  const jid = fromMe ? to : from;
  if (!jid || !jidSchema.safeParse(jid).success) return null;
  // Status updates and broadcast lists are not conversations anyone answers.
  return jid.endsWith("@broadcast") ? null : jid;
}

/** The message's own time (WAHA: seconds), unless it is missing or in the future. */
function messageTime(timestamp: number, now: number): string {
  const ms = timestamp * 1000;
  return new Date(ms > 0 && ms <= now + 60_000 ? ms : now).toISOString();
}

function decide(event: string, payload: unknown, now: number): WebhookEvent {
  switch (event) {
    case "message":
    case "message.any": {
      const { payload: message } = parseInput(z.object({ payload: messageSchema }), { payload });
      const jid = chatOf(message.fromMe, message.from, message.to);
      if (!jid) return { kind: "ignored", reason: "not a chat" };
      if (!messageIdSchema.safeParse(message.id).success)
        return { kind: "ignored", reason: "odd message id" };
      return { kind: "message", jid, message, at: messageTime(message.timestamp, now) };
    }
    case "message.ack": {
      const { payload: ack } = parseInput(z.object({ payload: ackSchema }), { payload });
      const jid = chatOf(ack.fromMe, ack.from, ack.to);
      if (!jid) return { kind: "ignored", reason: "not a chat" };
      return {
        kind: "ack",
        jid,
        id: ack.id,
        status: ack.ackName ?? ACK_NAMES[ack.ack] ?? "UNKNOWN",
      };
    }
    case "session.status": {
      const { payload: session } = parseInput(z.object({ payload: sessionStatusSchema }), {
        payload,
      });
      return { kind: "session", status: session.status };
    }
    default:
      return { kind: "ignored", reason: `event ${event} is not used` };
  }
}

/** Keys beyond the request id: WAHA announces one inbound message as `message` and `message.any`. */
function eventKeys(event: WebhookEvent): string[] {
  switch (event.kind) {
    case "message":
      return [`message:${event.message.id}`];
    case "ack":
      return [`ack:${event.id}:${event.status}`];
    default:
      return [];
  }
}

type Fanout = Array<{ event: RealtimeEvent; audience: Audience }>;

/** The D1 side of an event (SLA, auto-assign); answers what browsers should hear. */
async function apply(db: D1Database, event: WebhookEvent, now: string): Promise<Fanout> {
  switch (event.kind) {
    case "message": {
      const { jid, message, at } = event;
      const frame: RealtimeEvent = {
        type: "message.new",
        jid,
        message: toBrowserMessage(message, jid),
      };
      if (message.fromMe) {
        const { owner } = await recordOutboundMessage(db, jid, at, now);
        return [{ event: frame, audience: chatAudience(owner) }];
      }
      const { owner, autoAssigned } = await recordInboundMessage(db, jid, at, now);
      const assigned: Fanout = autoAssigned
        ? [{ event: { type: "chat.assigned", jid, agentId: owner }, audience: chatAudience(owner) }]
        : [];
      return [...assigned, { event: frame, audience: chatAudience(owner) }];
    }
    case "ack": {
      const owner = await chatOwner(db, event.jid);
      const frame: RealtimeEvent = {
        type: "message.status",
        jid: event.jid,
        id: event.id,
        status: event.status,
      };
      return [{ event: frame, audience: chatAudience(owner) }];
    }
    case "session":
      return [{ event: { type: "session.status", status: event.status }, audience: EVERYONE }];
    case "ignored":
      return [];
  }
}

/** Drops what the event made stale, so a browser reacting to it reads WAHA's news. */
async function invalidate(env: Env, event: WebhookEvent): Promise<void> {
  try {
    if (event.kind === "message" || event.kind === "ack") await invalidateChat(env, event.jid);
    else if (event.kind === "session") await invalidateSession(env);
  } catch (err) {
    console.error(
      `[webhook] cache invalidation failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** After the answer: caches first, then browsers hear of it, in order. */
async function deliver(env: Env, event: WebhookEvent, fanout: Fanout): Promise<void> {
  await invalidate(env, event);
  for (const { event: frame, audience } of fanout) await broadcast(env, frame, audience);
}

export const webhook = new Hono<AppEnv>().post("/waha/webhook", async (c) => {
  const { config } = c.var;
  const tooLarge = () =>
    apiError(413, "payload-too-large", `a webhook body may be at most ${MAX_BODY_BYTES} bytes`);
  if (Number(c.req.header("Content-Length") ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const raw = await c.req.arrayBuffer();
  if (raw.byteLength > MAX_BODY_BYTES) throw tooLarge();
  const check = await verifyWebhook(config.WAHA_WEBHOOK_HMAC_KEY, raw, c.req.raw.headers);
  if (!check.ok) {
    count("webhooks.rejected");
    console.log(`[webhook] refused: ${check.error}`);
    throw apiError(401, check.error, check.message);
  }

  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw apiError(400, "invalid-request", "body: is not valid JSON");
  }
  const envelope = parseInput(envelopeSchema, body);
  const requestId = parseInput(z.object({ "X-Webhook-Request-Id": requestIdSchema }), {
    "X-Webhook-Request-Id": c.req.header("X-Webhook-Request-Id"),
  })["X-Webhook-Request-Id"];

  const now = Date.now();
  // The headers are not signed; the envelope's own id and time are, so a captured body
  // replayed with fresh headers is still recognised and refused.
  if (envelope.timestamp !== undefined && Math.abs(now - envelope.timestamp) > WEBHOOK_MAX_AGE_MS) {
    count("webhooks.rejected");
    throw apiError(
      401,
      "stale-webhook",
      "the envelope's timestamp is more than 5 minutes from now",
    );
  }
  const event: WebhookEvent =
    envelope.session === config.WAHA_SESSION
      ? decide(envelope.event, envelope.payload, now)
      : { kind: "ignored", reason: `session ${envelope.session} is not ${config.WAHA_SESSION}` };
  count(`webhooks.received:${envelope.event}`);
  if (event.kind === "ignored") return c.json({ status: "ignored", reason: event.reason });

  const keys = [
    `request:${requestId}`,
    ...(envelope.id ? [`envelope:${envelope.id}`] : []),
    ...eventKeys(event),
  ];
  const claimed = await claimWebhookKeys(c.env.DB, keys, now, now + RECEIPT_TTL_MS);
  if (!claimed.every(Boolean)) {
    // A duplicate changes nothing: keys this call did claim are given back.
    await releaseWebhookKeys(
      c.env.DB,
      keys.filter((_, i) => claimed[i]),
    );
    count("webhooks.duplicate");
    return c.json({ status: "duplicate" });
  }

  let fanout: Fanout;
  try {
    fanout = await apply(c.env.DB, event, new Date(now).toISOString());
  } catch (err) {
    // Unclaim so WAHA's retry of this delivery is processed rather than skipped.
    await releaseWebhookKeys(c.env.DB, keys).catch(() => undefined);
    throw err;
  }
  c.executionCtx.waitUntil(deliver(c.env, event, fanout));
  return c.json({ status: "accepted" });
});
