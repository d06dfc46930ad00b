// The WAHA simulator behaves like WAHA where the gateway depends on it, and its controls do what they say.
import { createHmac } from "node:crypto";
import { createServer, get, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";
import { signWebhook } from "../../tools/waha-sim/webhook.ts";

const KEY = "test-key";
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ apiKey: KEY, sessionWaitMs: 0 });
});

afterAll(async () => {
  await sim.close();
});

interface Msg {
  id: string;
  timestamp: number;
  fromMe: boolean;
  body: string;
  hasMedia: boolean;
  media?: { url: string | null; mimetype: string; filename: string | null; error?: unknown } | null;
  ack: number;
  ackName: string;
}

interface Chat {
  id: string | { server: string; user: string; _serialized: string };
  name: string;
  isGroup: boolean;
  unreadCount: number;
  timestamp: number;
}

function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("X-Api-Key")) headers.set("X-Api-Key", KEY);
  return fetch(`${sim.url}${path}`, { ...init, headers });
}

async function control<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sim.url}/__sim/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as T;
}

const reset = (body: Record<string, unknown> = {}) => control("POST", "reset", body);

function chatIdOf(chat: Chat): string {
  return typeof chat.id === "string" ? chat.id : chat.id._serialized;
}

async function chats(): Promise<Chat[]> {
  return (await (await api("/api/default/chats")).json()) as Chat[];
}

