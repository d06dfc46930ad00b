/**
 * The browser's client for the gateway: bearer token on every call, JSON in and out, and
 * every non-2xx answer thrown as an ApiError carrying its status and Retry-After.
 */
import { ApiError, apiErrorFrom, networkError, noGatewayAnswer } from "./api-error.ts";
import type {
  Agent,
  Chat,
  ChatAssignment,
  Me,
  Message,
  MonitoringStats,
  OutboxEntry,
  PollingConfig,
  RealtimeTicket,
  SearchHit,
  SendAnswer,
  SetupReport,
  StatusSnapshot,
  WaNumber,
} from "./types.ts";

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** The current token, read at every call; undefined sends no Authorization header. */
  token: () => string | undefined;
  /** Prefix for every path; "" (the default) is the page's own origin. */
  baseUrl?: string;
  fetch?: FetchFn;
  now?: () => number;
  /** Called on every 401, before the error is thrown, so the page can sign out once. */
  onUnauthorized?: (error: ApiError) => void;
  /** Called with every failed call, so the page can tell when WAHA or the gateway is away. */
  onFailure?: (error: ApiError) => void;
  /** Called whenever the gateway itself answered (its refusals too), before the caller hears. */
  onAnswer?: () => void;
}

export interface SendOptions {
  clientId: string;
  replyTo?: string | undefined;
  /** The WhatsApp number the chat is on ("" or absent: the gateway's only one). */
  number?: string | undefined;
}

/**
 * `?number=…` for a chat-scoped call, or "" when the page knows no numbers (a gateway with
 * one number takes a call without it as that number's).
 */
function numberQuery(number: string | undefined, prefix = "?"): string {
  return number ? `${prefix}number=${encodeURIComponent(number)}` : "";
}

/** `{number}` for a JSON body, or nothing. */
function numberField(number: string | undefined): { number?: string } {
  return number ? { number } : {};
}

export class ApiClient {
  readonly #token: () => string | undefined;
  readonly #baseUrl: string;
  readonly #fetch: FetchFn;
  readonly #now: () => number;
  readonly #onUnauthorized: ((error: ApiError) => void) | undefined;
  readonly #onFailure: ((error: ApiError) => void) | undefined;
  readonly #onAnswer: (() => void) | undefined;

  constructor(options: ApiClientOptions) {
    this.#token = options.token;
    this.#baseUrl = options.baseUrl ?? "";
    // Bound so that a page's window.fetch is not called with the client as `this`.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#onUnauthorized = options.onUnauthorized;
    this.#onFailure = options.onFailure;
    this.#onAnswer = options.onAnswer;
  }

  /** One call; resolves with the 2xx Response, throws ApiError otherwise. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = this.#token();
    if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
    let res: Response;
    try {
      res = await this.#fetch(`${this.#baseUrl}${path}`, { ...init, headers });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      const error = networkError(err);
      this.#onFailure?.(error);
      throw error;
    }
    if (res.ok) {
      this.#onAnswer?.();
      return res;
    }
    const error = await apiErrorFrom(res, this.#now());
    if (!noGatewayAnswer(error)) this.#onAnswer?.();
    if (error.status === 401) this.#onUnauthorized?.(error);
    this.#onFailure?.(error);
    throw error;
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await this.request(path, init);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  send<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
    return this.json<T>(path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
  }

  me(): Promise<Me> {
    return this.json("/api/me");
  }

  pollingConfig(): Promise<PollingConfig> {
    return this.json("/api/config/polling");
  }

  /** `/api/waha/status` with its cache headers: a STALE answer means WAHA did not answer. */
  async wahaStatus(number?: string): Promise<StatusSnapshot> {
    const res = await this.request(`/api/waha/status${numberQuery(number)}`);
    const body: unknown = await res.json();
    const age = Number(res.headers.get("Age") ?? "0");
    return {
      status: sessionStatusOf(body),
      tier: serverField(body, "tier"),
      engine: serverField(body, "engine"),
      cache: res.headers.get("X-Cache-Status"),
      ageMs: Number.isFinite(age) && age > 0 ? age * 1000 : 0,
      silent: typeof body === "object" && body !== null && "silent" in body && body.silent === true,
    };
  }

