/**
 * POST /api/waha/webhook/{numberId}: a number's WAHA events (POST /api/waha/webhook is the
 * `default` number's; 404 number-not-found for a number the gateway does not serve).
 * Signed with that number's key and recent, or refused (401); not JSON,
 * 400; anything else answered 200, `ignored` with a reason when the gateway cannot use
 * it (WAHA retries every other answer); `kept` for a receipt, edit, reaction or deletion
 * whose message is not stored yet (applied when it is). Each event is applied to the message store in
 * one D1 batch with its assignment effects, and browsers hear of it only when the store
 * changed, so a replayed or duplicated event (or WAHA's `message.any` for a message
 * this gateway sent and announced itself) is announced once.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { apiError } from "../lib/errors.ts";
import { canonicalJid } from "../lib/ids/jids.ts";
import { prefetchMedia } from "../lib/media/prefetch.ts";
import { count } from "../lib/monitoring/metrics.ts";
import { broadcastAll, type Fanout } from "../lib/realtime/broadcast.ts";
import { applyEvent } from "../lib/store/apply-webhook.ts";
import {
  claimWebhookKeys,
  isDuplicateClaim,
  releaseWebhookKeys,
} from "../lib/store/webhook-claims.ts";
import type { AppEnv } from "../lib/types.ts";
import { invalidateSession } from "../lib/waha/cached-reads.ts";
import { DEFAULT_NUMBER, numberById } from "../lib/waha/numbers.ts";
import { webhookHeard } from "../lib/waha/session-silence.ts";
import { decideEvent, type WebhookEvent } from "../lib/waha/webhook-events.ts";
import { verifyWebhook, WEBHOOK_MAX_AGE_MS } from "../lib/waha/webhook-verify.ts";

/** WAHA sends media as URLs, so a webhook body is small; anything far bigger is refused. */
const MAX_BODY_BYTES = 1_048_576;
/** How long a delivery is remembered: well past WAHA's retries and the 5-minute window. */
const RECEIPT_TTL_MS = 24 * 3_600_000;

const envelopeSchema = z.looseObject({
  id: z.optional(z.string().check(z.maxLength(256))),
  timestamp: z.optional(z.number()),
  session: z.string().check(z.minLength(1)),
  event: z.string().check(z.minLength(1), z.maxLength(64)),
  payload: z.unknown(),
  me: z.optional(z.unknown()),
});

/** Our own number as the envelope's `me` names it; null when it names none (never a refusal). */
function ownNumber(me: unknown): string | null {
  const id = typeof me === "object" && me !== null ? (me as { id?: unknown }).id : undefined;
  return typeof id === "string" && id.includes("@") ? canonicalJid(id) : null;
}

/** After the answer: caches first, then browsers hear of it, in order; then media ahead. */
async function deliver(
  env: Env,
  number: string,
  event: WebhookEvent,
  fanout: Fanout,
  prefetch: (() => Promise<void>) | null,
): Promise<void> {
  if (event.kind === "session") {
    await invalidateSession(env, number).catch((err: unknown) => {
      console.error(
        `[webhook] cache invalidation failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  }
  await broadcastAll(env, number, fanout);
  if (prefetch) await prefetch();
}

async function receive(c: Context<AppEnv>, numberId: string): Promise<Response> {
  const { config } = c.var;
  const wa = numberById(config, numberId);
  if (wa === undefined) {
    throw apiError(404, "number-not-found", `this gateway serves no number ${numberId}`);
  }
  const tooLarge = () =>
    apiError(413, "payload-too-large", `a webhook body may be at most ${MAX_BODY_BYTES} bytes`);
  if (Number(c.req.header("Content-Length") ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const raw = await c.req.arrayBuffer();
  if (raw.byteLength > MAX_BODY_BYTES) throw tooLarge();
  const check = await verifyWebhook(wa.webhookHmacKey, raw, c.req.raw.headers);
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
  const ignore = (reason: string) => {
    count("webhooks.ignored");
    return c.json({ status: "ignored", reason });
  };
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return ignore(`envelope ${issue?.path.join(".") || "body"}: ${issue?.message ?? "is invalid"}`);
  }
  const envelope = parsed.data;
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
  count(`webhooks.received:${envelope.event}`);
  if (envelope.session !== wa.session) {
    return ignore(`session ${envelope.session} is not ${wa.session}`);
  }
  // Whatever it says, a signed delivery for our session proves its webhooks flow (not SILENT).
  c.executionCtx.waitUntil(webhookHeard(c.env, wa.id, now));
  const event = decideEvent(envelope.event, envelope.payload, now, ownNumber(envelope.me));
  if (event.kind === "ignored") return ignore(event.reason);

  const requestId = c.req.header("X-Webhook-Request-Id")?.slice(0, 256);
  const keys = [
    ...(requestId ? [`request:${requestId}`] : []),
    ...(envelope.id ? [`envelope:${envelope.id}`] : []),
  ];
  const claims = claimWebhookKeys(c.env.DB, keys, now, now + RECEIPT_TTL_MS);
  let applied: Fanout | "kept";
  try {
    applied = await applyEvent(c.env, wa, event, now, claims);
  } catch (err) {
    if (isDuplicateClaim(err)) {
      count("webhooks.duplicate");
      return c.json({ status: "duplicate" });
    }
    // Unclaim so WAHA's retry of this delivery is processed rather than skipped.
    await releaseWebhookKeys(c.env.DB, keys).catch(() => undefined);
    throw err;
  }
  // A change that came before its message waits for it (applied when it is stored).
  if (applied === "kept") return c.json({ status: "kept" });
  const fanout = applied;
  // New media that WAHA downloaded for this webhook is fetched while WAHA still has it.
  const stored = fanout.find((f) => f.event.type === "message.new")?.event;
  const prefetch =
    config.WA_MEDIA_PREFETCH === "on" &&
    event.kind === "message" &&
    event.mediaUrl &&
    stored?.type === "message.new"
      ? () =>
          prefetchMedia(
            c.env,
            { colo: String(c.req.raw.cf?.colo ?? "local"), origin: new URL(c.req.url).origin },
            wa.id,
            stored.jid,
            stored.message.id,
            config.WA_MEDIA_CACHE_MAX_BYTES,
          )
      : null;
  c.executionCtx.waitUntil(deliver(c.env, wa.id, event, fanout, prefetch));
  return c.json({ status: fanout.length > 0 ? "accepted" : "unchanged" });
}

export const webhook = new Hono<AppEnv>()
  .post("/waha/webhook", (c) => receive(c, DEFAULT_NUMBER))
  .post("/waha/webhook/:number", (c) => receive(c, c.req.param("number")));