async function messages(chatId: string, query = "downloadMedia=true"): Promise<Msg[]> {
  const res = await api(`/api/default/chats/${encodeURIComponent(chatId)}/messages?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Msg[];
}

async function allMessages(): Promise<Msg[]> {
  const out: Msg[] = [];
  for (const chat of await chats())
    out.push(...(await messages(chatIdOf(chat), "limit=200&downloadMedia=true")));
  return out;
}

/** GET with node:http so a body cut short still reports its headers and the bytes that arrived. */
function rawGet(
  url: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; bytes: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { "X-Api-Key": KEY } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on("error", () => undefined);
      res.on("close", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          bytes,
          complete: res.complete,
        }),
      );
    });
    req.on("error", reject);
  });
}

describe("authentication", () => {
  it("answers a missing or wrong X-Api-Key with WAHA's 401 body and counts it", async () => {
    await reset();
    for (const headers of [{}, { "X-Api-Key": "wrong" }] as Record<string, string>[]) {
      const res = await fetch(`${sim.url}/api/default/chats`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: "Unauthorized", statusCode: 401 });
    }
    const files = await fetch(`${sim.url}/api/files/default/x.jpeg`);
    expect(files.status).toBe(401);
    const stats = await control<{ calls: Record<string, number> }>("GET", "stats");
    expect(stats.calls.unauthorized).toBe(3);
    expect(stats.calls.chats).toBe(0);
  });
});

describe("session and server endpoints", () => {
  it("reports the session as WORKING with me, and other session names as not found", async () => {
    await reset();
    const res = await api("/api/sessions/default");
    const body = (await res.json()) as { name: string; status: string; me?: { id: string } };
    expect(body).toMatchObject({ name: "default", status: "WORKING" });
    expect(body.me?.id).toMatch(/^\d+@c\.us$/);
    expect((await api("/api/sessions/other")).status).toBe(404);
    expect((await api("/api/other/chats")).status).toBe(404);
  });

  it("answers version, status and ping, and /health only in the PLUS tier", async () => {
    await reset();
    expect(await (await api("/api/server/version")).json()).toMatchObject({
      engine: "WEBJS",
      tier: "CORE",
    });
    const status = (await (await api("/api/server/status")).json()) as {
      uptime: number;
      worker: { id: string };
    };
    expect(status.uptime).toBeGreaterThanOrEqual(0);
    expect(status.worker.id).toBe("waha");
    expect(await (await api("/ping")).json()).toEqual({ message: "pong" });
    const core = await api("/health");
    expect(core.status).toBe(422);
    expect(((await core.json()) as { message: string }).message).toMatch(/Plus/);
    await reset({ tier: "PLUS" });
    const plus = await api("/health");
    expect(plus.status).toBe(200);
    expect(await plus.json()).toMatchObject({ status: "ok", error: {} });
    expect(await (await api("/api/server/version")).json()).toMatchObject({ tier: "PLUS" });
    await reset();
  });

  it("refuses chat reads with WAHA's 422 while the session is not WORKING", async () => {
    await reset();
    await control("POST", "session", { status: "SCAN_QR_CODE" });
    const session = (await (await api("/api/sessions/default")).json()) as Record<string, unknown>;
    expect(session.status).toBe("SCAN_QR_CODE");
    expect(session.me).toBeNull();
    const res = await api("/api/default/chats");
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ status: "SCAN_QR_CODE", expected: ["WORKING"] });
    await reset();
    expect((await api("/api/default/chats")).status).toBe(200);
  });

  it("holds a call while the session starts, as WAHA does, and takes it once the session is WORKING", async () => {
    await reset();
    await control("PUT", "config", { sessionWaitMs: 10_000 });
    await control("POST", "session", { status: "STARTING" });
    const held = api("/api/sendText", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ chatId: "15550100001@c.us", text: "sent once WORKING" }),
    });
    await control("POST", "session", { status: "WORKING" });
    expect((await held).status).toBe(201);
    await reset();
  });
});

describe("chats and messages", () => {
  it("lists at least 20 chats, exactly one a group, with both string and object ids", async () => {
    await reset();
    const list = await chats();
    expect(list.length).toBeGreaterThanOrEqual(20);
    const ids = list.map(chatIdOf);
    expect(ids.filter((id) => id.endsWith("@g.us"))).toHaveLength(1);
    expect(ids.filter((id) => !id.endsWith("@c.us") && !id.endsWith("@g.us"))).toEqual([]);
    expect(list.filter((c) => c.isGroup)).toHaveLength(1);
    expect(list.some((c) => typeof c.id === "string")).toBe(true);
    expect(list.some((c) => typeof c.id === "object")).toBe(true);
    expect(list.every((c) => typeof c.name === "string" && Number.isInteger(c.timestamp))).toBe(
      true,
    );
    const page = (await (await api("/api/default/chats?limit=5&offset=2")).json()) as Chat[];
    expect(page.map(chatIdOf)).toEqual(ids.slice(2, 7));
  });

  it("builds the same data set, and the same file bytes, on every start", async () => {
    const other = await startSimulator({ apiKey: "k2", sessionWaitMs: 0 });
    try {
      const theirs = (await (
        await fetch(`${other.url}/api/default/chats`, { headers: { "X-Api-Key": "k2" } })
      ).json()) as Chat[];
      expect(theirs.map(chatIdOf)).toEqual((await chats()).map(chatIdOf));
      const [mine] = (await messages("15550100001@c.us", "limit=1")).map((m) => m.media?.url ?? "");
      const res = await fetch(
        `${other.url}/api/default/chats/15550100001%40c.us/messages?limit=1`,
        {
          headers: { "X-Api-Key": "k2" },
        },
      );
      const [their] = ((await res.json()) as Msg[]).map((m) => m.media?.url ?? "");
      const a = Buffer.from(await (await api(new URL(mine ?? "").pathname)).arrayBuffer());
      const b = Buffer.from(
        await (await fetch(their ?? "", { headers: { "X-Api-Key": "k2" } })).arrayBuffer(),
      );
      expect(a.length).toBeGreaterThan(1000);
      expect(a.equals(b)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("pages messages newest first with WAHA's default limit of 10", async () => {
    await reset();
    expect(await messages("15550100009@c.us", "downloadMedia=false")).toHaveLength(10);
    const all = await messages("15550100009@c.us", "limit=100&downloadMedia=false");
    expect(all).toHaveLength(100);
    const times = all.map((m) => m.timestamp);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const next = await messages("15550100009@c.us", "limit=10&offset=100&downloadMedia=false");
    expect(next[0]?.timestamp).toBeLessThanOrEqual(times[99] ?? 0);
    expect(next.map((m) => m.id)).not.toContain(all[99]?.id);
  });

  it("gives media a files URL only when downloadMedia is true", async () => {
    await reset();
    const plain = await messages("15550100001@c.us", "downloadMedia=false");
    expect(plain.some((m) => m.hasMedia)).toBe(true);
    expect(plain.every((m) => m.media === null)).toBe(true);
    const withMedia = (await messages("15550100001@c.us")).filter((m) => m.hasMedia);
    for (const m of withMedia) {
      expect(m.media?.url).toBe(
        `${sim.url}/api/files/default/${m.id}.${m.media?.mimetype === "image/png" ? "png" : "jpeg"}`,
      );
    }
    expect(withMedia.length).toBeGreaterThan(0);
    expect(withMedia.every((m) => /^(true|false)_\d+@c\.us_[0-9A-F]{20}$/.test(m.id))).toBe(true);
  });

  it("answers 404 for a message id the chat does not have", async () => {
    await reset();
    const res = await api(
      `/api/default/chats/15550100001%40c.us/messages/${encodeURIComponent("false_1@c.us_NOPE")}`,
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ statusCode: 404 });
  });
});

describe("media files", () => {
  const MAGIC: Record<string, Buffer> = {
    "image/png": Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    "image/jpeg": Buffer.from([0xff, 0xd8, 0xff]),
    "application/pdf": Buffer.from("%PDF"),
    "audio/ogg": Buffer.from("OggS"),
  };

  it("serves real PNG, JPEG, PDF, Ogg and MP4 files with type and length, different per message", async () => {
    await reset();
    const found = new Map<string, Buffer[]>();
    for (const m of await allMessages()) {
      if (!m.media?.url) continue;
      const res = await api(new URL(m.media.url).pathname);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const base = m.media.mimetype.split(";")[0] ?? "";
      expect(res.headers.get("content-type")).toBe(base);
      expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
      found.set(base, [...(found.get(base) ?? []), bytes]);
    }
    for (const [type, magic] of Object.entries(MAGIC)) {
      const files = found.get(type) ?? [];
      expect(files.length, type).toBeGreaterThanOrEqual(2);
      for (const f of files) expect(f.subarray(0, magic.length).equals(magic), type).toBe(true);
      expect(files[0]?.equals(files[1] ?? Buffer.alloc(0)), type).toBe(false);
    }
    const videos = found.get("video/mp4") ?? [];
    expect(videos).toHaveLength(1);
    expect(videos[0]?.subarray(4, 8).toString("latin1")).toBe("ftyp");
    const heavy = (found.get("image/png") ?? []).filter(
      (f) => f.length >= 50_000 && f.length <= 150_000,
    );
    expect(heavy.length).toBeGreaterThanOrEqual(2);
  });

  it("marks permanently missing media with a null url and an error", async () => {
    await reset();
    const missing = (await allMessages()).filter((m) => m.hasMedia && m.media?.url === null);
    expect(missing.length).toBeGreaterThanOrEqual(2);
    for (const m of missing) {
      expect(m.media?.error).toBeTruthy();
      expect(m.media?.mimetype).toBeTruthy();
      expect((await api(`/api/files/default/${m.id}.jpeg`)).status).toBe(404);
    }
  });

  it("answers 404 for an expired file until the single message is fetched again", async () => {
    await reset();
    const [m] = (await messages("15550100002@c.us")).filter((x) => x.media?.url);
    const path = new URL(m?.media?.url ?? "").pathname;
    expect((await api(path)).status).toBe(200);
    expect(await control("POST", "expire", { messageId: m?.id })).toEqual({ expired: 1 });
    const gone = await api(path);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { key: "FILE_NOT_FOUND" } });
    // A list call does save again, but here the single message is what brings it back.
    const single = await api(
      `/api/default/chats/15550100002%40c.us/messages/${encodeURIComponent(m?.id ?? "")}?downloadMedia=true`,
    );
    expect(((await single.json()) as Msg).media?.url).toBe(m?.media?.url);
    expect((await api(path)).status).toBe(200);
  });

  it("deletes files filesLifetimeSec after saving them", async () => {
    await reset({ filesLifetimeSec: 1 });
    const [m] = (await messages("15550100003@c.us")).filter((x) => x.media?.url);
    const path = new URL(m?.media?.url ?? "").pathname;
    expect((await api(path)).status).toBe(200);
    await expect.poll(async () => (await api(path)).status, { timeout: 3_000 }).toBe(404);
    await reset();
  });

  it("streams a 20 MB generated file with its full Content-Length and counts it in flight", async () => {
    await reset();
    const size = 20 * 1024 * 1024;
    const created = await control<Msg>("POST", "messages", {
      chatId: "15559990001@c.us",
      body: "big",
      media: { kind: "video/mp4", size },
    });
    expect(created.hasMedia).toBe(true);
    const [m] = await messages("15559990001@c.us");
    expect(m?.id).toBe(created.id);
    const res = await api(new URL(m?.media?.url ?? "").pathname);
    expect(res.headers.get("content-length")).toBe(String(size));
    const during = await control<{ mediaInFlight: number }>("GET", "stats");
    expect(during.mediaInFlight).toBe(1);
    const reader = res.body?.getReader();
    let bytes = 0;
    let head: Buffer | undefined;
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      head ??= Buffer.from(chunk.value.subarray(0, 8));
      bytes += chunk.value.length;
    }
    expect(bytes).toBe(size);
    expect(head?.subarray(4, 8).toString("latin1")).toBe("ftyp");
    const after = await control<{ mediaInFlight: number; mediaPeak: number }>("GET", "stats");
    expect(after).toMatchObject({ mediaInFlight: 0, mediaPeak: 1 });
  });
});

describe("sending", () => {
  it("adds sendText messages to the chat as fromMe and zeroes unread on sendSeen", async () => {
    await reset();
    const sent = await api("/api/sendText", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: "default", chatId: "15550100001@c.us", text: "On its way" }),
    });
    expect(sent.status).toBe(201);
    const raw = (await sent.json()) as {
      id: { _serialized: string };
      fromMe: boolean;
      body: string;
    };
    expect(raw).toMatchObject({ fromMe: true, body: "On its way" });
    const [newest] = await messages("15550100001@c.us", "limit=1");
    expect(newest).toMatchObject({ id: raw.id._serialized, fromMe: true, body: "On its way" });
    expect(newest?.id.startsWith("true_15550100001@c.us_")).toBe(true);

    const before = (await chats()).find((c) => chatIdOf(c) === "15550100001@c.us");
    expect(before?.unreadCount).toBeGreaterThan(0);
    const seen = await api("/api/sendSeen", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ chatId: "15550100001@c.us" }),
    });
    expect(seen.status).toBe(201);
    const after = (await chats()).find((c) => chatIdOf(c) === "15550100001@c.us");
    expect(after?.unreadCount).toBe(0);
  });

  it("answers 400 with class-validator messages when chatId or text is missing", async () => {
    const res = await api("/api/sendText", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ chatId: "15550100001@c.us" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      statusCode: 400,
      error: "Bad Request",
      message: ["text should not be empty", "text must be a string"],
    });
    const seen = await api("/api/sendSeen", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(seen.status).toBe(400);
  });
});

describe("faults", () => {
  it("answers an injected status for `times` requests, then behaves again, counting each call", async () => {
    await reset();
    const { id } = await control<{ id: string }>("POST", "faults", {
      endpoint: "chats",
      status: 500,
      times: 2,
    });
    expect(id).toBeTruthy();
    const first = await api("/api/default/chats");
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ statusCode: 500, message: "Internal server error" });
    expect((await api("/api/default/chats")).status).toBe(500);
    expect((await api("/api/default/chats")).status).toBe(200);
    const stats = await control<{ calls: Record<string, number> }>("GET", "stats");
    expect(stats.calls.chats).toBe(3);
    expect(await control("GET", "faults")).toEqual([]);
  });

  it("sends the full Content-Length but only resetAfterBytes bytes, then drops the connection", async () => {
    await reset();
    const [m] = (await messages("15550100001@c.us")).filter(
      (x) => x.media?.mimetype === "image/png",
    );
    await control("POST", "faults", { path: "/api/files/", resetAfterBytes: 1000 });
    const cut = await rawGet(m?.media?.url ?? "");
    expect(cut.status).toBe(200);
    expect(Number(cut.headers["content-length"])).toBeGreaterThan(50_000);
    expect(cut.bytes).toBe(1000);
    expect(cut.complete).toBe(false);
    await control("DELETE", "faults");
    const whole = await rawGet(m?.media?.url ?? "");
    expect(whole.complete).toBe(true);
    expect(whole.bytes).toBe(Number(whole.headers["content-length"]));
  });

  it("delays answers by latencyMs and matches by path prefix only where it applies", async () => {
    await reset();
    const { id } = await control<{ id: string }>("POST", "faults", {
      path: "/api/server/",
      latencyMs: 300,
    });
    let t = Date.now();
    expect((await api("/api/server/version")).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    t = Date.now();
    await api("/ping");
    expect(Date.now() - t).toBeLessThan(250);
    await fetch(`${sim.url}/__sim/faults/${id}`, { method: "DELETE" });
    t = Date.now();
    await api("/api/server/version");
    expect(Date.now() - t).toBeLessThan(250);
  });

  it("never applies a fault whose probability is 0, and hangs until the client gives up", async () => {
    await reset();
    await control("POST", "faults", { endpoint: "ping", status: 503, probability: 0 });
    expect((await api("/ping")).status).toBe(200);
    await control("POST", "faults", { endpoint: "session", hang: true });
    await expect(
      api("/api/sessions/default", { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    await control("DELETE", "faults");
    expect((await api("/api/sessions/default")).status).toBe(200);
  });

  it("lets close() finish while a request hangs", async () => {
    const own = await startSimulator({ apiKey: KEY, sessionWaitMs: 0 });
    await fetch(`${own.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ endpoint: "ping", hang: true }),
    });
    const pending = fetch(`${own.url}/ping`, { headers: { "X-Api-Key": KEY } });
    const inFlight = async () =>
      ((await (await fetch(`${own.url}/__sim/stats`)).json()) as { apiInFlight: number })
        .apiInFlight;
    await expect.poll(inFlight).toBe(1);
    const t = Date.now();
    await own.close();
    expect(Date.now() - t).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it("refuses a fault with an unknown endpoint name", async () => {
    const res = await fetch(`${sim.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ endpoint: "nope", status: 500 }),
    });
    expect(res.status).toBe(400);
  });
});

describe("stats", () => {
  it("counts calls per endpoint and starts again from zero on reset", async () => {
    await reset();
    await api("/ping");
    await api("/ping");
    await api("/api/sessions/default");
    await api("/api/default/chats/15550100001%40c.us/messages");
    const stats = await control<{ calls: Record<string, number>; resets: number }>("GET", "stats");
    expect(stats.calls).toMatchObject({ ping: 2, session: 1, messages: 1, chats: 0, file: 0 });
    const after = await reset();
    expect((after.calls as Record<string, number>).ping).toBe(0);
    expect(after.resets).toBe(stats.resets + 1);
  });
});

describe("stats by endpoint", () => {
  const ANA_ID = "15550100001%40c.us";
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  /** One real request for each endpoint the simulator counts (not a copy of its list). */
  const CALLS: Record<string, [string, RequestInit?]> = {
    session: ["/api/sessions/default"],
    "session-update": ["/api/sessions/default", json("PUT", { config: {} })],
    "session-restart": ["/api/sessions/default/restart", { method: "POST" }],
    "server-environment": ["/api/server/environment"],
    "server-version": ["/api/server/version"],
    "server-status": ["/api/server/status"],
    ping: ["/ping"],
    health: ["/health"],
    chats: ["/api/default/chats"],
    messages: [`/api/default/chats/${ANA_ID}/messages?limit=1`],
    message: [`/api/default/chats/${ANA_ID}/messages/nope`],
    file: ["/api/files/default/nope.jpg"],
    sendText: ["/api/sendText", json("POST", { chatId: "15550100001@c.us", text: "hi" })],
    sendSeen: ["/api/sendSeen", json("POST", { chatId: "15550100001@c.us" })],
    sendImage: ["/api/sendImage", json("POST", { chatId: "15550100001@c.us" })],
    sendFile: ["/api/sendFile", json("POST", { chatId: "15550100001@c.us" })],
    sendVoice: ["/api/sendVoice", json("POST", { chatId: "15550100001@c.us" })],
    sendVideo: ["/api/sendVideo", json("POST", { chatId: "15550100001@c.us" })],
    reaction: ["/api/reaction", json("PUT", { messageId: "x", reaction: "" })],
    lids: ["/api/default/lids"],
    qr: ["/api/default/auth/qr"],
    contact: ["/api/contacts?contactId=15550100001@c.us"],
    "contact-picture": ["/api/contacts/profile-picture?contactId=15550100001@c.us"],
    "picture-file": ["/__sim/pictures/15550100001@c.us.jpg"],
    "message-edit": [`/api/default/chats/${ANA_ID}/messages/nope`, json("PUT", { text: "x" })],
    "message-delete": [`/api/default/chats/${ANA_ID}/messages/nope`, { method: "DELETE" }],
    unauthorized: ["/ping", { headers: { "X-Api-Key": "wrong" } }],
  };

  it("counts each call under its own endpoint, and every counted endpoint has a call here", async () => {
    await reset();
    const before = await control<{ calls: Record<string, number> }>("GET", "stats");
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(before.calls).sort());
    for (const [endpoint, [path, init]] of Object.entries(CALLS)) {
      const was = (await control<{ calls: Record<string, number> }>("GET", "stats")).calls;
      await (await api(path, init)).arrayBuffer();
      const now = (await control<{ calls: Record<string, number> }>("GET", "stats")).calls;
      const moved = Object.keys(now).filter((k) => now[k] !== was[k]);
      expect({ endpoint, moved }).toEqual({ endpoint, moved: [endpoint] });
    }
    await reset();
  });
});

describe("webhooks", () => {
  const HMAC = "webhook-secret";
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let receiver: Server;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const { port } = receiver.address() as AddressInfo;
    await control("PUT", "config", {
      webhookUrl: `http://127.0.0.1:${port}/hook`,
      webhookHmacKey: HMAC,
    });
  });

  afterAll(async () => {
    await control("PUT", "config", { webhookUrl: null, webhookHmacKey: null });
    await new Promise((r) => receiver.close(r));
  });

  it("signs each webhook with HMAC-SHA512 of the raw body, verifiable with node:crypto", async () => {
    await reset();
    received.length = 0;
    const created = await control<Msg>("POST", "messages", {
      chatId: "15550100001@c.us",
      body: "Is my order shipped?",
      media: { kind: "image/png" },
      webhook: true,
    });
    expect(received).toHaveLength(1);
    const [hook] = received;
    const expected = createHmac("sha512", HMAC)
      .update(hook?.body ?? "")
      .digest("hex");
    expect(hook?.headers["x-webhook-hmac"]).toBe(expected);
    expect(signWebhook(hook?.body ?? "", HMAC)).toBe(expected);
    expect(hook?.headers["x-webhook-hmac-algorithm"]).toBe("sha512");
    expect(hook?.headers["content-type"]).toBe("application/json");
    expect(Number(hook?.headers["x-webhook-timestamp"])).toBeGreaterThan(Date.now() - 60_000);
    const envelope = JSON.parse(hook?.body ?? "{}") as Record<string, unknown>;
    expect(envelope).toMatchObject({ session: "default", event: "message", engine: "WEBJS" });
    expect(String(envelope.id)).toMatch(/^evt_/);
    expect(envelope.payload).toMatchObject({
      id: created.id,
      body: "Is my order shipped?",
      hasMedia: true,
    });
    const url = (envelope.payload as Msg).media?.url ?? "";
    expect((await api(new URL(url).pathname)).status).toBe(200);
    const stats = await control<{ webhooksSent: number }>("GET", "stats");
    expect(stats.webhooksSent).toBe(1);
  });

  it("sends arbitrary events on request and reports the receiver's status and request id", async () => {
    received.length = 0;
    const answer = await control<{ status: number; requestId: string }>("POST", "webhooks", {
      event: "message.ack",
      payload: { id: "x", ack: 3, ackName: "READ" },
      id: "evt_fixed",
    });
    expect(answer.status).toBe(202);
    expect(received[0]?.headers["x-webhook-request-id"]).toBe(answer.requestId);
    expect(JSON.parse(received[0]?.body ?? "{}")).toMatchObject({
      id: "evt_fixed",
      event: "message.ack",
    });
    await control("POST", "session", { status: "FAILED" });
    expect(JSON.parse(received[1]?.body ?? "{}")).toMatchObject({
      event: "session.status",
      payload: { name: "default", status: "FAILED" },
    });
    const ids = new Set(received.map((r) => r.headers["x-webhook-request-id"]));
    expect(ids.size).toBe(received.length);
    await reset();
  });
});
