/**
 * RealtimeHub: the one WebSocket hub. Browsers connect with a one-use ticket; their
 * sockets hibernate between events and carry tags for role and agent, so a broadcast
 * reaches staff (admin, user) and only the agents who own the chat it is about. Every
 * frame gets a `seq` that only grows and is kept a while with its audience (frame-log.ts),
 * so a browser that reconnects with `since` is sent what it missed (and may see), or
 * `resync`. One user holds at most SOCKET_MAX_PER_USER sockets.
 */

import { DurableObject } from "cloudflare:workers";
import { maySee, scopedAgent } from "../src/lib/auth/access.ts";
import { loadConfig } from "../src/lib/config.ts";
import {
  type Audience,
  type BroadcastResult,
  HOLDER_HEADER,
  type IssuedTicket,
  type TicketHolder,
} from "../src/lib/contracts/hub.ts";
import { errorResponse } from "../src/lib/errors.ts";
import type { Role } from "../src/lib/types.ts";
import { alarmBy } from "./alarm-by.ts";
import { FrameLog } from "./frame-log.ts";

export const TICKET_TTL_MS = 30_000;
/**
 * How long a user at the socket cap is told to wait: about what it takes to close a tab,
 * and long enough that a page stuck reconnecting does not knock every second.
 */
export const SOCKETS_RETRY_AFTER_MS = 30_000;

type RedeemResult =
  | { status: "ok"; holder: TicketHolder }
  | { status: "unknown" }
  | { status: "expired" };

interface SocketInfo extends TicketHolder {
  maxMessageBytes: number;
  connectedAt: number;
}

const STAFF_TAG = "staff";
const AGENT_TAG = "agent";
// The runtime refuses tags over 256 characters; such a sub owns no chat (agent ids are short).
const MAX_TAG_LENGTH = 256;

function agentTag(id: string): string {
  return `agent:${id}`;
}

/**
 * A tag per user (by `sub`, whatever the role) to count its sockets with. The runtime
 * keeps tags across hibernation, so the count survives what memory does not; hashed,
 * because a sub may be longer than a tag may be.
 */
async function userTag(sub: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sub));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"));
  return `user:${hex.join("")}`;
}

function tagsFor(holder: TicketHolder): string[] {
  const agent = scopedAgent(holder);
  if (agent === null) return [STAFF_TAG, `role:${holder.role}`];
  const own = agentTag(agent);
  return own.length <= MAX_TAG_LENGTH ? [AGENT_TAG, own] : [AGENT_TAG];
}

function newTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** UTF-8 size without encoding when the answer is clear from the length alone. */
function byteSize(message: string | ArrayBuffer, limit: number): number {
  if (typeof message !== "string") return message.byteLength;
  if (message.length > limit || message.length * 3 <= limit) return message.length;
  return new TextEncoder().encode(message).byteLength;
}

