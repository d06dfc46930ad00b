/**
 * The realtime connection: a fresh one-use ticket, then the WebSocket; `ping` every
 * pingInterval with a deadline for `pong`; reconnects with slow jittered backoff that
 * resets once a connection has stayed up for a while, asking for what it missed with the
 * last `seq` it saw (the gateway replays it, or sends `resync` when it is gone). A
 * reconnect signs in on the upgrade itself where `resume` allows (one request, no ticket);
 * when such a socket fails before it opens, the next attempt takes a ticket at once, whose
 * answer says why (401, 429 with Retry-After). A close because the sign-in expired is
 * reconnected at once: with whatever sign-in the page holds by then.
 */
import { ApiError } from "./api-error.ts";
import { type BackoffOptions, reconnectDelay } from "./backoff.ts";
import { parseRealtimeFrame, type RealtimeEvent } from "./realtime-events.ts";
import { type Cancel, type Scheduler, systemScheduler } from "./scheduler.ts";

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: string): void;
  onClose(code: number, reason: string): void;
}

export interface RealtimeSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type OpenSocket = (
  url: string,
  handlers: SocketHandlers,
  protocols?: string[],
) => RealtimeSocket;

/** The browser's WebSocket behind the small interface the connection needs. */
export const browserSocket: OpenSocket = (url, handlers, protocols = []) => {
  const ws = new WebSocket(url, protocols);
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (event) => {
    if (typeof event.data === "string") handlers.onMessage(event.data);
  };
  // An error is always followed by close, which is where reconnecting happens.
  ws.onclose = (event) => handlers.onClose(event.code, event.reason);
  return ws;
};

/** `ws:` or `wss:` to match the page, same host; `since` asks for the frames after that seq. */
export function realtimeUrl(
  location: { protocol: string; host: string },
  ticket: string,
  since?: number,
): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const replay = since === undefined ? "" : `&since=${since}`;
  return `${scheme}//${location.host}/api/realtime?ticket=${encodeURIComponent(ticket)}${replay}`;
}

/**
 * A reconnect without a ticket (`GET /api/realtime?number=&since=`): the page's bearer
 * token goes as the subprotocol `bearer.<token>` next to `wa-edge`; a page signed in by
 * cookie offers none, and its browser sends the cookie and the page's Origin.
 */
export function resumeSocket(
  location: { protocol: string; host: string },
  since: number,
  number: string,
  token: string | undefined,
): { url: string; protocols: string[] } {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams({ since: String(since) });
  if (number !== "") query.set("number", number);
  return {
    url: `${scheme}//${location.host}/api/realtime?${query}`,
    protocols: token === undefined ? [] : ["wa-edge", `bearer.${token}`],
  };
}

export interface RealtimeOptions {
  /**
   * A fresh ticket for each connection attempt that takes one (`POST /api/realtime/ticket`:
   * the first, every one without `resume`, and the one after a resumed upgrade failed),
   * with the newest seq at the time: the first connection replays from it, so a page that
   * takes its first ticket before loading its lists misses nothing in between.
   */
  ticket: () => Promise<{ ticket: string; seq?: number }>;
  url: (ticket: string, since: number | undefined) => string;
  /** A reconnect from `since` that signs in on the upgrade (resumeSocket); absent: tickets only. */
  resume?: (since: number) => { url: string; protocols: string[] };
  pingIntervalMs: number;
  /** How long a `ping` may go unanswered before the socket counts as dead (default 10 s). */
  pongTimeoutMs?: number;
  /** Reconnect delays: the parts of RECONNECT_BACKOFF to change. */
  backoff?: BackoffOptions;
  /** How long a connection must stay up before the backoff starts over (default 30 s). */
  stableMs?: number;
  /** A frame, with its seq (undefined only for frames that carry none). */
  onEvent: (event: RealtimeEvent, seq: number | undefined) => void;
  /**
   * True once the socket has proved it delivers (a pong or an event), false when it drops
   * or is doubted (`probe`).
   */
  onLiveChange?: (live: boolean) => void;
  /** The gateway showed itself on the socket (it opened, a frame came): it is there. */
  onAnswer?: () => void;
  onReconnectScheduled?: (delayMs: number, attempt: number) => void;
  /**
   * A ticket was refused with 401 or 403: the connection stops for good (a 403: this user
   * may not use that number, e.g. an admin took it away and the gateway closed its socket).
   */
  onRefused?: (status: 401 | 403) => void;
  openSocket?: OpenSocket;
  scheduler?: Scheduler;
  random?: () => number;
}

