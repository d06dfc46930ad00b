/**
 * MediaKey: one per media key (session + chat + message). Callers that arrive while a
 * download is under way share it; outcomes that say "not now" (not found, upstream
 * failure, timeout) become a cooldown kept in storage, so a restart keeps it.
 */
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../src/lib/config.ts";
import { mediaFetchUrl, messageSchema, wahaPaths } from "../src/lib/waha.ts";

export interface MediaJob {
  session: string;
  jid: string;
  id: string;
  /** Short name for logs. */
  key: string;
  timeoutMs: number;
  cooldownMs: number;
  cooldownMaxMs: number;
  itemMaxBytes: number;
  maxConcurrency: number;
}

export interface MediaMeta {
  mimetype: string;
  filename: string;
  /** Unknown when WAHA streams without Content-Length. */
  size: number | null;
}

export type MediaError = {
  kind: "error";
  status: 404 | 429 | 502 | 504;
  error: "media-not-found" | "media-busy" | "media-upstream" | "media-timeout";
  message: string;
  retryAfterMs: number;
  fromCooldown: boolean;
};

export type MediaOutcome =
  | { kind: "bytes"; body: ArrayBuffer; meta: MediaMeta; shared: boolean }
  | { kind: "stream"; body: ReadableStream<Uint8Array>; meta: MediaMeta }
  | MediaError;

type CooldownKind = "not-found" | "upstream" | "timeout";

interface Cooldown {
  kind: CooldownKind;
  until: number;
  /** Consecutive not-found outcomes; each one doubles the next cooldown. */
  strikes: number;
}

type Fetched =
  | { kind: "file"; res: Response; meta: MediaMeta }
  | { kind: "not-found"; message: string }
  | { kind: "upstream"; message: string };

/** Upstream failures and timeouts cool down briefly; WAHA may be back soon. */
const SHORT_COOLDOWN_MS = 5_000;
/** A finished download is handed to late joiners for this long (the cache put is async). */
const RECENT_MS = 10_000;
/** Lease slack over the download timeout, so a healthy download never loses its slot. */
const LEASE_SLACK_MS = 5_000;
/** The slowest transfer an over-cap stream may hold its slot for (64 KB/s). */
const MIN_STREAM_BYTES_PER_S = 64 * 1024;
/** Untouched state is dropped after this long. */
const FORGET_AFTER_MS = 24 * 3600_000;

const ERRORS: Record<CooldownKind, Pick<MediaError, "status" | "error">> = {
  "not-found": { status: 404, error: "media-not-found" },
  upstream: { status: 502, error: "media-upstream" },
  timeout: { status: 504, error: "media-timeout" },
};

export class MediaKey extends DurableObject<Env> {
  private inflight: Promise<MediaOutcome> | null = null;
  private recent: { outcome: MediaOutcome & { kind: "bytes" }; at: number } | null = null;

  async serve(job: MediaJob): Promise<MediaOutcome> {
    const now = Date.now();
    const cooldown = await this.ctx.storage.get<Cooldown>("cooldown");
    if (cooldown && cooldown.until > now) {
      const retryAfterMs = cooldown.until - now;
      console.log(
        `[wa media] cooldown-reject key=${job.key} kind=${cooldown.kind} retry-after-ms=${retryAfterMs}`,
      );
      return {
        kind: "error",
        ...ERRORS[cooldown.kind],
        message: `answered from the ${cooldown.kind} cooldown`,
        retryAfterMs,
        fromCooldown: true,
      };
    }
    if (this.recent && now - this.recent.at < RECENT_MS) {
      return { ...this.recent.outcome, shared: true };
    }
    if (this.inflight) {
      const shared = await this.inflight;
      // A streamed (over-cap) body has one reader; a late caller downloads on its own.
      if (shared.kind !== "stream")
        return shared.kind === "bytes" ? { ...shared, shared: true } : shared;
    }
    const download = this.download(job);
    this.inflight = download;
    try {
      return await download;
    } finally {
      if (this.inflight === download) this.inflight = null;
    }
  }

