// A small client for a running simulator: WAHA calls with the key, control calls without, and a
// webhook receiver that records what the simulator posts. For tests and scripts.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function answer<T>(res: Response): Promise<Answer<T>> {
  const text = await res.text();
  let body: unknown = text;
  if (text === "") body = undefined;
  else if ((res.headers.get("content-type") ?? "").includes("json")) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as T };
}

export function simClient(url: string, apiKey: string) {
  return {
    url,
    /** A WAHA call with X-Api-Key; a body is sent as JSON. */
    async api<T = unknown>(
      path: string,
      init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
    ) {
      const headers: Record<string, string> = { "X-Api-Key": apiKey, ...init.headers };
      if (init.body !== undefined) headers["Content-Type"] = "application/json";
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      return answer<T>(res);
    },
    /** A /__sim/ control call; POST when a body is given, else GET. */
    async control<T = Record<string, unknown>>(path: string, body?: unknown, method?: string) {
      const res = await fetch(`${url}/__sim/${path}`, {
        method: method ?? (body === undefined ? "GET" : "POST"),
        headers: { "Content-Type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return answer<T>(res);
    },
  };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type ReceiverAnswer = number | { status: number; headers: Record<string, string> };

/** An HTTP server on 127.0.0.1 that answers every POST with `respond()` and keeps what came. */
export async function webhookReceiver(respond: () => ReceiverAnswer = () => 200) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      });
      const reply = respond();
      if (typeof reply === "number") res.writeHead(reply).end();
      else res.writeHead(reply.status, reply.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The envelopes received so far, parsed. */
    envelopes: () => received.map((r) => JSON.parse(r.body) as Record<string, unknown>),
    /** Resolves once `count` deliveries have arrived; rejects after `timeoutMs`. */
    async waitFor(count: number, timeoutMs = 2_000): Promise<Received[]> {
      const until = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > until)
          throw new Error(`waited for ${count} webhooks, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