/** Closed by us because the server stopped answering pings. */
const PONG_TIMEOUT_CLOSE = 4000;
/** Closed by the gateway because the token the socket was opened with has expired. */
const SIGN_IN_EXPIRED_CLOSE = 4001;

/**
 * The code to answer a close from the other side with (RFC 6455 §5.5.1), or undefined when
 * no close frame came (1005, 1006, 1015: nobody to answer). Pages may only send 1000 or
 * 3000–4999.
 */
function answerTo(code: number): number | undefined {
  if (code === 1005 || code === 1006 || code === 1015) return undefined;
  return code >= 3000 && code <= 4999 ? code : 1000;
}

export class RealtimeConnection {
  readonly #options: RealtimeOptions;
  readonly #clock: Scheduler;
  readonly #openSocket: OpenSocket;
  readonly #random: () => number;

  #running = false;
  #socket: RealtimeSocket | undefined;
  #generation = 0;
  #live = false;
  /** Failed attempts since the last stable connection; drives the backoff. */
  #attempt = 0;
  /** The newest seq seen (or the first ticket's): the next connection replays after it. */
  #since: number | undefined;
  /** A socket opened by `resume` failed before it opened: the next one takes a ticket. */
  #resumeFailed = false;
  #timers = new Map<"ping" | "pong" | "stable" | "reconnect", Cancel>();

  constructor(options: RealtimeOptions) {
    this.#options = options;
    this.#clock = options.scheduler ?? systemScheduler;
    this.#openSocket = options.openSocket ?? browserSocket;
    this.#random = options.random ?? Math.random;
  }

  get live(): boolean {
    return this.#live;
  }

  /** The seq the next connection asks to replay after. */
  get since(): number | undefined {
    return this.#since;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#connect();
  }

