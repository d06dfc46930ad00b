/**
 * The browser's client for the gateway: bearer token on every call, JSON in and out, and
 * every non-2xx answer thrown as an ApiError carrying its status and Retry-After.
 */
import { type ApiError, apiErrorFrom, networkError } from "./api-error.ts";
import type {
  Agent,
  Chat,
  ChatAssignment,
  Me,
  Message,
  PollingConfig,
  RealtimeTicket,
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
}

export class ApiClient {
  readonly #token: () => string | undefined;
  readonly #baseUrl: string;
  readonly #fetch: FetchFn;
  readonly #now: () => number;
  readonly #onUnauthorized: ((error: ApiError) => void) | undefined;

  constructor(options: ApiClientOptions) {
    this.#token = options.token;
    this.#baseUrl = options.baseUrl ?? "";
    // Bound so that a page's window.fetch is not called with the client as `this`.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#onUnauthorized = options.onUnauthorized;
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
      throw networkError(err);
    }
    if (res.ok) return res;
    const error = await apiErrorFrom(res, this.#now());
    if (error.status === 401) this.#onUnauthorized?.(error);
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

  /** `/api/waha/status`; the body's shape is read by `sessionStatusOf`. */
  wahaStatus(): Promise<unknown> {
    return this.json("/api/waha/status");
  }

  chats(): Promise<Chat[]> {
    return this.json("/api/wa/chats");
  }

  messages(jid: string, limit = 50): Promise<Message[]> {
    return this.json(`/api/wa/messages?${new URLSearchParams({ jid, limit: String(limit) })}`);
  }

  sendText(jid: string, text: string): Promise<unknown> {
    return this.send("POST", "/api/wa/send-text", { jid, text });
  }

  markRead(jid: string): Promise<unknown> {
    return this.send("POST", "/api/wa/mark-read", { jid });
  }

  agents(): Promise<Agent[]> {
    return this.json("/api/agents");
  }

  /** Assigns the chat to `agentId`, or unassigns it when null. */
  assign(jid: string, agentId: string | null): Promise<ChatAssignment> {
    const path = `/api/wa/assignments/${encodeURIComponent(jid)}`;
    return agentId === null ? this.send("DELETE", path) : this.send("PUT", path, { agentId });
  }

  realtimeTicket(): Promise<RealtimeTicket> {
    return this.send("POST", "/api/realtime/ticket");
  }

  /** The media bytes of one message, for the media queue. */
  async media(jid: string, id: string, signal?: AbortSignal): Promise<Blob> {
    const query = new URLSearchParams({ jid, id });
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
