/**
 * Realtime: a signed-in browser trades its bearer token for a one-use ticket to one
 * number's hub, then opens the WebSocket with the ticket (browsers cannot set headers on a
 * WebSocket). The ticket names its number (`<number>.<hub's ticket>`), so the upgrade goes
 * to that number's hub; a browser showing several numbers holds one socket per number.
 */
import { Hono } from "hono";
import { GRANT_MEMO_MS } from "../lib/auth/access-grants.ts";
import {
  findUpgradeCredential,
  offeredProtocols,
  REALTIME_PROTOCOL,
} from "../lib/auth/credentials.ts";
import type { RealtimeTicket } from "../lib/contracts/api.ts";
import { apiError } from "../lib/errors.ts";
import { connect, issueTicket } from "../lib/realtime/broadcast.ts";
import type { AppEnv } from "../lib/types.ts";
import { numbersOf } from "../lib/waha/numbers.ts";
import { signIn } from "../middleware/auth.ts";
import { requestNumber, resolveNumber } from "../middleware/number.ts";

/** `<number>.<ticket>`; a bare ticket is the only number's. */
const TICKET = /^(?:([a-z0-9-]{1,32})\.)?([A-Za-z0-9_-]{16,128})$/;

/**
 * POST /api/realtime/ticket (bearer; `number` in the JSON body or query, as every
 * chat-scoped route) → `{ticket, expiresAt, seq, number}` (ISO time, 30 s ahead), or 429
 * too-many-sockets with Retry-After while the user holds SOCKET_MAX_PER_USER sockets.
 */
export const realtimeTicket = new Hono<AppEnv>().post("/realtime/ticket", async (c) => {
  const number = await requestNumber(c);
  const issued = await issueTicket(c.env, number.id, c.var.user, c.var.tokenExpiresAt);
  if (issued.status === "too-many-sockets") {
    throw apiError(429, "too-many-sockets", issued.message, issued.retryAfterMs);
  }
  const { ticket, expiresAt, seq } = issued;
  c.header("Cache-Control", "no-store");
  const answer: RealtimeTicket = {
    ticket: `${number.id}.${ticket}`,
    expiresAt: new Date(expiresAt).toISOString(),
    seq,
    number: number.id,
  };
  return c.json(answer);
});

/**
 * GET /api/realtime?ticket= (public): no usable ticket → 401 before any upgrade. Without a
 * ticket, the upgrade signs in by itself (`?number=&since=`): the bearer token as the
 * subprotocol `bearer.<token>` next to `wa-edge` (credentials.ts), or an ambient sign-in
 * from an allowed Origin. That is how a page reconnects: one request instead of two, so a
 * thousand browsers coming back at once cost the hub half as much.
 */
export const realtimeUpgrade = new Hono<AppEnv>().get("/realtime", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw apiError(426, "upgrade-required", "open this URL as a WebSocket");
  }
  const since = c.req.query("since");
  if (since !== undefined && !/^\d{1,15}$/.test(since)) {
    throw apiError(400, "invalid-request", "since: must be the seq of a frame received");
  }
  const from = since === undefined ? null : Number(since);
  const maxBytes = c.var.config.SOCKET_MAX_BUFFER_BYTES;
  const ticket = c.req.query("ticket");
  if (ticket === undefined) {
    const found = findUpgradeCredential(c.req.raw, c.var.config);
    if (found.status === "missing") {
      throw apiError(
        401,
        "unauthorized",
        "a ticket is required (POST /api/realtime/ticket), or a sign-in on the upgrade",
      );
    }
    await signIn(c, found, true);
    const number = await resolveNumber(c, c.req.query("number"), GRANT_MEMO_MS);
    const holder = { role: c.var.user.role, sub: c.var.user.sub, validUntil: c.var.tokenExpiresAt };
    const res = await connect(c.env, number.id, { holder }, maxBytes, from);
    if (res.status !== 101 || !offeredProtocols(c.req.raw).includes(REALTIME_PROTOCOL)) {
      return res;
    }
    // A browser that offered subprotocols drops a socket that does not pick one.
    return new Response(null, {
      status: 101,
      webSocket: res.webSocket,
      headers: { "Sec-WebSocket-Protocol": REALTIME_PROTOCOL },
    });
  }
  const parts = TICKET.exec(ticket);
  const numbers = numbersOf(c.var.config);
  const number = parts?.[1] ?? (numbers.length === 1 ? numbers[0]?.id : undefined);
  if (!parts?.[2] || number === undefined || !numbers.some((n) => n.id === number)) {
    throw apiError(401, "unauthorized", "the ticket is unknown or used");
  }
  return connect(c.env, number, { ticket: parts[2] }, maxBytes, from);
});
