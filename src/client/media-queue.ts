/**
 * The page's media downloads: at most N in flight, one request per key however many
 * elements want it, and cooldowns that follow the gateway's Retry-After: `429 media-busy`
 * (or 503) pauses the whole queue, a failed key waits before it may be asked again, and a
 * key WhatsApp no longer has (`410 media-expired`) is never asked again.
 */
import { ApiError } from "./api-error.ts";
import { type Cancel, type Scheduler, systemScheduler } from "./scheduler.ts";

export interface MediaKey {
  jid: string;
  id: string;
  /** The WhatsApp number the chat is on; absent or "" for a gateway that names none. */
  number?: string;
}

export type MediaResult =
  | { status: "ready"; url: string; type: string }
  | { status: "failed"; code: string; message: string; retryAt: number }
  /** WhatsApp no longer has it (410): no retry will bring it back. */
  | { status: "gone"; message: string }
  | { status: "cancelled" };

export interface MediaQueueOptions {
  /** Downloads one item; throws ApiError on a non-2xx answer. */
  load: (key: MediaKey) => Promise<Blob>;
  /** Downloads in flight from this page (default 2). */
  concurrency?: number;
  /** Cooldown of a failed key whose answer had no Retry-After (default 10 s). */
  failureCooldownMs?: number;
  /** Pause of the whole queue after a 429/503 without Retry-After (default 2 s). */
  busyPauseMs?: number;
  /** Object URLs kept; the least recently used is revoked beyond this (default 200). */
  maxObjectUrls?: number;
  createObjectURL?: (blob: Blob) => string;
  revokeObjectURL?: (url: string) => void;
  scheduler?: Scheduler;
}

interface Entry {
  key: MediaKey;
  id: string;
  promise: Promise<MediaResult>;
  settle: (result: MediaResult) => void;
}

interface Cooldown {
  until: number;
  code: string;
  message: string;
}

export class MediaQueue {
  readonly #load: (key: MediaKey) => Promise<Blob>;
  readonly #concurrency: number;
  readonly #failureCooldownMs: number;
  readonly #busyPauseMs: number;
  readonly #maxObjectUrls: number;
  readonly #createObjectURL: (blob: Blob) => string;
  readonly #revokeObjectURL: (url: string) => void;
  readonly #clock: Scheduler;

  /** Insertion order is recency: a hit moves its entry to the end. */
  readonly #ready = new Map<string, { url: string; type: string }>();
  readonly #cooldowns = new Map<string, Cooldown>();
  /** Keys answered 410, with the gateway's message. */
  readonly #gone = new Map<string, string>();
  readonly #pending = new Map<string, Entry>();
  #queue: Entry[] = [];
  #active = 0;
  #pausedUntil = 0;
  #wake: Cancel | undefined;
  /** Bumped by clear(): downloads that finish afterwards belong to a signed-out page. */
  #epoch = 0;