export class RealtimeHub extends DurableObject<Env> {
  private readonly log: FrameLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS socket_tickets (ticket TEXT PRIMARY KEY, role TEXT NOT NULL,
         sub TEXT NOT NULL, valid_until INTEGER NOT NULL, expires_at INTEGER NOT NULL);`,
    );
    this.log = new FrameLog(ctx.storage.sql);
    // Answered by the runtime itself, so keep-alive pings never wake a hibernating hub.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  private maxSocketsPerUser(): number {
    const loaded = loadConfig(this.env);
    // The Worker refuses every request while its config is invalid; nothing gets here then.
    if (!loaded.ok) throw new Error(`config invalid: ${loaded.errors.join("; ")}`);
    return loaded.config.SOCKET_MAX_PER_USER;
  }

  /** Whether this user's live sockets leave room for one more (counted by tag). */
  private roomFor(tag: string): boolean {
    return this.ctx.getWebSockets(tag).length < this.maxSocketsPerUser();
  }

  private tooManySockets(): string {
    return `at most ${this.maxSocketsPerUser()} live connections per user: close another tab or try again later`;
  }

  /**
   * A ticket for one connection within TICKET_TTL_MS, unless the user already holds as
   * many sockets as allowed: a browser sees that answer (not a failed upgrade's) and
   * backs off by its Retry-After.
   */
  async issueTicket(holder: TicketHolder): Promise<IssuedTicket> {
    if (!this.roomFor(await userTag(holder.sub))) {
      return {
        status: "too-many-sockets",
        message: this.tooManySockets(),
        retryAfterMs: SOCKETS_RETRY_AFTER_MS,
      };
    }
    const now = Date.now();
    this.ctx.storage.sql.exec("DELETE FROM socket_tickets WHERE expires_at <= ?", now);
    const ticket = newTicket();
    const expiresAt = Math.min(now + TICKET_TTL_MS, holder.validUntil);
    this.ctx.storage.sql.exec(
      "INSERT INTO socket_tickets (ticket, role, sub, valid_until, expires_at) VALUES (?, ?, ?, ?, ?)",
      ticket,
      holder.role,
      holder.sub,
      holder.validUntil,
      expiresAt,
    );
    // The seq to connect `since`, for a page that loads its lists after taking the ticket.
    return { status: "issued", ticket, expiresAt, seq: this.log.current() };
  }

  /** Uses a ticket up: whatever the outcome, it never works again. */
  private redeem(ticket: string, now: number): RedeemResult {
    const row = this.ctx.storage.sql
      .exec<{ role: Role; sub: string; valid_until: number; expires_at: number }>(
        "DELETE FROM socket_tickets WHERE ticket = ? RETURNING role, sub, valid_until, expires_at",
        ticket,
      )
      .toArray()[0];
    if (!row) return { status: "unknown" };
    if (row.expires_at <= now) return { status: "expired" };
    return {
      status: "ok",
      holder: { role: row.role, sub: row.sub, validUntil: row.valid_until },
    };
  }

  /**
   * The WebSocket upgrade, from the Worker's /api/realtime route, which has checked the
   * Upgrade header. The ticket and the message size limit come in the URL; a user the
   * Worker signed in on the upgrade itself comes in HOLDER_HEADER instead of a ticket.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const maxMessageBytes = Number(url.searchParams.get("maxMessageBytes"));
    const since = url.searchParams.get("since");
    const signedIn = request.headers.get(HOLDER_HEADER);
    const redeemed: RedeemResult =
      signedIn !== null
        ? { status: "ok", holder: JSON.parse(signedIn) as TicketHolder }
        : this.redeem(url.searchParams.get("ticket") ?? "", Date.now());
    if (redeemed.status !== "ok") {
      const message =
        redeemed.status === "expired" ? "the ticket has expired" : "the ticket is unknown or used";
      return errorResponse(401, "unauthorized", message);
    }
    // Tickets taken while there was room may still be more than the room left. Counting
    // and accepting run with no await between them, so two upgrades cannot both take the
    // last place.
    const own = await userTag(redeemed.holder.sub);
    if (!this.roomFor(own)) {
      return errorResponse(429, "too-many-sockets", this.tooManySockets(), SOCKETS_RETRY_AFTER_MS);
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [...tagsFor(redeemed.holder), own]);
    const info: SocketInfo = {
      ...redeemed.holder,
      maxMessageBytes:
        Number.isInteger(maxMessageBytes) && maxMessageBytes > 0 ? maxMessageBytes : 500_000,
      connectedAt: Date.now(),
    };
    server.serializeAttachment(info);
    if (since !== null)
      this.replay(server, redeemed.holder, Number(since), url.searchParams.get("number"));
    // Wake by the time this token runs out, to close its socket.
    await alarmBy(this.ctx.storage, info.validUntil);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Closes sockets whose token has expired (4001), then waits for the next one. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const ws of this.ctx.getWebSockets()) {
      const info = ws.deserializeAttachment() as SocketInfo | null;
      if (!info) continue;
      if (info.validUntil <= now) closeQuietly(ws, 4001, "the sign-in has expired");
      else next = Math.min(next, info.validUntil);
    }
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }

  /** What a reconnecting socket missed after `since` and may see, or `resync` if it is gone. */
  private replay(ws: WebSocket, holder: TicketHolder, since: number, number: string | null): void {
    const replay = this.log.replay(since, (audience) => maySee(holder, audience), Date.now());
    if (replay.status === "resync") {
      ws.send(JSON.stringify({ type: "resync", seq: replay.seq, ...(number ? { number } : {}) }));
      return;
    }
    for (const frame of replay.frames) ws.send(frame);
  }

  /** The newest seq: a browser that starts from the lists it just loaded connects with it. */
  currentSeq(): number {
    return this.log.current();
  }

  /** Several events in one call, in order (a send's stored message and its outbox status). */
  broadcastAll(
    frames: Array<{ event: Record<string, unknown>; audience: Audience }>,
  ): BroadcastResult {
    const now = Date.now();
    const total: BroadcastResult = { sent: 0, failed: 0 };
    for (const { event, audience } of frames) {
      const result = this.send(this.log.stamp(event, audience, now), audience);
      total.sent += result.sent;
      total.failed += result.failed;
    }
    // Kept for replay once every frame is on its way, in one write.
    this.log.write(now);
    return total;
  }

  /** Sends one event to its audience, stamped with its seq. */
  broadcast(event: Record<string, unknown>, audience: Audience): BroadcastResult {
    return this.broadcastAll([{ event, audience }]);
  }

  /**
   * A stamped frame to every socket of its audience. A socket that cannot take it is closed
   * with 1011 and the broadcast goes on to the others.
   */
  private send(frame: string, audience: Audience): BroadcastResult {
    const sockets =
      "everyone" in audience
        ? this.ctx.getWebSockets()
        : [
            ...this.ctx.getWebSockets(STAFF_TAG),
            ...[...new Set(audience.agents)].flatMap((id) => this.ctx.getWebSockets(agentTag(id))),
          ];
    const result: BroadcastResult = { sent: 0, failed: 0 };
    for (const ws of sockets) {
      try {
        ws.send(frame);
        result.sent++;
      } catch (err) {
        result.failed++;
        console.log(
          `[realtime] send failed, closing: ${err instanceof Error ? err.message : String(err)}`,
        );
        closeQuietly(ws, 1011, "send failed");
      }
    }
    return result;
  }

  /**
   * Closes an agent's sockets here (its numbers no longer include this hub's): frames
   * already on their way are the last it hears. Returns how many were closed.
   */
  closeAgentSockets(agent: string, code: number, reason: string): number {
    let closed = 0;
    for (const ws of this.ctx.getWebSockets(agentTag(agent))) {
      closeQuietly(ws, code, reason);
      closed++;
    }
    return closed;
  }

  /** Open sockets, for the monitoring stats. */
  connections(): { total: number; staff: number; agents: number } {
    return {
      total: this.ctx.getWebSockets().length,
      staff: this.ctx.getWebSockets(STAFF_TAG).length,
      agents: this.ctx.getWebSockets(AGENT_TAG).length,
    };
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    const limit = info?.maxMessageBytes ?? 500_000;
    if (byteSize(message, limit) > limit) {
      closeQuietly(ws, 1009, `messages are limited to ${limit} bytes`);
      return;
    }
    // Clients only ping; the runtime answers that without waking the hub, but a ping
    // that reaches an awake hub still gets its pong. Anything else is ignored.
    if (message === "ping") ws.send("pong");
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    // 1005, 1006 and 1015 were never sent by a peer (no code, gone, TLS failed): there is no
    // one to answer. Any other close is answered with its own code, as the protocol asks.
    if (UNANSWERED.has(code)) return;
    closeQuietly(ws, code, reason);
  }

  override webSocketError(ws: WebSocket): void {
    closeQuietly(ws, 1011, "socket error");
  }
}

/** Close codes that describe a connection's end and are never sent in a frame (RFC 6455 §7.4.1). */
const UNANSWERED = new Set([1005, 1006, 1015]);

/** A close frame's reason may hold 123 bytes of UTF-8 (125 less the code), cut on a character. */
export function closeReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= 123) return reason;
  let cut = 123;
  // Back off to the start of a character: continuation bytes are 10xxxxxx.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.subarray(0, cut));
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, closeReason(reason));
  } catch {
    // Already closed or closing.
  }
}
