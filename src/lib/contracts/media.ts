/** What crosses into and out of a MediaKey object, and a colo's MediaLedger. */

export interface MediaRequest {
  /** The number the message is of (its id); absent: `default`. */
  number?: string;
  jid: string;
  id: string;
  /** The browser's `Range` (already checked against If-Range): used for over-cap streams. */
  range?: string;
  /** Nobody is waiting: take a slot only if one stays free, and never stream. */
  prefetch?: boolean;
}

export interface MediaMeta {
  mimetype: string;
  filename: string;
  /** Unknown when WAHA streams without Content-Length. */
  size: number | null;
}

export type MediaError = {
  kind: "error";
  status: 404 | 410 | 429 | 502 | 504;
  error: "media-not-found" | "media-expired" | "media-busy" | "media-upstream" | "media-timeout";
  message: string;
  retryAfterMs: number;
  fromCooldown: boolean;
};

export type MediaOutcome =
  | { kind: "bytes"; body: ArrayBuffer; meta: MediaMeta; shared: boolean }
  /** `contentRange`: WAHA answered the browser's Range (206); `meta.size` is the part's length. */
  | {
      kind: "stream";
      body: ReadableStream<Uint8Array>;
      meta: MediaMeta;
      contentRange: string | null;
    }
  | MediaError;

export interface LedgerSnapshot {
  items: number;
  bytes: number;
  evictions: number;
}