  constructor(options: MediaQueueOptions) {
    const concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
    }
    this.#load = options.load;
    this.#concurrency = concurrency;
    this.#failureCooldownMs = options.failureCooldownMs ?? 10_000;
    this.#busyPauseMs = options.busyPauseMs ?? 2_000;
    this.#maxObjectUrls = options.maxObjectUrls ?? 200;
    this.#createObjectURL = options.createObjectURL ?? ((blob) => URL.createObjectURL(blob));
    this.#revokeObjectURL = options.revokeObjectURL ?? ((url) => URL.revokeObjectURL(url));
    this.#clock = options.scheduler ?? systemScheduler;
  }

  /** Downloads in flight. */
  get activeCount(): number {
    return this.#active;
  }

  /** Requests waiting for a slot or for a pause to end. */
  get pendingCount(): number {
    return this.#queue.length;
  }

  /** Until when the whole queue waits after a 429/503 (0 when it does not). */
  get pausedUntil(): number {
    return this.#pausedUntil > this.#clock.now() ? this.#pausedUntil : 0;
  }

  /**
   * The object URL of one item. Asking for a key that is downloading or queued joins that
   * request; a key in its cooldown answers `failed` at once without a request.
   */
  get(key: MediaKey): Promise<MediaResult> {
    const id = keyId(key);
    const ready = this.#ready.get(id);
    if (ready) {
      this.#ready.delete(id);
      this.#ready.set(id, ready);
      return Promise.resolve({ status: "ready", ...ready });
    }
    const gone = this.#gone.get(id);
    if (gone !== undefined) return Promise.resolve({ status: "gone", message: gone });
    const cooling = this.#cooling(id);
    if (cooling) return Promise.resolve(cooling);
    const pending = this.#pending.get(id);
    if (pending) return pending.promise;

    let settle: (result: MediaResult) => void = () => {};
    const promise = new Promise<MediaResult>((resolve) => {
      settle = resolve;
    });
    const entry: Entry = { key, id, promise, settle };
    this.#pending.set(id, entry);
    this.#queue.push(entry);
    this.#pump();
    return promise;
  }

  /** Drops every request still waiting (not the ones downloading), e.g. on leaving a chat. */
  cancelQueued(): void {
    const dropped = this.#queue;
    this.#queue = [];
    for (const entry of dropped) this.#finish(entry, { status: "cancelled" });
  }

  /** Cancels what waits and revokes every object URL (sign-out). */
  clear(): void {
    this.#epoch += 1;
    this.cancelQueued();
    for (const entry of this.#pending.values()) entry.settle({ status: "cancelled" });
    this.#pending.clear();
    this.#wake?.();
    this.#wake = undefined;
    this.#pausedUntil = 0;
    for (const { url } of this.#ready.values()) this.#revokeObjectURL(url);
    this.#ready.clear();
    this.#cooldowns.clear();
    this.#gone.clear();
  }

  #cooling(id: string): MediaResult | undefined {
    const cooldown = this.#cooldowns.get(id);
    if (!cooldown) return undefined;
    if (cooldown.until <= this.#clock.now()) {
      this.#cooldowns.delete(id);
      return undefined;
    }
    return { status: "failed", ...cooldownResult(cooldown) };
  }

  #pump(): void {
    while (this.#active < this.#concurrency && this.#queue.length > 0) {
      const now = this.#clock.now();
      if (now < this.#pausedUntil) {
        this.#wake ??= this.#clock.after(this.#pausedUntil - now, () => {
          this.#wake = undefined;
          this.#pump();
        });
        return;
      }
      const entry = this.#queue.shift();
      if (entry) void this.#run(entry);
    }
  }

  async #run(entry: Entry): Promise<void> {
    const epoch = this.#epoch;
    this.#active += 1;
    try {
      const blob = await this.#load(entry.key);
      if (epoch !== this.#epoch) return;
      const ready = { url: this.#createObjectURL(blob), type: blob.type };
      this.#ready.set(entry.id, ready);
      this.#evict();
      this.#finish(entry, { status: "ready", ...ready });
    } catch (error) {
      if (epoch !== this.#epoch) return;
      const now = this.#clock.now();
      const api = error instanceof ApiError ? error : undefined;
      if (api && (api.status === 429 || api.status === 503)) {
        // The gateway is saturated, not this item: everyone waits, this one keeps its place.
        this.#pausedUntil = Math.max(
          this.#pausedUntil,
          now + (api.retryAfterMs ?? this.#busyPauseMs),
        );
        this.#queue.unshift(entry);
      } else if (api?.status === 410) {
        this.#gone.set(entry.id, api.message);
        this.#finish(entry, { status: "gone", message: api.message });
      } else {
        const cooldown: Cooldown = {
          until: now + (api?.retryAfterMs ?? this.#failureCooldownMs),
          code: api?.code ?? "media-failed",
          message: error instanceof Error ? error.message : String(error),
        };
        this.#cooldowns.set(entry.id, cooldown);
        this.#finish(entry, { status: "failed", ...cooldownResult(cooldown) });
      }
    } finally {
      this.#active -= 1;
      this.#pump();
    }
  }

  #finish(entry: Entry, result: MediaResult): void {
    this.#pending.delete(entry.id);
    entry.settle(result);
  }

  #evict(): void {
    for (const [id, { url }] of this.#ready) {
      if (this.#ready.size <= this.#maxObjectUrls) return;
      this.#ready.delete(id);
      this.#revokeObjectURL(url);
    }
  }
}

function cooldownResult(cooldown: Cooldown) {
  return { code: cooldown.code, message: cooldown.message, retryAt: cooldown.until };
}

function keyId(key: MediaKey): string {
  return `${key.number ?? ""}|${key.jid}|${key.id}`;
}