  /**
   * A call just found no gateway: a socket that claims to be live proves it with a ping
   * sent now, and counts as not live until the pong (or is given up at the deadline).
   */
  probe(): void {
    if (!this.#running || !this.#live) return;
    this.#setLive(false);
    this.#ping();
  }

  /** The network is back: a reconnect waiting out its backoff goes now. */
  reconnectNow(): void {
    if (!this.#running || !this.#timers.has("reconnect")) return;
    this.#cancel("reconnect");
    void this.#connect();
  }

  stop(): void {
    this.#running = false;
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, "signed out");
    this.#setLive(false);
  }

  async #connect(): Promise<void> {
    const since = this.#since;
    if (since !== undefined && !this.#resumeFailed && this.#options.resume) {
      const { url, protocols } = this.#options.resume(since);
      this.#open(url, protocols, true);
      return;
    }
    let ticket: string;
    try {
      const issued = await this.#options.ticket();
      ticket = issued.ticket;
      if (this.#since === undefined && issued.seq !== undefined) this.#since = issued.seq;
    } catch (error) {
      if (!this.#running) return;
      // A rejected token will not get better by retrying; the page signs out instead.
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        this.stop();
        this.#options.onRefused?.(error.status);
        return;
      }
      this.#scheduleReconnect(error instanceof ApiError ? error.retryAfterMs : undefined);
      return;
    }
    if (!this.#running) return;
    this.#open(this.#options.url(ticket, this.#since), [], false);
  }

  #open(url: string, protocols: string[], resumed: boolean): void {
    // Events from a socket we have already given up on must not touch the current one.
    const generation = ++this.#generation;
    const current = () => generation === this.#generation && this.#socket !== undefined;
    let opened = false;
    const handlers: SocketHandlers = {
      onOpen: () => {
        opened = true;
        if (current()) this.#opened();
      },
      onMessage: (data) => {
        if (current()) this.#received(data);
      },
      onClose: (code, reason) => {
        if (!current()) return;
        if (resumed && !opened) {
          // The browser does not say why an upgrade failed; a ticket's answer will.
          this.#resumeFailed = true;
          this.#socket = undefined;
          void this.#connect();
          return;
        }
        this.#socketClosed(code, reason);
      },
    };
    try {
      this.#socket = this.#openSocket(url, handlers, protocols);
    } catch {
      this.#scheduleReconnect(undefined);
    }
  }

  #opened(): void {
    this.#resumeFailed = false;
    this.#options.onAnswer?.();
    // Ping at once: the socket counts as live only after the first answer arrives.
    this.#ping();
    this.#timer("stable", this.#options.stableMs ?? 30_000, () => {
      this.#attempt = 0;
    });
  }

  #ping(): void {
    this.#socket?.send("ping");
    if (!this.#timers.has("pong")) {
      this.#timer("pong", this.#options.pongTimeoutMs ?? 10_000, () => {
        const socket = this.#socket;
        this.#closed();
        socket?.close(PONG_TIMEOUT_CLOSE, "no pong");
      });
    }
    this.#timer("ping", this.#options.pingIntervalMs, () => this.#ping());
  }

  #received(data: string): void {
    this.#cancel("pong");
    this.#options.onAnswer?.();
    this.#setLive(true);
    if (data === "pong") return;
    const frame = parseRealtimeFrame(data);
    if (!frame) return;
    if (frame.seq !== undefined && (this.#since === undefined || frame.seq > this.#since)) {
      this.#since = frame.seq;
    }
    this.#options.onEvent(frame.event, frame.seq);
  }

  /** The other side closed the socket (or the browser found it dead). */
  #socketClosed(code: number, reason: string): void {
    const socket = this.#socket;
    // Browsers answer a close by themselves; other sockets may wait for us to, and stay CLOSING.
    const answer = answerTo(code);
    if (answer !== undefined) {
      try {
        socket?.close(answer, reason);
      } catch {
        // Already closed: nothing left to answer.
      }
    }
    this.#closed(code === SIGN_IN_EXPIRED_CLOSE);
  }

  /** `atOnce`: a connection that was fine ended on purpose, so it comes back without waiting. */
  #closed(atOnce = false): void {
    this.#socket = undefined;
    for (const name of ["ping", "pong", "stable"] as const) this.#cancel(name);
    this.#setLive(false);
    if (this.#running) this.#scheduleReconnect(undefined, atOnce);
  }

  #scheduleReconnect(retryAfterMs: number | undefined, atOnce = false): void {
    // At once only after a connection that was fine; the next one in a row waits its turn,
    // so a sign-in that expires again at once cannot make the page spin.
    if (atOnce && this.#attempt === 0) {
      this.#attempt += 1;
      void this.#connect();
      return;
    }
    const delay = Math.max(
      reconnectDelay(this.#attempt, this.#options.backoff, this.#random),
      retryAfterMs ?? 0,
    );
    this.#attempt += 1;
    this.#options.onReconnectScheduled?.(delay, this.#attempt);
    this.#timer("reconnect", delay, () => void this.#connect());
  }

  #setLive(live: boolean): void {
    if (this.#live === live) return;
    this.#live = live;
    this.#options.onLiveChange?.(live);
  }

  #timer(name: "ping" | "pong" | "stable" | "reconnect", ms: number, fn: () => void): void {
    this.#cancel(name);
    this.#timers.set(
      name,
      this.#clock.after(ms, () => {
        this.#timers.delete(name);
        fn();
      }),
    );
  }

  #cancel(name: "ping" | "pong" | "stable" | "reconnect"): void {
    this.#timers.get(name)?.();
    this.#timers.delete(name);
  }
}
