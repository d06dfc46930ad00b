import { describe, expect, it } from "vitest";
import { linkTokenProblem, probeSignIn, refusedLinkText } from "../../src/client/sign-in.ts";

function answering(res: Response | Error) {
  const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchFn = async (url: string, init?: RequestInit) => {
    seen.push({ url, init });
    if (res instanceof Error) throw res;
    return res;
  };
  return { fetchFn, seen };
}

describe("signing in without a link", () => {
  it("asks /api/me with the browser's own credentials and no token, and is signed in on 200", async () => {
    const me = {
      sub: "agent-1",
      role: "agent",
      via: "access",
      signOutUrl: "/cdn-cgi/access/logout",
    };
    const { fetchFn, seen } = answering(Response.json(me));
    expect(await probeSignIn(fetchFn)).toEqual({ status: "signed-in", me });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("/api/me");
    expect(seen[0]?.init?.credentials).toBe("same-origin");
    expect(new Headers(seen[0]?.init?.headers).has("Authorization")).toBe(false);
  });

  it("is signed out on 401, so the page asks for a link or a token", async () => {
    const { fetchFn } = answering(Response.json({ error: "unauthorized" }, { status: 401 }));
    expect(await probeSignIn(fetchFn)).toEqual({ status: "signed-out" });
  });

  it("passes on whom to ask and where to sign out for 403 not-an-agent", async () => {
    const body = {
      error: "not-an-agent",
      message:
        "ann@shop.example is not an agent of this inbox: ask an admin to add you at /api/agents",
      signOutUrl: "/cdn-cgi/access/logout",
    };
    const { fetchFn } = answering(Response.json(body, { status: 403 }));
    expect(await probeSignIn(fetchFn)).toEqual({
      status: "not-an-agent",
      message: body.message,
      signOutUrl: "/cdn-cgi/access/logout",
    });
  });

  it("fails with the gateway's error for other answers and with network-error when there is none", async () => {
    const busy = answering(
      Response.json(
        { error: "auth-unavailable" },
        { status: 503, headers: { "Retry-After": "5" } },
      ),
    );
    const failed = await probeSignIn(busy.fetchFn, () => 0);
    expect(
      failed.status === "failed" && [
        failed.error.status,
        failed.error.code,
        failed.error.retryAfterMs,
      ],
    ).toEqual([503, "auth-unavailable", 5000]);
    const offline = await probeSignIn(answering(new TypeError("Failed to fetch")).fetchFn);
    expect(offline.status === "failed" && offline.error.code).toBe("network-error");
  });
});

describe("a refused sign-in link", () => {
  const b64 = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const jwt = (claims: Record<string, unknown>) => `${b64({ alg: "HS256" })}.${b64(claims)}.c2ln`;
  const now = Date.UTC(2026, 0, 1);

  it("is cut short, expired, or refused for a reason the page cannot see", () => {
    const full = jwt({ sub: "a", exp: now / 1000 + 60 });
    expect(linkTokenProblem(full.slice(0, 30), now)).toBe("malformed");
    expect(linkTokenProblem("not a token", now)).toBe("malformed");
    expect(linkTokenProblem(jwt({ sub: "a", exp: now / 1000 - 1 }), now)).toBe("expired");
    expect(linkTokenProblem(full, now)).toBeUndefined();
  });

  it("is explained in words that say what to do", () => {
    expect(refusedLinkText("", now)).toMatch(/^This sign-in link is not valid/);
    expect(refusedLinkText(jwt({ exp: 1 }), now)).toBe(
      "This sign-in link has expired. Ask for a new one.",
    );
    expect(refusedLinkText(jwt({ exp: now / 1000 + 60 }), now)).toMatch(/was refused/);
  });
});
