/**
 * Stands between real WAHA and the gateway's webhook route: forwards each delivery as it
 * came (headers, raw body) and answers WAHA with the gateway's answer, keeping both, so a
 * test can see what WAHA really sent and what the gateway answered.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  event: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  answer: { status: number; body: string };
}

export interface Recorder {
  url: string;
  deliveries: Recorded[];
  /** Waits for a delivery that `match` accepts. */
  next(match: (r: Recorded) => boolean, timeoutMs?: number): Promise<Recorded>;
  close(): Promise<void>;
}

export async function startRecorder(target: string): Promise<Recorder> {
  const deliveries: Recorded[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === "string" && (k.startsWith("x-webhook") || k === "content-type"))
          headers[k] = v;
      }
      const answer = await fetch(target, { method: "POST", headers, body: raw })
        .then(async (r) => ({ status: r.status, body: await r.text() }))
        .catch((err: unknown) => ({ status: 502, body: String(err) }));
      const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
      deliveries.push({ event: String(body.event), body, headers, answer });
      for (const wake of waiters) wake();
      res.writeHead(answer.status, { "Content-Type": "application/json" }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    next(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = deliveries.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no such delivery within ${timeoutMs} ms; got ${deliveries.map((d) => d.event).join(", ")}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
