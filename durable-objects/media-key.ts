/**
 * MediaKey: one per media key (session + chat + message). Callers that arrive while a
 * download is under way share it; outcomes that say "not now" (not found, upstream
 * failure, timeout) become a cooldown kept in storage, so a restart keeps it.
 */
import { DurableObject } from "cloudflare:workers";
import { type Config, loadConfig } from "../src/lib/config.ts";
import type {
  MediaError,
  MediaMeta,
  MediaOutcome,
  MediaRequest,
} from "../src/lib/contracts/media.ts";
import { archivable, archiveKey, archiveLater, archivePut } from "../src/lib/media/archive.ts";
import { safeMediaType } from "../src/lib/media/mimetype.ts";
import { guardedStream } from "../src/lib/media/stream.ts";
import { WahaRedirectError, type WahaTarget, wahaFetch, wahaGate } from "../src/lib/waha/client.ts";
import { DEFAULT_NUMBER, numberById, type WaNumber } from "../src/lib/waha/numbers.ts";
import { locate } from "./media-locate.ts";
import {
  cancel,
  concat,
  defaultFilename,
  fetchRange,
  partLength,
  type StreamSource,
} from "./media-parts.ts";

/** One download as this object sees it: the request, its config, and a name for logs. */
export interface Job extends MediaRequest {
  /** The number the message is of: its WAHA server, session and key. */
  wa: WaNumber;
  key: string;
  config: Config;
}

type CooldownKind = "not-found" | "expired" | "upstream" | "timeout";

interface Cooldown {
  kind: CooldownKind;
  until: number;
  /** Consecutive not-found outcomes; each one doubles the next cooldown. */
  strikes: number;
  /** Why, told again to every caller the cooldown answers. */
  reason?: string;
}

export type Fetched =
  | { kind: "file"; res: Response; meta: MediaMeta; target: WahaTarget; url: string }
  | { kind: "not-found"; message: string }
  | { kind: "expired"; message: string }
  | { kind: "upstream"; message: string };

/** Upstream failures and timeouts cool down briefly; WAHA may be back soon. */
const SHORT_COOLDOWN_MS = 5_000;
/** A finished download is handed to late joiners for this long (the cache put is async). */
const RECENT_MS = 10_000;
/**
 * Media WhatsApp no longer has does not come back: the answer is remembered this long, so
 * asking again costs WAHA (and its retries at WhatsApp) nothing.
 */
const EXPIRED_MS = 30 * 24 * 3600_000;
/** Untouched state is dropped after this long. */
const FORGET_AFTER_MS = 24 * 3600_000;

const ERRORS: Record<CooldownKind, Pick<MediaError, "status" | "error">> = {
  "not-found": { status: 404, error: "media-not-found" },
  expired: { status: 410, error: "media-expired" },
  upstream: { status: 502, error: "media-upstream" },
  timeout: { status: 504, error: "media-timeout" },
};

function upstreamError(message: string, retryAfterMs: number): MediaError {
  return {
    kind: "error",
    status: 502,
    error: "media-upstream",
    message,
    retryAfterMs,
    fromCooldown: false,
  };
}

function busy(message: string, retryAfterMs: number): MediaError {
  return {
    kind: "error",
    status: 429,
    error: "media-busy",
    message,
    retryAfterMs,
    fromCooldown: false,
  };
}

export class MediaKey extends DurableObject<Env> {
  private inflight: Promise<MediaOutcome> | null = null;
  private recent: { outcome: MediaOutcome & { kind: "bytes" }; at: number } | null = null;

