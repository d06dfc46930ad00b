/** Helpers for webhook and realtime tests: signed WAHA deliveries and WebSocket clients. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, onTestFinished } from "vitest";
import worker from "../src/index.ts";
import type { Role } from "../src/lib/types.ts";
import { signWebhookBody } from "../src/lib/waha/webhook-verify.ts";
import { call, ORIGIN, tokenFor } from "./helpers.ts";

let sequence = 0;

export interface DeliveryOptions {
  /** null leaves the header out. */
  requestId?: string | null;
  timestamp?: number;
  /** Replaces the signature; null leaves it out. */
  hmac?: string | null;
  /** Sent instead of the JSON of the envelope. */
  rawBody?: string;
  session?: string;
  /** Waits for the work the gateway does after answering (fan-out, media fetched ahead). */
  wait?: boolean;
  /** The envelope's `engine` (WEBJS unless told). */
  engine?: string;
  /** A number's own webhook (`/api/waha/webhook/{id}`, signed with its key); else `default`'s. */
  number?: { id: string; hmacKey: string };
}

/** Posts one webhook as WAHA would: signed, stamped and with a fresh request id. */
export async function deliver(
  event: string,
  payload: unknown,
  opts: DeliveryOptions = {},
): Promise<Response> {
  const body =
    opts.rawBody ??
    JSON.stringify({
      id: `evt_${++sequence}`,
      timestamp: Date.now(),
      session: opts.session ?? "default",
      engine: opts.engine ?? "WEBJS",
      event,
      payload,
      me: { id: "15550000000@c.us", pushName: "wa-edge demo" },
    });
  const headers = new Headers({
    "Content-Type": "application/json",
    "X-Webhook-Timestamp": String(opts.timestamp ?? Date.now()),
    "X-Webhook-Hmac-Algorithm": "sha512",
  });
  const requestId = opts.requestId === undefined ? `req_${crypto.randomUUID()}` : opts.requestId;
  if (requestId !== null) headers.set("X-Webhook-Request-Id", requestId);
  const hmac =
    opts.hmac === undefined
      ? await signWebhookBody(opts.number?.hmacKey ?? env.WAHA_WEBHOOK_HMAC_KEY, body)
      : opts.hmac;
  if (hmac !== null) headers.set("X-Webhook-Hmac", hmac);
  const path = opts.number ? `/api/waha/webhook/${opts.number.id}` : "/api/waha/webhook";
  if (!opts.wait) return call(path, { method: "POST", headers, body });
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}${path}`, { method: "POST", headers, body }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

let messageSeq = 0;

/** A WAHA message payload for `chat`; inbound unless fromMe. */
export function wahaMessage(
  chat: string,
  opts: { fromMe?: boolean; body?: string; timestamp?: number; media?: { url: string } } = {},
) {
  const fromMe = opts.fromMe ?? false;
  const id = `${fromMe}_${chat}_3EB0${String(++messageSeq).padStart(16, "0")}`;
  return {
    id,
    timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000),
    from: fromMe ? "15550000000@c.us" : chat,
    fromMe,
    to: fromMe ? chat : "15550000000@c.us",
    body: opts.body ?? "hello",
    hasMedia: opts.media !== undefined,
    ...(opts.media
      ? { media: { url: opts.media.url, mimetype: "image/jpeg", filename: null } }
      : {}),
    ack: 1,
    ackName: "SERVER",
    _data: { id: { _serialized: id }, mediaKey: "engine-internal" },
  };
}

export interface Frame {
  type: string;
  [field: string]: unknown;
}

export interface Client {
  ws: WebSocket;
  /** Every frame so far, in order, without its `seq` (kept in `seqs`). */
  frames: Frame[];
  /** The seq of each frame, in order. */
  seqs: number[];
  /** The next frame not yet taken (waits for it; fails after `timeoutMs`). */
  next(timeoutMs?: number): Promise<Frame>;
  /** Resolves with the close event's code. */
  closed: Promise<number>;
  raw: string[];
}

/** A ticket for the hub of `number` (the only number's when absent). */
export async function ticketFor(
  role: Role,
  sub: string,
  ttlSeconds = 600,
  number?: string,
): Promise<string> {
  const token = await tokenFor(role, sub, ttlSeconds);
  const query = number === undefined ? "" : `?number=${number}`;
  const res = await call(`/api/realtime/ticket${query}`, { method: "POST", token });
  if (res.status !== 200) throw new Error(`ticket: ${res.status} ${await res.text()}`);
  const { ticket } = await res.json<{ ticket: string }>();
  return ticket;
}

export function upgrade(ticket: string | null, since?: number): Promise<Response> {
  const query =
    (ticket === null ? "" : `?ticket=${encodeURIComponent(ticket)}`) +
    (since === undefined ? "" : `${ticket === null ? "?" : "&"}since=${since}`);
  return call(`/api/realtime${query}`, { headers: { Upgrade: "websocket" } });
}

/**
 * An upgrade without a ticket that signs in by itself, as the inbox reconnects: the
 * bearer token as a subprotocol next to `wa-edge` (`protocols` replaces that list).
 */
export async function resume(
  role: Role,
  sub = `${role}-1`,
  options: { since?: number; number?: string; protocols?: string[]; ttlSeconds?: number } = {},
): Promise<Response> {
  const query = new URLSearchParams();
  if (options.since !== undefined) query.set("since", String(options.since));
  if (options.number !== undefined) query.set("number", options.number);
  const protocols = options.protocols ?? [
    "wa-edge",
    `bearer.${await tokenFor(role, sub, options.ttlSeconds)}`,
  ];
  return call(`/api/realtime?${query}`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": protocols.join(", ") },
  });
}

/** Signs in as role/sub, takes a ticket and opens a WebSocket that records its frames. */
export async function connect(
  role: Role,
  sub = `${role}-1`,
  ttlSeconds = 600,
  since?: number,
  number?: string,
): Promise<Client> {
  return recording(await upgrade(await ticketFor(role, sub, ttlSeconds, number), since));
}

/** The socket of an upgrade's answer, accepted, recording its frames. */
export async function recording(res: Response): Promise<Client> {
  const ws = res.webSocket;
  if (res.status !== 101 || !ws) throw new Error(`upgrade: ${res.status} ${await res.text()}`);
  ws.accept();
  const frames: Frame[] = [];
  const seqs: number[] = [];
  const raw: string[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  ws.addEventListener("message", (event) => {
    const text = typeof event.data === "string" ? event.data : "";
    raw.push(text);
    if (text.startsWith("{")) {
      const { seq, ...frame } = JSON.parse(text) as Frame & { seq?: unknown };
      if (typeof seq !== "number") throw new Error(`frame without seq: ${text}`);
      seqs.push(seq);
      frames.push(frame as Frame);
    }
    wake?.();
  });
  const closed = new Promise<number>((resolve) => {
    ws.addEventListener("close", (event) => resolve(event.code));
  });
  // A test's sockets end with it, as a closed tab's would: a user's live sockets are
  // capped (SOCKET_MAX_PER_USER), and the tests of a file share one hub.
  onTestFinished(async () => {
    try {
      ws.close(1000, "test finished");
    } catch {
      // Closed already.
    }
    await closed;
  });
  return {
    ws,
    frames,
    seqs,
    raw,
    closed,
    next(timeoutMs = 5_000) {
      const ready = frames[taken];
      if (ready) {
        taken++;
        return Promise.resolve(ready);
      }
      return new Promise<Frame>((resolve, reject) => {
        const timer = setTimeout(() => {
          wake = undefined;
          reject(new Error(`no frame within ${timeoutMs} ms`));
        }, timeoutMs);
        wake = () => {
          const frame = frames[taken];
          if (!frame) return;
          taken++;
          clearTimeout(timer);
          wake = undefined;
          resolve(frame);
        };
      });
    },
  };
}

/** Proves nothing reached `client` before now: its next frame is this session event. */
export async function expectNothingBefore(client: Client, status: string): Promise<void> {
  expect((await deliver("session.status", { name: "default", status })).status).toBe(200);
  expect(await client.next()).toEqual({ type: "session.status", status, number: "default" });
}