  /** What the gateway finds wrong with WAHA's setup (admins). */
  wahaSetup(number?: string): Promise<SetupReport> {
    return this.json(`/api/waha/setup${numberQuery(number)}`);
  }

  /** Writes the recommended setup into WAHA's session config; answers the fresh findings. */
  applyWahaSetup(number?: string): Promise<SetupReport> {
    return this.send("POST", `/api/waha/setup/apply${numberQuery(number)}`);
  }

  /** The pairing QR (admins, while the session waits for a scan). */
  async qr(number?: string): Promise<Blob> {
    return (await this.request(`/api/waha/qr${numberQuery(number)}`)).blob();
  }

  /**
   * The WhatsApp numbers this user may see; undefined from a gateway that names none (404):
   * it has one number, and every call without `number` is that number's.
   */
  async numbers(): Promise<WaNumber[] | undefined> {
    try {
      return await this.json<WaNumber[]>("/api/numbers");
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * The chats of `number`, or of every number the user may see (newest first); each names
   * its number ("" from a gateway that names none).
   */
  async chats(number?: string): Promise<Chat[]> {
    const chats = await this.json<Array<Omit<Chat, "number"> & { number?: unknown }>>(
      `/api/wa/chats${numberQuery(number)}`,
    );
    return chats.map((c) => ({
      ...c,
      number: typeof c.number === "string" ? c.number : (number ?? ""),
    }));
  }

  /** Chats nobody owns yet: the queue agents take from. */
  unassignedChats(): Promise<Chat[]> {
    return this.json("/api/wa/chats?queue=unassigned");
  }

  /** An agent takes an unassigned chat for itself. */
  take(jid: string): Promise<ChatAssignment> {
    return this.send("POST", `/api/wa/assignments/${encodeURIComponent(jid)}/take`);
  }

  /** A contact's picture from the chat's `avatarUrl` (a path on the gateway). */
  async avatar(avatarUrl: string): Promise<Blob> {
    return (await this.request(avatarUrl)).blob();
  }

  /** Our own text, changed (WhatsApp allows it for 15 minutes). */
  editMessage(jid: string, id: string, text: string): Promise<unknown> {
    const query = new URLSearchParams({ jid });
    return this.send("PATCH", `/api/wa/messages/${encodeURIComponent(id)}?${query}`, { text });
  }

  /** Our own message, deleted for everyone. */
  deleteMessage(jid: string, id: string): Promise<unknown> {
    const query = new URLSearchParams({ jid });
    return this.send("DELETE", `/api/wa/messages/${encodeURIComponent(id)}?${query}`);
  }

  /** A chat's messages, newest first; with `beforeId`, the page older than that message. */
  messages(
    jid: string,
    options: { limit?: number; beforeId?: string; number?: string } = {},
  ): Promise<Message[]> {
    const query = new URLSearchParams({ jid, limit: String(options.limit ?? 50) });
    if (options.beforeId !== undefined) query.set("beforeId", options.beforeId);
    if (options.number) query.set("number", options.number);
    return this.json(`/api/wa/messages?${query}`);
  }

  search(
    q: string,
    options: { jid?: string; limit?: number; number?: string } = {},
  ): Promise<SearchHit[]> {
    const query = new URLSearchParams({ q, limit: String(options.limit ?? 20) });
    if (options.jid !== undefined) query.set("jid", options.jid);
    if (options.number) query.set("number", options.number);
    return this.json(`/api/wa/search?${query}`);
  }

  sendText(jid: string, text: string, options: SendOptions): Promise<SendAnswer> {
    return this.send("POST", "/api/wa/send-text", {
      ...numberField(options.number),
      jid,
      text,
      clientId: options.clientId,
      ...(options.replyTo ? { replyTo: options.replyTo } : {}),
    });
  }

  /** An image or document (WAHA Plus only; Core answers 422 `waha-plus-required`). */
  sendMedia(
    jid: string,
    file: Blob,
    filename: string,
    options: SendOptions & { caption?: string },
  ): Promise<SendAnswer> {
    const form = new FormData();
    if (options.number) form.set("number", options.number);
    form.set("jid", jid);
    form.set("clientId", options.clientId);
    form.set("file", file, filename);
    if (options.caption) form.set("caption", options.caption);
    if (options.replyTo) form.set("replyTo", options.replyTo);
    return this.json("/api/wa/send-media", { method: "POST", body: form });
  }

  /** Reacts to a message; "" takes the reaction back. */
  react(jid: string, id: string, reaction: string, number?: string): Promise<SendAnswer> {
    return this.send("POST", "/api/wa/react", { ...numberField(number), jid, id, reaction });
  }

  /** Sends of `number` that wait for WAHA or failed. */
  outbox(number?: string): Promise<OutboxEntry[]> {
    return this.json(`/api/wa/outbox${numberQuery(number)}`);
  }

  retryOutbox(clientId: string, number?: string): Promise<SendAnswer> {
    const path = `/api/wa/outbox/${encodeURIComponent(clientId)}/retry${numberQuery(number)}`;
    return this.send("POST", path);
  }

  markRead(jid: string, number?: string): Promise<unknown> {
    return this.send("POST", "/api/wa/mark-read", { ...numberField(number), jid });
  }

  agents(): Promise<Agent[]> {
    return this.json("/api/agents");
  }

  /** The agents a user may be given (PATCH): `numbers` null works every number. */
  updateAgent(id: string, change: { numbers: string[] | null }): Promise<Agent> {
    return this.send("PATCH", `/api/agents/${encodeURIComponent(id)}`, change);
  }

  /** Assigns the chat to `agentId`, or unassigns it when null. */
  assign(jid: string, agentId: string | null, number?: string): Promise<ChatAssignment> {
    const path = `/api/wa/assignments/${encodeURIComponent(jid)}${numberQuery(number)}`;
    return agentId === null ? this.send("DELETE", path) : this.send("PUT", path, { agentId });
  }

  /** The chat's assignment with its first-message and first-response times; null when none. */
  async assignment(jid: string, number?: string): Promise<ChatAssignment | null> {
    try {
      return await this.json(
        `/api/wa/assignments/${encodeURIComponent(jid)}${numberQuery(number)}`,
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  assignments(number?: string): Promise<ChatAssignment[]> {
    return this.json(`/api/wa/assignments${numberQuery(number)}`);
  }

  stats(): Promise<MonitoringStats> {
    return this.json("/api/waha/monitoring/stats");
  }

  /** A ticket for `number`'s realtime hub (one socket per number). */
  /** The token calls are signed with now (undefined: the page is signed in by cookie). */
  token(): string | undefined {
    return this.#token();
  }

  realtimeTicket(number?: string): Promise<RealtimeTicket> {
    return this.send("POST", "/api/realtime/ticket", number ? { number } : undefined);
  }

  /** The media bytes of one message, for the media queue. */
  async media(jid: string, id: string, signal?: AbortSignal, number?: string): Promise<Blob> {
    const query = new URLSearchParams({ ...numberField(number), jid, id });
    const res = await this.request(`/api/wa/media?${query}`, signal ? { signal } : {});
    return res.blob();
  }
}

/**
 * The WAHA session status inside a `/api/waha/status` answer. Accepts the shapes a
 * status route may reasonably give (`{session:{status}}`, `{status}`, `{session:"…"}`).
 */
export function sessionStatusOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const session = record.session;
  if (typeof session === "string") return session;
  if (typeof session === "object" && session !== null) {
    const status = (session as Record<string, unknown>).status;
    if (typeof status === "string") return status;
  }
  return typeof record.status === "string" ? record.status : undefined;
}

function serverField(body: unknown, name: "tier" | "engine"): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const server = (body as Record<string, unknown>).server;
  if (typeof server !== "object" || server === null) return undefined;
  const value = (server as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}
