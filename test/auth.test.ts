import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { call, tokenFor } from "./helpers.ts";

const now = () => Math.floor(Date.now() / 1000);

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

async function status401(token: string | undefined, header?: string) {
  const res = await call("/api/me", {
    headers: header ? { Authorization: header } : token ? { Authorization: `Bearer ${token}` } : {},
  });
  expect(res.status).toBe(401);
  expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
  expect(await res.json()).toMatchObject({ error: "unauthorized" });
}

describe("bearer tokens", () => {
  it("lets a valid token through and exposes its claims", async () => {
    const res = await call("/api/me", { token: await tokenFor("agent", "agent-7") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "agent-7", role: "agent", via: "bearer" });
  });

  it("refuses a request without a token", () => status401(undefined));

  it("refuses a malformed token and a non-Bearer scheme", async () => {
    await status401("not.a.jwt");
    await status401("abc");
    await status401(undefined, `Basic ${btoa("admin:admin")}`);
  });

  it("refuses an expired token", async () => {
    const token = await sign({ sub: "a", role: "admin", exp: now() - 5 }, env.JWT_SECRET, "HS256");
    await status401(token);
  });

  it("refuses a token signed with another secret", async () => {
    const token = await sign(
      { sub: "a", role: "admin", exp: now() + 60 },
      "another-secret-0123456789",
      "HS256",
    );
    await status401(token);
  });

  it("refuses an unsigned alg:none token", async () => {
    const token = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "a", role: "admin", exp: now() + 60 })}.`;
    await status401(token);
  });

  it("refuses tokens with a missing or unknown role, or no expiry", async () => {
    await status401(await sign({ sub: "a", exp: now() + 60 }, env.JWT_SECRET, "HS256"));
    await status401(
      await sign({ sub: "a", role: "root", exp: now() + 60 }, env.JWT_SECRET, "HS256"),
    );
    await status401(await sign({ sub: "a", role: "admin" }, env.JWT_SECRET, "HS256"));
  });
});
