/**
 * A browser's realtime socket on the gateway, its frames kept for a test to wait on. Like
 * the inbox, it reconnects with `since` when the socket drops (a local dev proxy may drop
 * it under load), so replay fills the gap and no frame is lost.
 */
import type { RealStack } from "./stack.ts";

export type Frame = Record<string, unknown>;

export interface Frames {
  all: Frame[];
  /** The first frame `match` accepts, waiting for it up to `timeoutMs`. */
  next(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  close(): void;
}

export async function openFrames(stack: RealStack): Promise<Frames> {
  const all: Frame[] = [];
  let lastSeq = -1;
  let closing = false;
  let socket: WebSocket;
  const open = async (): Promise<void> => {
    const res = await stack.call("/api/realtime/ticket", { method: "POST" });
    const { ticket } = (await res.json()) as { ticket: string };
    const since = lastSeq >= 0 ? `&since=${lastSeq}` : "";
    socket = new WebSocket(
      `${stack.gateway.url.replace("http", "ws")}/api/realtime?ticket=${ticket}${since}`,
    );
    socket.addEventListener("message", (e) => {
      const frame = JSON.parse(String(e.data)) as Frame;
      const seq = typeof frame.seq === "number" ? frame.seq : null;
      if (seq !== null && seq <= lastSeq) return;
      if (seq !== null) lastSeq = seq;
      all.push(frame);
    });
    socket.addEventListener("close", () => {
      if (!closing) setTimeout(() => void open().catch(() => undefined), 200);
    });
    await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
  };
  await open();
  return {
    all,
    async next(match, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const found = all.find(match);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no such frame within ${timeoutMs} ms; got ${JSON.stringify(all)}`);
    },
    close() {
      closing = true;
      socket.close();
    },
  };
}
