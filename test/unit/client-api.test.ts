import { describe, expect, it } from "vitest";
import { ApiClient, sessionStatusOf } from "../../src/client/api-client.ts";
import { ApiError } from "../../src/client/api-error.ts";
import { retryAfterMs } from "../../src/client/retry-after.ts";
import { TokenStore } from "../../src/client/token-store.ts";

const NOW = Date.parse("2026-11-23T12:00:00Z");

function client(answer: Response, token: string | null = "tok") {
  const requests: Array<{ url: string; init: RequestInit | undefined }> = [];
  const unauthorized: ApiError[] = [];
  const api = new ApiClient({
    token: () => token ?? undefined,
    now: () => NOW,
    fetch: async (url, init) => {
      requests.push({ url, init });
      return answer;
    },
    onUnauthorized: (error) => unauthorized.push(error),
  });
  return { api, requests, unauthorized };
}

async function thrown(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("API client", () => {
  it("sends the bearer token and JSON bodies, and parses JSON answers", async () => {
    const { api, requests } = client(Response.json({ ok: true }));
    expect(await api.sendText("15550100001@c.us", "hello", { clientId: "c-12345678" })).toEqual({
      ok: true,
    });
    const [req] = requests;
    expect(req?.url).toBe("/api/wa/send-text");
    expect(req?.init?.method).toBe("POST");
    const headers = new Headers(req?.init?.headers);
    expect(headers.get("Authorization")).toBe("Bearer tok");
    expect(headers.get("Content-Type")).toBe("application/json");
    expect(JSON.parse(String(req?.init?.body))).toEqual({
      jid: "15550100001@c.us",
      text: "hello",
      clientId: "c-12345678",
    });
  });

  it("encodes the chat id in assignment paths and unassigns with DELETE", async () => {
    const { api, requests } = client(new Response(null, { status: 204 }));
    await api.assign("123-456@g.us", "agent-1");
    await api.assign("123-456@g.us", null);
    expect(requests.map((r) => [r.init?.method, r.url])).toEqual([
      ["PUT", "/api/wa/assignments/123-456%40g.us"],
      ["DELETE", "/api/wa/assignments/123-456%40g.us"],
    ]);
    expect(JSON.parse(String(requests[0]?.init?.body))).toEqual({ agentId: "agent-1" });
  });

  it("throws the gateway's {error, message} as an ApiError with status and Retry-After", async () => {
    const res = Response.json(
      { error: "media-busy", message: "3 downloads under way" },
      { status: 429, headers: { "Retry-After": "7" } },
    );
    const error = await thrown(client(res).api.chats());
    expect(error).toMatchObject({
      status: 429,
      code: "media-busy",
      message: "3 downloads under way",
      retryAfterMs: 7_000,
    });
  });

  it("names a non-JSON failure by its status and reports a dead network as status 0", async () => {
    const html = new Response("<h1>Bad gateway</h1>", { status: 502, statusText: "Bad Gateway" });
    expect(await thrown(client(html).api.me())).toMatchObject({ status: 502, code: "http-502" });

    const offline = new ApiClient({
      token: () => "tok",
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
    });
    const error = await thrown(offline.me());
    expect(error).toMatchObject({ status: 0, code: "network-error" });
    expect(error.message).toContain("Failed to fetch");
  });

  it("tells the page about a 401 before throwing it, so it can sign out", async () => {
    const res = Response.json({ error: "unauthorized", message: "token expired" }, { status: 401 });
    const { api, unauthorized } = client(res);
    const error = await thrown(api.me());
    expect(unauthorized).toEqual([error]);
  });

  it("sends no Authorization header without a token", async () => {
    const { api, requests } = client(Response.json({ ok: true }), null);
    await api.json("/api/health");
    expect(new Headers(requests[0]?.init?.headers).has("Authorization")).toBe(false);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("30", NOW)).toBe(30_000);
    expect(retryAfterMs(" 0 ", NOW)).toBe(0);
    expect(retryAfterMs(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(retryAfterMs(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(0);
    expect(retryAfterMs("soon", NOW)).toBeUndefined();
    expect(retryAfterMs(null, NOW)).toBeUndefined();
  });

  it("reads the status answer with its cache headers, the server's tier and whether it is SILENT", async () => {
    const body = {
      status: "WORKING",
      session: { status: "WORKING" },
      server: { version: "2026.2.1", engine: "WEBJS", tier: "PLUS" },
      silent: true,
    };
    const { api } = client(
      Response.json(body, { headers: { "X-Cache-Status": "STALE", Age: "23" } }),
    );
    expect(await api.wahaStatus()).toEqual({
      status: "WORKING",
      tier: "PLUS",
      engine: "WEBJS",
      cache: "STALE",
      ageMs: 23_000,
      silent: true,
    });
  });

  it("pages messages back with beforeId and tells every failure to the page", async () => {
    const failures: ApiError[] = [];
    const api = new ApiClient({
      token: () => "tok",
      fetch: async () =>
        Response.json(
          { error: "upstream-unavailable" },
          { status: 503, headers: { "Retry-After": "12" } },
        ),
      onFailure: (e) => failures.push(e),
    });
    const error = await thrown(api.messages("a@c.us", { limit: 50, beforeId: "false_a@c.us_K1" }));
    expect(error.code).toBe("upstream-unavailable");
    expect(failures.map((f) => [f.status, f.retryAfterMs])).toEqual([[503, 12_000]]);
    const { api: ok, requests } = client(Response.json([]));
    await ok.messages("a@c.us", { limit: 50, beforeId: "false_a@c.us_K1" });
    expect(requests[0]?.url).toBe(
      "/api/wa/messages?jid=a%40c.us&limit=50&beforeId=false_a%40c.us_K1",
    );
  });

  it("tells the page the gateway is there on each of its answers, errors included, but not on a proxy's page or no answer", async () => {
    const answers = ["ok", "refused", "proxy", "offline"];
    const heard: string[] = [];
    const api = new ApiClient({
      token: () => "tok",
      fetch: async () => {
        const next = answers.shift();
        if (next === "ok") return Response.json([]);
        if (next === "refused") return Response.json({ error: "forbidden" }, { status: 403 });
        if (next === "proxy") return new Response("<h1>502</h1>", { status: 502 });
        throw new TypeError("Failed to fetch");
      },
      onAnswer: () => heard.push("answer"),
      onFailure: (error) => heard.push(`failure ${error.status}`),
    });
    for (let i = 0; i < 4; i++) await api.chats().catch(() => {});
    expect(heard).toEqual(["answer", "answer", "failure 403", "failure 502", "failure 0"]);
  });

  it("finds the WAHA session status in a status answer", () => {
    expect(sessionStatusOf({ session: { name: "default", status: "WORKING" } })).toBe("WORKING");
    expect(sessionStatusOf({ session: "SCAN_QR_CODE", server: {} })).toBe("SCAN_QR_CODE");
    expect(sessionStatusOf({ status: "FAILED" })).toBe("FAILED");
    expect(sessionStatusOf({ server: { version: "x" } })).toBeUndefined();
    expect(sessionStatusOf(null)).toBeUndefined();
  });
});

describe("token store", () => {
  function page(hash: string) {
    const items = new Map<string, string>();
    const replaced: string[] = [];
    const store = new TokenStore({
      location: { hash, pathname: "/", search: "" },
      history: { replaceState: (_d, _u, url) => replaced.push(String(url)) },
      storage: {
        getItem: (k) => items.get(k) ?? null,
        setItem: (k, v) => void items.set(k, v),
        removeItem: (k) => void items.delete(k),
      },
    });
    return { store, items, replaced };
  }

  it("moves a #token= sign-in link into sessionStorage and removes it from the address bar", () => {
    const { store, items, replaced } = page("#token=eyJhbGciOi.abc.def");
    expect(store.adoptFromUrl()).toBe("eyJhbGciOi.abc.def");
    expect([...items.values()]).toEqual(["eyJhbGciOi.abc.def"]);
    expect(replaced).toEqual(["/"]);
  });

  it("keeps other fragment parameters and falls back to the stored token without a link", () => {
    const withChat = page("#chat=15550100001%40c.us&token=t1");
    expect(withChat.store.adoptFromUrl()).toBe("t1");
    expect(withChat.replaced).toEqual(["/#chat=15550100001%40c.us"]);

    const plain = page("");
    plain.store.set("stored");
    expect(plain.store.adoptFromUrl()).toBe("stored");
    expect(plain.replaced).toEqual([]);
    plain.store.clear();
    expect(plain.store.get()).toBeUndefined();
  });
});
