import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/lib/auth/sign-token.ts";
import type { AppEnv, Role } from "../../src/lib/types.ts";
import { requireAuth, requireRole } from "../../src/middleware/auth.ts";
import { ORIGIN, signedIn, withConfig } from "./fixtures.ts";

const app = new Hono<AppEnv>()
  .use(withConfig())
  .use(requireAuth())
  .get("/me", (c) => c.json({ user: c.var.user, signIn: c.var.signIn }));

async function get(authorization?: string): Promise<Response> {
  return app.request(
    `${ORIGIN}/me`,
    { headers: authorization ? { Authorization: authorization } : {} },
    env,
  );
}

async function expectUnauthorized(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
  expect(await res.json()).toMatchObject({ error: "unauthorized" });
}

describe("requireAuth", () => {
  it("lets a valid bearer token through and puts its user and sign-in on the context", async () => {
    const token = await signToken({ sub: "agent-7", role: "agent" }, env.JWT_SECRET, 60);
    const res = await get(`Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      user: { sub: "agent-7", role: "agent" },
      signIn: { via: "bearer" },
    });
  });

  it("answers 401 with WWW-Authenticate: Bearer and asks for a token when none is sent", async () => {
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
    expect(await res.json()).toEqual({
      error: "unauthorized",
      message: "sign-in required: send a Bearer token",
    });
  });

  it("answers 401 with WWW-Authenticate: Bearer to a token that is not a JWT", async () => {
    await expectUnauthorized(await get("Bearer not.a.jwt"));
  });

  it("answers 401 with WWW-Authenticate: Bearer to a token signed with another secret", async () => {
    const token = await signToken({ sub: "a", role: "admin" }, "another-secret-0123456789abcdef");
    await expectUnauthorized(await get(`Bearer ${token}`));
  });

  it("answers 401 with WWW-Authenticate: Bearer to an expired token", async () => {
    const exp = Math.floor(Date.now() / 1000) - 5;
    const token = await sign({ sub: "a", role: "admin", exp }, env.JWT_SECRET, "HS256");
    await expectUnauthorized(await get(`Bearer ${token}`));
  });

  it("never tells the browser why a token was refused", async () => {
    const exp = Math.floor(Date.now() / 1000) - 5;
    const expired = await sign({ sub: "a", role: "admin", exp }, env.JWT_SECRET, "HS256");
    const res = await get(`Bearer ${expired}`);
    expect(await res.json()).toEqual({
      error: "unauthorized",
      message: "the token is invalid or expired",
    });
  });
});

describe("requireRole", () => {
  function appFor(role: Role) {
    return new Hono<AppEnv>()
      .use(signedIn({ sub: `${role}-1`, role }))
      .get("/staff", requireRole("admin", "user"), (c) => c.text("staff only"));
  }

  it("lets a listed role through", async () => {
    const res = await appFor("user").request("/staff");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("staff only");
  });

  it("answers 403 forbidden naming the roles to a role not listed", async () => {
    const res = await appFor("agent").request("/staff");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: "forbidden",
      message: "this needs the role admin or user",
    });
  });

  it("throws at creation, naming `roles`, when no role is listed", () => {
    expect(() => requireRole()).toThrow(/`roles` must name at least one role/);
  });

  it("throws at creation, naming `roles`, for a role that does not exist", () => {
    expect(() => requireRole("admin", "root" as Role)).toThrow(
      /requireRole: `roles` must be among admin, user, agent, got "root"/,
    );
  });
});