  private async download(job: MediaJob): Promise<MediaOutcome> {
    const gate = this.env.MEDIA_GATE.get(this.env.MEDIA_GATE.idFromName("global"));
    const leaseMs = job.timeoutMs + LEASE_SLACK_MS;
    const lease = await gate
      .acquire(job.key, job.maxConcurrency, leaseMs)
      .catch((err: unknown) => ({ status: "failed" as const, reason: String(err) }));
    if (lease.status === "failed") {
      // Not WAHA's fault: no cooldown, the caller may retry soon.
      return {
        kind: "error",
        status: 502,
        error: "media-upstream",
        message: `the download gate failed: ${lease.reason}`,
        retryAfterMs: 1_000,
        fromCooldown: false,
      };
    }
    if (lease.status === "busy") {
      return {
        kind: "error",
        status: 429,
        error: "media-busy",
        message: `${lease.active} media downloads are under way; try again shortly`,
        retryAfterMs: lease.retryAfterMs,
        fromCooldown: false,
      };
    }
    // The lease expires anyway; a failed release must not replace the outcome.
    const release = () => gate.release(lease.leaseId).catch(() => undefined);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), job.timeoutMs);
    let handedOff = false;
    try {
      const fetched = await this.fetchMedia(job, abort.signal);
      if (fetched.kind !== "file") return await this.coolDown(job, fetched.kind, fetched.message);
      const { res, meta } = fetched;
      const body = res.body;
      if (!body) return await this.coolDown(job, "upstream", "WAHA sent no body");
      if (meta.size !== null && meta.size > job.itemMaxBytes) {
        handedOff = true;
        clearTimeout(timer);
        return {
          kind: "stream",
          body: this.pipeThrough(body, meta.size, abort, gate, lease.leaseId, leaseMs, job),
          meta,
        };
      }
      const reader = body.getReader();
      const chunks: Uint8Array[] = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        if (meta.size === null && received > job.itemMaxBytes) {
          // No Content-Length and larger than the cap: stream the rest through.
          handedOff = true;
          clearTimeout(timer);
          return {
            kind: "stream",
            body: guardStream(reader, chunks, gate, lease.leaseId, leaseMs, job),
            meta,
          };
        }
      }
      if (meta.size !== null && received !== meta.size) {
        return await this.coolDown(job, "upstream", `truncated: ${received} of ${meta.size} bytes`);
      }
      const bytes = concat(chunks, received);
      const outcome = {
        kind: "bytes" as const,
        body: bytes,
        meta: { ...meta, size: received },
        shared: false,
      };
      this.recent = { outcome, at: Date.now() };
      await this.ctx.storage.delete("cooldown");
      await this.ctx.storage.setAlarm(Date.now() + FORGET_AFTER_MS);
      return outcome;
    } catch (err) {
      if (abort.signal.aborted) {
        return await this.coolDown(job, "timeout", `no download within ${job.timeoutMs} ms`);
      }
      return await this.coolDown(job, "upstream", err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
      if (!handedOff) await release();
    }
  }

  /**
   * Streams an over-cap body of known size through a native pipe (no JavaScript per
   * chunk, backpressure from the client). The slot is renewed while the pipe runs and
   * released when it ends, however it ends; FixedLengthStream fails a short body.
   */
  private pipeThrough(
    body: ReadableStream<Uint8Array>,
    size: number,
    abort: AbortController,
    gate: Gate,
    leaseId: string,
    leaseMs: number,
    job: MediaJob,
  ): ReadableStream<Uint8Array> {
    const { readable, writable } = new FixedLengthStream(size);
    // The pipe runs natively, so its progress cannot be watched; it gets the time a slow
    // but healthy link needs, then the download is cut and the slot freed.
    const deadline = Date.now() + job.timeoutMs + (size / MIN_STREAM_BYTES_PER_S) * 1000;
    const renew = setInterval(() => {
      if (Date.now() > deadline) abort.abort();
      else void gate.renew(leaseId, leaseMs).catch(() => undefined);
    }, leaseMs / 2);
    const piped = body
      .pipeTo(writable)
      .catch((err: unknown) => {
        console.log(
          `[wa media] stream-failed key=${job.key} reason="${err instanceof Error ? err.message : String(err)}"`,
        );
      })
      .finally(async () => {
        clearInterval(renew);
        await gate.release(leaseId).catch(() => undefined);
      });
    this.ctx.waitUntil(piped);
    return readable;
  }

  /** Message → media.url → file; an expired file (404) gets one message re-fetch. */
  private async fetchMedia(job: MediaJob, signal: AbortSignal): Promise<Fetched> {
    const loaded = loadConfig(this.env);
    if (!loaded.ok) return { kind: "upstream", message: "gateway config is invalid" };
    const { WAHA_URL, WAHA_API_KEY } = loaded.config;
    const headers = { "X-Api-Key": WAHA_API_KEY };

    for (let attempt = 1; ; attempt++) {
      const msgRes = await fetch(`${WAHA_URL}${wahaPaths.message(job.session, job.jid, job.id)}`, {
        headers,
        signal,
      });
      if (!msgRes.ok) {
        await msgRes.body?.cancel();
        return msgRes.status === 404
          ? { kind: "not-found", message: "WAHA has no such message" }
          : { kind: "upstream", message: `message lookup answered ${msgRes.status}` };
      }
      const parsed = messageSchema.safeParse(await msgRes.json());
      if (!parsed.success)
        return { kind: "upstream", message: "WAHA sent a message of unknown shape" };
      // Access was checked for job.jid: never serve a message of another chat under it.
      const { fromMe, from, to } = parsed.data;
      if ((fromMe ? to : from) !== job.jid) {
        return { kind: "not-found", message: "the message is not in this chat" };
      }
      const media = parsed.data.media;
      if (!parsed.data.hasMedia || !media?.url) {
        return { kind: "not-found", message: "the message has no media WAHA can serve" };
      }
      const url = mediaFetchUrl(media.url, WAHA_URL);
      if (!url) {
        console.log(`[wa media] refuse key=${job.key} reason=media.url-not-a-waha-file`);
        return { kind: "upstream", message: "WAHA gave a media URL outside its files path" };
      }
      const res = await fetch(url, { headers, signal });
      if (res.status === 404) {
        await res.body?.cancel();
        if (attempt === 1) continue; // WAHA re-downloads expired media on the message fetch
        return { kind: "not-found", message: "WAHA has no file for this media" };
      }
      if (!res.ok) {
        await res.body?.cancel();
        return { kind: "upstream", message: `file download answered ${res.status}` };
      }
      const length = res.headers.get("Content-Length");
      const mimetype =
        media.mimetype ?? res.headers.get("Content-Type") ?? "application/octet-stream";
      return {
        kind: "file",
        res,
        meta: {
          mimetype,
          filename: media.filename ?? defaultFilename(job.id, mimetype),
          size: length !== null && /^\d+$/.test(length) ? Number(length) : null,
        },
      };
    }
  }

  private async coolDown(job: MediaJob, kind: CooldownKind, message: string): Promise<MediaError> {
    const previous = await this.ctx.storage.get<Cooldown>("cooldown");
    const strikes =
      kind === "not-found" ? (previous?.kind === "not-found" ? previous.strikes : 0) + 1 : 0;
    const ms =
      kind === "not-found"
        ? Math.min(job.cooldownMs * 2 ** (strikes - 1), job.cooldownMaxMs)
        : Math.min(SHORT_COOLDOWN_MS, job.cooldownMaxMs);
    const until = Date.now() + ms;
    await this.ctx.storage.put<Cooldown>("cooldown", { kind, until, strikes });
    await this.ctx.storage.setAlarm(until + FORGET_AFTER_MS);
    const verb = strikes > 1 ? "escalate" : "cooldown";
    console.log(
      `[wa media] ${verb} key=${job.key} kind=${kind} ms=${ms} strikes=${strikes} reason="${message}"`,
    );
    return { kind: "error", ...ERRORS[kind], message, retryAfterMs: ms, fromCooldown: false };
  }

  /** Forgets a key nobody has asked for in a day. */
  override async alarm(): Promise<void> {
    const cooldown = await this.ctx.storage.get<Cooldown>("cooldown");
    if (!cooldown || cooldown.until + FORGET_AFTER_MS <= Date.now()) {
      await this.ctx.storage.deleteAll();
    }
  }
}

