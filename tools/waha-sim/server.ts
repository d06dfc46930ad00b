// The WAHA simulator: a real HTTP server on 127.0.0.1 that speaks the parts of WAHA's API the
// gateway uses, with injectable faults and a /__sim/ control API for tests, benchmarks and the demo.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { readJson } from "./body.ts";
import { configFrom, type DemoSet, type SendEcho, type WebhookRetries } from "./config.ts";
import type { Ctx } from "./context.ts";
import { handleControl } from "./control.ts";
import type { Fault } from "./faults.ts";
import type { Engine } from "./model.ts";
import { faultReply, json, nestError, routeNotFound, sendReply, unauthorized } from "./reply.ts";
import { findRoute } from "./routes.ts";
import { SimState } from "./state.ts";

export interface SimOptions {
  /** 0 = ephemeral (default). */
  port?: number;
  /** Required X-Api-Key value. */
  apiKey: string;
  /** Default "default"; other session names answer 404. */
  session?: string;
  /** WAHA's WHATSAPP_FILES_LIFETIME; default 180; 0 keeps files forever. */
  filesLifetimeSec?: number;
  /** CORE (default) refuses /health and media sends as WAHA Core does; PLUS answers them. */
  tier?: "CORE" | "PLUS";
  /** Whose shapes the simulator speaks; default WEBJS. */
  engine?: Engine;
  /** "basic" (default): the 22 inbox chats; "full" adds @lid people, a channel and status posts. */
  demo?: DemoSet;
  /** WAHA's defaults (15 retries, 2 s apart, constant) unless given. */
  webhookRetries?: Partial<WebhookRetries>;
  webhookUrl?: string;
  webhookHmacKey?: string;
  /** Base of media.url; default http://127.0.0.1:{port}. */
  publicUrl?: string;
  log?: boolean;
  /** When a send's `message.any` goes out against its answer; default `with`. */
  sendEcho?: SendEcho;
  echoDelayMs?: number;
  /** How long calls wait for a WORKING session before WAHA's 422; default WAHA's 10 s. */
  sessionWaitMs?: number;
  /** The session's `webjs.tagsEventsOn`; default false, as WAHA's. */
  webjsTagsEventsOn?: boolean;
  /** The session's `noweb.store.enabled`; default true (WAHA's is false; the demo needs it). */
  nowebStoreEnabled?: boolean;
  /** WhatsApp Web's batch of earlier messages (WEBJS paging); default 50. */
  webjsLoadBatch?: number;
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A fault's hang, latency or status: true when the fault has had the last word (hung, the
 * client gone, or its status sent), false when the real answer (perhaps cut) follows.
 */
async function answeredByFault(res: ServerResponse, fault: Fault): Promise<boolean> {
  // Never answered: the socket stays open until the client gives up or the simulator closes.
  if (fault.hang) return true;
  if (fault.latencyMs) await sleep(fault.latencyMs);
  if (res.destroyed) return true;
  if (fault.status === undefined) return false;
  await sendReply(res, faultReply(fault.status, fault.location), fault.resetAfterBytes);
  return true;
}

async function serveWaha(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { sim } = ctx;
  const route = findRoute(ctx.method, ctx.segments);
  const fault = route ? sim.faults.take(route.endpoint, ctx.path) : undefined;
  // A call is in flight from its arrival (injected latency included) to its close.
  if (route?.endpoint === "file") {
    sim.stats.mediaStarted();
    res.once("close", () => sim.stats.mediaEnded());
  } else if (route) {
    sim.stats.apiStarted();
    res.once("close", () => sim.stats.apiEnded());
  }
  if (route && fault && !fault.afterTaking) {
    sim.stats.count(route.endpoint);
    if (await answeredByFault(res, fault)) return;
  }
  if (req.headers["x-api-key"] !== sim.config.apiKey) {
    if (!fault) sim.stats.count("unauthorized");
    await sendReply(res, unauthorized());
    return;
  }
  if (!route) {
    await sendReply(res, routeNotFound(ctx.method, ctx.path));
    return;
  }
  if (!fault || fault.afterTaking) sim.stats.count(route.endpoint);
  const reply = await route.run(ctx);
  // WAHA did the work; only its answer is lost, late or replaced.
  if (fault?.afterTaking && (await answeredByFault(res, fault))) return;
  await sendReply(res, reply, fault?.resetAfterBytes);
}

async function serve(sim: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  if (sim.config.log) {
    res.once("close", () => {
      const state = res.writableFinished ? res.statusCode : `${res.statusCode} (cut)`;
      console.log(`[waha-sim] ${req.method} ${req.url} ${state} ${Date.now() - started}ms`);
    });
  }
  try {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let segments: string[];
    try {
      segments = url.pathname
        .split("/")
        .filter((s) => s !== "")
        .map(decodeURIComponent);
    } catch {
      await sendReply(res, nestError(400, "Bad Request"));
      return;
    }
    const ctx: Ctx = {
      sim,
      method: req.method ?? "GET",
      path: url.pathname,
      segments,
      query: url.searchParams,
      accept: req.headers.accept,
      range: req.headers.range,
      readBody: (limit?: number) => readJson(req, limit),
      afterAnswer: (work) => {
        // Answered, cut, or given up by the client: the answer's fate is decided.
        res.once("close", work);
      },
    };
    if (segments[0] === "__sim") await sendReply(res, await handleControl(ctx));
    else await serveWaha(ctx, req, res);
  } catch (err) {
    if (sim.config.log) console.error("[waha-sim] handler failed:", err);
    if (!res.headersSent)
      await sendReply(res, json(500, { statusCode: 500, message: "Internal server error" }));
    else res.destroy();
  }
}

export async function startSimulator(opts: SimOptions): Promise<Simulator> {
  if (!opts.apiKey) throw new Error("startSimulator: apiKey is required");
  const sim = new SimState(configFrom(opts));
  const server = createServer((req, res) => {
    void serve(sim, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  if (!sim.config.publicUrl) sim.config.publicUrl = url;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        sim.sender.cancelAll();
        server.close(() => resolve());
        // Hung requests, keep-alive sockets and running downloads would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
