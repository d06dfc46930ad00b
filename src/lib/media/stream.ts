/**
 * An over-cap media body passed through to one reader, never held whole. It holds a
 * stream slot while it runs and gives it back however it ends: done, cancelled by the
 * reader, WAHA stalling, or the reader taking nothing for `idleMs` (a stalled client
 * must not keep a slot for as long as it likes).
 *
 * The bytes go into a native IdentityTransformStream, whose write settles only when the
 * reader has taken the chunk: that is how a reader that stopped reading is seen. WAHA's
 * body is read into one reused buffer where the runtime allows it, so a long stream
 * leaves no garbage behind.
 */

export interface StreamLease {
  renew(): Promise<unknown>;
  release(): Promise<unknown>;
}

export interface GuardOptions {
  body: ReadableStream<Uint8Array>;
  /** Chunks already read from `body`'s reader, sent first. */
  prefix: Uint8Array[];
  /** A reader `body` already has (after reading `prefix`); else one is made. */
  reader?: ReadableStreamDefaultReader<Uint8Array>;
  lease: StreamLease;
  /** The reader took nothing this long: cut. */
  idleMs: number;
  /** WAHA sent nothing this long: cut. */
  stallMs: number;
  /** Renew the lease at most this often while bytes flow. */
  renewEveryMs: number;
  /** Names the stream in log lines. */
  key: string;
}

const CHUNK_BYTES = 64 * 1024;

class Cut extends Error {}

/** `work`, or a Cut with `message` after `ms`. */
async function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Cut(message)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

type Source = { read(): Promise<ReadableStreamReadResult<Uint8Array>>; cancel(): Promise<void> };

/** A BYOB reader over one reused buffer when the body is a byte stream, else a plain one. */
function sourceOf(opts: GuardOptions): Source {
  if (opts.reader) {
    const reader = opts.reader;
    return { read: () => reader.read(), cancel: () => reader.cancel() };
  }
  try {
    const byob = opts.body.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(CHUNK_BYTES);
    return {
      async read() {
        // The runtime may have taken the last buffer over with the write; then a new one.
        if (buffer.byteLength === 0) buffer = new ArrayBuffer(CHUNK_BYTES);
        const result = await byob.read(new Uint8Array(buffer));
        if (result.value) buffer = result.value.buffer as ArrayBuffer;
        return result.done
          ? { done: true, value: undefined }
          : { done: false, value: result.value };
      },
      cancel: () => byob.cancel(),
    };
  } catch {
    const reader = opts.body.getReader();
    return { read: () => reader.read(), cancel: () => reader.cancel() };
  }
}

/** The stream for the reader, and the pump's end (for `waitUntil`). */
export function guardedStream(opts: GuardOptions): {
  stream: ReadableStream<Uint8Array>;
  done: Promise<void>;
} {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  const source = sourceOf(opts);
  let lastRenew = Date.now();

  const pump = async (): Promise<void> => {
    try {
      const send = async (chunk: Uint8Array) => {
        await within(writer.write(chunk), opts.idleMs, `stream-idle idle-ms=${opts.idleMs}`);
        if (Date.now() - lastRenew >= opts.renewEveryMs) {
          lastRenew = Date.now();
          await opts.lease.renew().catch(() => undefined);
        }
      };
      for (const chunk of opts.prefix) await send(chunk);
      for (;;) {
        const next = await within(
          source.read(),
          opts.stallMs,
          `stream-failed reason="WAHA sent nothing for ${opts.stallMs} ms"`,
        );
        if (next.done) break;
        await send(next.value);
      }
      await writer.close();
    } catch (err) {
      // A Cut is ours to log; anything else is the reader going away or WAHA failing.
      const line =
        err instanceof Cut
          ? err.message
          : `stream-ended reason="${err instanceof Error ? err.message : String(err)}"`;
      console.log(`[wa media] ${line} key=${opts.key}`);
      await writer.abort(err).catch(() => undefined);
      await source.cancel().catch(() => undefined);
    } finally {
      await opts.lease.release().catch(() => undefined);
    }
  };
  return { stream: readable, done: pump() };
}