function concat(chunks: Uint8Array[], total: number): ArrayBuffer {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

function defaultFilename(id: string, mimetype: string): string {
  const ext = mimetype.split("/")[1]?.split(/[;+]/)[0] ?? "bin";
  return `${id.slice(-20)}.${ext}`;
}

interface Gate {
  release(leaseId: string): Promise<void>;
  renew(leaseId: string, leaseMs: number): Promise<boolean>;
}

/**
 * Streams an over-cap body through without holding it: already read `prefix` chunks
 * first, then the rest as the client pulls. The slot is renewed while bytes flow and
 * released at the end, on cancel or on error; a stall longer than the timeout fails it.
 */
function guardStream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  prefix: Uint8Array[],
  gate: Gate,
  leaseId: string,
  leaseMs: number,
  job: MediaJob,
): ReadableStream<Uint8Array> {
  let released = false;
  let lastRenew = Date.now();
  const release = async () => {
    if (released) return;
    released = true;
    await gate.release(leaseId);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = prefix.shift();
      if (next) return controller.enqueue(next);
      let stall: ReturnType<typeof setTimeout> | undefined;
      try {
        const stalled = new Promise<never>((_, reject) => {
          stall = setTimeout(() => reject(new Error(`stalled ${job.timeoutMs} ms`)), job.timeoutMs);
        });
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) {
          controller.close();
          await release();
          return;
        }
        controller.enqueue(value);
        if (Date.now() - lastRenew > leaseMs / 2) {
          lastRenew = Date.now();
          await gate.renew(leaseId, leaseMs);
        }
      } catch (err) {
        console.log(
          `[wa media] stream-failed key=${job.key} reason="${err instanceof Error ? err.message : String(err)}"`,
        );
        controller.error(err);
        await reader.cancel().catch(() => {});
        await release();
      } finally {
        clearTimeout(stall);
      }
    },
    async cancel() {
      await reader.cancel().catch(() => {});
      await release();
    },
  });
}
