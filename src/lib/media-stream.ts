/**
 * An over-cap media body passed through to one reader, never held whole. It holds a
 * stream slot while it runs and gives it back however it ends: done, cancelled by the
 * reader, WAHA stalling, or the reader taking nothing for `idleMs` (a stalled client
 * must not keep a slot for as long as it likes).
 */

export interface StreamLease {
  renew(): Promise<unknown>;
  release(): Promise<unknown>;
}

export interface GuardOptions {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Chunks already read from `reader`, sent first. */
  prefix: Uint8Array[];
  lease: StreamLease;
  /** The reader asked for nothing this long: cut. */
  idleMs: number;
  /** WAHA sent nothing this long: cut. */
  stallMs: number;
  /** Renew the lease at most this often while bytes flow. */
  renewEveryMs: number;
  /** Names the stream in log lines. */
  key: string;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function guardedStream(opts: GuardOptions): ReadableStream<Uint8Array> {
  const { reader, prefix, lease, key } = opts;
  let ended = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let lastRenew = Date.now();

  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    clearTimeout(idle);
    await lease.release().catch(() => undefined);
  };
  const cut = async (
    controller: ReadableStreamDefaultController<Uint8Array>,
    line: string,
    err: Error,
  ) => {
    if (ended) return;
    console.log(`[wa media] ${line} key=${key}`);
    try {
      controller.error(err);
    } catch {
      // already errored or closed
    }
    await reader.cancel().catch(() => undefined);
    await end();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        idle = setTimeout(
          () => void cut(controller, `stream-idle idle-ms=${opts.idleMs}`, new Error("idle")),
          opts.idleMs,
        );
      },
      async pull(controller) {
        clearTimeout(idle);
        if (ended) return;
        const next = prefix.shift();
        let chunk: Uint8Array | undefined = next;
        if (!chunk) {
          let stall: ReturnType<typeof setTimeout> | undefined;
          try {
            const stalled = new Promise<never>((_, reject) => {
              stall = setTimeout(
                () => reject(new Error(`WAHA sent nothing for ${opts.stallMs} ms`)),
                opts.stallMs,
              );
            });
            const read = await Promise.race([reader.read(), stalled]);
            if (read.done) {
              controller.close();
              await end();
              return;
            }
            chunk = read.value;
          } catch (err) {
            await cut(controller, `stream-failed reason="${reason(err)}"`, new Error(reason(err)));
            return;
          } finally {
            clearTimeout(stall);
          }
        }
        if (ended) return;
        controller.enqueue(chunk);
        idle = setTimeout(
          () => void cut(controller, `stream-idle idle-ms=${opts.idleMs}`, new Error("idle")),
          opts.idleMs,
        );
        if (Date.now() - lastRenew >= opts.renewEveryMs) {
          lastRenew = Date.now();
          await lease.renew().catch(() => undefined);
        }
      },
      async cancel(why) {
        clearTimeout(idle);
        await reader.cancel(why).catch(() => undefined);
        await end();
      },
    },
    // Pull only when the reader asks: a reader that stops asking is seen as idle.
    { highWaterMark: 0 },
  );
}
