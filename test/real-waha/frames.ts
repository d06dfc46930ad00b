/** A browser's realtime socket on the gateway, its frames kept for a test to wait on. */
import type { RealStack } from "./stack.ts";

export type Frame = Record<string, unknown>;

export interface Frames {
  all: Frame[];
  /** The first frame `match` accepts, waiting for it up to `timeoutMs`. */
  next(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  close(): void;
}

export async function openFrames(stack: RealStack): Promise<Frames> {
  const res = await stack.call("/api/realtime/ticket", { method: "POST" });
  const { ticket } = (await res.json()) as { ticket: string };
  const socket = new WebSocket(
    `${stack.gateway.url.replace("http", "ws")}/api/realtime?ticket=${ticket}`,
  );
  const all: Frame[] = [];
  socket.addEventListener("message", (e) => all.push(JSON.parse(String(e.data)) as Frame));
  await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
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
    close: () => socket.close(),
  };
}
