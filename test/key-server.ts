/**
 * A local key server for the sign-in tests. Each tenant is its own origin on 127.0.0.1
 * (an issuer with a JWKS at /jwks.json, or an Access team domain with
 * /cdn-cgi/access/certs), so every test starts with keys no isolate has cached. Tests
 * in workerd create tenants and set their keys and faults over HTTP.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TenantState } from "./tenant-state.ts";

interface Tenant {
  server: Server;
  state: TenantState;
  fetches: number;
  /** Key set requests held open by `hang`, each answered (or dropped) once. */
  held: Set<{ res: ServerResponse; access: boolean }>;
}

export interface KeyServer {
  url: string;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function serveKeys(tenant: Tenant, res: ServerResponse, access: boolean): void {
  tenant.fetches++;
  if (tenant.state.hang) {
    const waiting = { res, access };
    tenant.held.add(waiting);
    // The client gave up (its timeout): nothing is held for it any more.
    res.on("close", () => tenant.held.delete(waiting));
    return;
  }
  answerKeys(tenant, res, access);
}

function answerKeys(tenant: Tenant, res: ServerResponse, access: boolean): void {
  const { state } = tenant;
  if (state.redirect) {
    send(res, 302, "", { Location: state.redirect });
    return;
  }
  const headers = state.cacheControl ? { "Cache-Control": state.cacheControl } : {};
  if (state.body !== undefined) {
    send(res, state.status ?? 200, state.body, headers);
    return;
  }
  // Access's certs endpoint also lists the keys as PEM certificates; verifiers use `keys`.
  const doc = access
    ? { keys: state.keys, public_cert: { kid: "pem-only", cert: "-----BEGIN CERTIFICATE-----" } }
    : { keys: state.keys };
  send(res, state.status ?? 200, doc, headers);
}

async function startTenant(tenants: Set<Tenant>): Promise<string> {
  const tenant: Tenant = {
    server: createServer(),
    state: { keys: [] },
    fetches: 0,
    held: new Set(),
  };
  tenants.add(tenant);
  tenant.server.on("request", (req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (req.method === "GET" && path === "/jwks.json") return serveKeys(tenant, res, false);
      if (req.method === "GET" && path === "/cdn-cgi/access/certs") {
        return serveKeys(tenant, res, true);
      }
      if (req.method === "PUT" && path === "/__keys") {
        tenant.state = (await readJson(req)) as TenantState;
        if (!tenant.state.hang) {
          for (const waiting of tenant.held) answerKeys(tenant, waiting.res, waiting.access);
          tenant.held.clear();
        }
        return send(res, 200, { ok: true });
      }
      if (req.method === "GET" && path === "/__stats") {
        return send(res, 200, { fetches: tenant.fetches, held: tenant.held.size });
      }
      send(res, 404, { error: "not-found" });
    })().catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  return listen(tenant.server);
}

/** The control server: `POST /tenants` → `{origin}` of a new tenant. */
export async function startKeyServer(): Promise<KeyServer> {
  const tenants = new Set<Tenant>();
  const control = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/tenants") {
      startTenant(tenants).then(
        (origin) => send(res, 201, { origin }),
        (err: unknown) => send(res, 500, { error: String(err) }),
      );
      return;
    }
    send(res, 404, { error: "not-found" });
  });
  const url = await listen(control);
  const closeServer = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url,
    async close() {
      await Promise.all([...tenants].map((t) => closeServer(t.server)));
      await closeServer(control);
    },
  };
}
