/**
 * Realtime: a signed-in browser trades its bearer token for a one-use ticket, then opens
 * the WebSocket with the ticket (browsers cannot set headers on a WebSocket).
 */
import { Hono } from "hono";
import type { RealtimeTicket } from "../lib/contracts/api.ts";
import { apiError } from "../lib/errors.ts";
import { connect, issueTicket } from "../lib/realtime/broadcast.ts";
import type { AppEnv } from "../lib/types.ts";

const TICKET = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * POST /api/realtime/ticket (bearer) → `{ticket, expiresAt}` (ISO time, 30 s ahead), or
 * 429 too-many-sockets with Retry-After while the user holds SOCKET_MAX_PER_USER sockets.
 */
export const realtimeTicket = new Hono<AppEnv>().post("/realtime/ticket", async (c) => {
  const issued = await issueTicket(c.env, c.var.user, c.var.tokenExpiresAt);
  if (issued.status === "too-many-sockets") {
    throw apiError(429, "too-many-sockets", issued.message, issued.retryAfterMs);
  }
  const { ticket, expiresAt, seq } = issued;
  c.header("Cache-Control", "no-store");
  const answer: RealtimeTicket = { ticket, expiresAt: new Date(expiresAt).toISOString(), seq };
  return c.json(answer);
});

/** GET /api/realtime?ticket= (public): no usable ticket → 401 before any upgrade. */
export const realtimeUpgrade = new Hono<AppEnv>().get("/realtime", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw apiError(426, "upgrade-required", "open this URL as a WebSocket");
  }
  const ticket = c.req.query("ticket");
  if (!ticket)
    throw apiError(401, "unauthorized", "a ticket is required: POST /api/realtime/ticket");
  if (!TICKET.test(ticket)) throw apiError(401, "unauthorized", "the ticket is unknown or used");
  const since = c.req.query("since");
  if (since !== undefined && !/^\d{1,15}$/.test(since)) {
    throw apiError(400, "invalid-request", "since: must be the seq of a frame received");
  }
  return connect(
    c.env,
    ticket,
    c.var.config.SOCKET_MAX_BUFFER_BYTES,
    since === undefined ? null : Number(since),
  );
});