  async serve(request: MediaRequest): Promise<MediaOutcome> {
    const loaded = loadConfig(this.env);
    const wa = loaded.ok ? numberById(loaded.config, request.number ?? DEFAULT_NUMBER) : undefined;
    if (!loaded.ok || wa === undefined)
      return upstreamError("the gateway's config is invalid", 1_000);
    const job: Job = {
      ...request,
      wa,
      key: `${request.jid}/${request.id}`,
      config: loaded.config,
    };
    const now = Date.now();
    const cooldown = await this.ctx.storage.get<Cooldown>("cooldown");
    if (cooldown && cooldown.until > now) {
      const retryAfterMs = cooldown.until - now;
      console.log(
        `[wa media] cooldown-reject key=${job.key} kind=${cooldown.kind} retry-after-ms=${retryAfterMs}`,
      );
      const from = `answered from the ${cooldown.kind} cooldown`;
      return {
        kind: "error",
        ...ERRORS[cooldown.kind],
        message: cooldown.reason ? `${cooldown.reason} (${from})` : from,
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

  private async download(job: Job): Promise<MediaOutcome> {
    const gate = wahaGate(this.env, job.wa);
    const lease = await (job.prefetch
      ? gate.prefetch(job.key)
      : gate.acquire("media", job.key)
    ).catch((err: unknown) => ({ status: "failed" as const, reason: String(err) }));
    // Not WAHA's fault: no cooldown, the caller may retry soon.
    if (lease.status === "failed") {
      return upstreamError(`the download gate failed: ${lease.reason}`, 1_000);
    }
    if (lease.status !== "granted") {
      const active = lease.status === "busy" ? lease.active : 0;
      return busy(`${active} media downloads are under way; try again shortly`, lease.retryAfterMs);
    }
    // The lease expires anyway; a failed release must not replace the outcome.
    const release = () => gate.release(lease.leaseId).catch(() => undefined);
    const abort = new AbortController();
    const timeoutMs = job.config.WA_MEDIA_TIMEOUT_MS;
    const itemMaxBytes = job.config.WA_MEDIA_CACHE_ITEM_MAX_BYTES;
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let handedOff = false;
    try {
      const fetched = await this.fetchMedia(job, abort.signal);
      if (fetched.kind !== "file") return await this.coolDown(job, fetched.kind, fetched.message);
      const { res, meta } = fetched;
      const body = res.body;
      if (!body) return await this.coolDown(job, "upstream", "WAHA sent no body");
      if (meta.size !== null && meta.size > itemMaxBytes) {
        if (job.prefetch) {
          // Too large for the cache, not for the archive: streamed there, never held whole.
          if (!archivable(job.config, meta.size)) {
            await body.cancel();
            return busy("too large to fetch ahead", 0);
          }
          await archivePut(this.env.MEDIA_ARCHIVE, this.archiveKey(job), body, {
            ...meta,
            size: meta.size,
          });
          return busy("archived; too large to fetch into the cache", 0);
        }
        handedOff = true;
        return await this.streamOut(
          job,
          lease.leaseId,
          { body, prefix: [] },
          fetched,
          abort.signal,
        );
      }
      const reader = body.getReader();
      const chunks: Uint8Array[] = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        if (received > itemMaxBytes) {
          if (job.prefetch) {
            await reader.cancel();
            return busy("too large to fetch ahead", 0);
          }
          // No Content-Length and larger than the cap: stream the rest through.
          handedOff = true;
          const source = { body, reader, prefix: chunks };
          return await this.streamOut(job, lease.leaseId, source, fetched, abort.signal);
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
      if (archivable(job.config, received)) {
        archiveLater(this.ctx, this.env.MEDIA_ARCHIVE, this.archiveKey(job), bytes, outcome.meta);
      }
      this.recent = { outcome, at: Date.now() };
      await this.ctx.storage.delete("cooldown");
      await this.ctx.storage.setAlarm(Date.now() + FORGET_AFTER_MS);
      return outcome;
    } catch (err) {
      if (abort.signal.aborted) {
        return await this.coolDown(job, "timeout", `no download within ${timeoutMs} ms`);
      }
      return await this.coolDown(job, "upstream", err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
      if (!handedOff) await release();
    }
  }

  /**
   * An over-cap file: its download moves from the media pool to the stream pool (or is
   * answered busy), and goes to the one caller as a guarded stream. A browser's Range is
   * asked of WAHA itself, so big videos seek without the gateway holding them.
   */
  private async streamOut(
    job: Job,
    leaseId: string,
    from: StreamSource,
    file: Fetched & { kind: "file" },
    signal: AbortSignal,
  ): Promise<MediaOutcome> {
    const { meta } = file;
    const gate = wahaGate(this.env, job.wa);
    const moved = await gate.move(leaseId, job.key, "stream").catch(() => null);
    if (moved?.status !== "granted") {
      await cancel(from);
      if (moved === null) await gate.release(leaseId).catch(() => undefined);
      const max = moved?.status === "busy" ? moved.max : job.config.WA_MEDIA_STREAM_MAX_CONCURRENCY;
      return busy(
        `${max} large media streams are under way; try again shortly`,
        moved?.retryAfterMs ?? 2_000,
      );
    }
    let source = from;
    let size = meta.size;
    let contentRange: string | null = null;
    if (job.range && meta.size !== null) {
      const ranged = await fetchRange(file, job.range, signal).catch(() => null);
      if (ranged) {
        await cancel(from);
        source = { body: ranged.body, prefix: [] };
        size = ranged.size;
        contentRange = ranged.contentRange;
      }
    }
    // The whole file, of a size the archive takes: one branch is archived as it streams by.
    const whole = !contentRange && !source.reader && source.prefix.length === 0;
    if (whole && archivable(job.config, size)) {
      const [reader, archive] = source.body.tee();
      source = { body: reader, prefix: [] };
      archiveLater(this.ctx, this.env.MEDIA_ARCHIVE, this.archiveKey(job), archive, {
        ...meta,
        size,
      });
    }
    const guarded = guardedStream({
      body: source.body,
      ...(source.reader ? { reader: source.reader } : {}),
      prefix: source.prefix,
      lease: {
        renew: () => gate.renew(leaseId),
        release: () => gate.release(leaseId),
      },
      idleMs: job.config.WA_MEDIA_STREAM_IDLE_MS,
      stallMs: job.config.WA_MEDIA_TIMEOUT_MS,
      // Well within the lease (idle + timeout + slack), however the two are set.
      renewEveryMs: job.config.WA_MEDIA_STREAM_IDLE_MS / 2,
      key: job.key,
    });
    this.ctx.waitUntil(guarded.done);
    return { kind: "stream", body: guarded.stream, meta: { ...meta, size }, contentRange };
  }

  private archiveKey(job: Job): string {
    return archiveKey(job.wa.id, job.jid, job.id);
  }

  /** Message → media.url → file; an expired file (404) gets one message re-fetch. */
  private async fetchMedia(job: Job, signal: AbortSignal): Promise<Fetched> {
    try {
      for (let attempt = 1; ; attempt++) {
        const located = await locate(this.env, job, signal);
        if (located.kind !== "located") return located;
        const res = await wahaFetch(located.target, located.url, { signal });
        if (res.status === 404) {
          await res.body?.cancel();
          if (attempt === 1) continue; // WAHA re-downloads expired media on the message fetch
          return { kind: "not-found", message: "WAHA has no file for this media" };
        }
        if (!res.ok) {
          await res.body?.cancel();
          return { kind: "upstream", message: `file download answered ${res.status}` };
        }
        // WAHA's mimetype when it gave one (unusable → octet-stream), else its file's type.
        const claimed = located.mimetype?.trim()
          ? located.mimetype
          : res.headers.get("Content-Type");
        const mimetype = safeMediaType(claimed) ?? "application/octet-stream";
        return {
          kind: "file",
          res,
          target: located.target,
          url: located.url,
          meta: {
            mimetype,
            filename: located.filename ?? defaultFilename(job.id, mimetype),
            size: partLength(res),
          },
        };
      }
    } catch (err) {
      if (!(err instanceof WahaRedirectError)) throw err;
      console.log(
        `[wa media] refuse key=${job.key} reason=redirect status=${err.status} location-origin=${err.locationOrigin ?? "none"}`,
      );
      return { kind: "upstream", message: err.message };
    }
  }

  private async coolDown(job: Job, kind: CooldownKind, message: string): Promise<MediaError> {
    const previous = await this.ctx.storage.get<Cooldown>("cooldown");
    const strikes =
      kind === "not-found" ? (previous?.kind === "not-found" ? previous.strikes : 0) + 1 : 0;
    const ms =
      kind === "not-found"
        ? Math.min(
            job.config.WA_MEDIA_COOLDOWN_MS * 2 ** (strikes - 1),
            job.config.WA_MEDIA_COOLDOWN_MAX_MS,
          )
        : kind === "expired"
          ? EXPIRED_MS
          : Math.min(SHORT_COOLDOWN_MS, job.config.WA_MEDIA_COOLDOWN_MAX_MS);
    const until = Date.now() + ms;
    await this.ctx.storage.put<Cooldown>("cooldown", { kind, until, strikes, reason: message });
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
