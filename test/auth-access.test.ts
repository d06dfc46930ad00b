import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../src/lib/auth/sign-token.ts";
import {
  expectRefused,
  gateway,
  logged,
  makeKey,
  newTenant,
  nowSeconds,
  SITE,
  signHs256,
  signJwt,
  type Tenant,
  type TestKey,
} from "./sign-in-fixtures.ts";

const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const LOGOUT = "/cdn-cgi/access/logout";

let key: TestKey;
let team: Tenant;
let access: ReturnType<typeof gateway>;

beforeAll(async () => {
  key = await makeKey("RS256");
  team = await newTenant([key]);
  access = gateway({
    CF_ACCESS_TEAM_DOMAIN: team.origin,
    CF_ACCESS_AUD: AUD,
    ADMIN_EMAILS: "Owner@Shop.example",
    USER_EMAILS: "lead@shop.example",
  });
  await env.DB.batch([
    env.DB.prepare("DELETE FROM agents"),
    env.DB.prepare(
      "INSERT INTO agents (id, name, email, active) VALUES ('agent-1', 'Amira', 'amira@shop.example', 1), ('agent-2', 'Bruno', 'bruno@shop.example', 0)",
    ),
  ]);
});

/** A token shaped like the ones Access puts in Cf-Access-Jwt-Assertion. */
function accessToken(email: string | undefined, extra: Record<string, unknown> = {}) {
  const now = nowSeconds();
  return signJwt(key, {
    aud: [AUD],
    email,
    exp: now + 86_400,
    iat: now,
    nbf: now,
    iss: team.origin,
    type: "app",
    identity_nonce: "6ei69kawdKzMIAPF",
    sub: "7335d417-61da-459d-899c-0a01c76a2d94",
    country: "DE",
    ...extra,
  });
}

const viaHeader = async (email: string | undefined, extra?: Record<string, unknown>) => ({
  "Cf-Access-Jwt-Assertion": await accessToken(email, extra),
});

describe("Cloudflare Access", () => {
  it("signs an agent in from Cf-Access-Jwt-Assertion by the e-mail mapped in D1", async () => {
    const res = await access("/api/me", { headers: await viaHeader("amira@shop.example") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: "agent-1",
      role: "agent",
      name: "Amira",
      via: "access",
      signOutUrl: LOGOUT,
    });
  });

  it("takes the CF_Authorization cookie when the header is absent", async () => {
    const token = await accessToken("AMIRA@shop.example");
    const res = await access("/api/me", {
      headers: { Cookie: `theme=dark; CF_Authorization=${token}; other=1` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: "agent-1", role: "agent", via: "access" });
  });

  it("makes ADMIN_EMAILS admins and USER_EMAILS users, matching case-insensitively", async () => {
    const admin = await access("/api/me", { headers: await viaHeader("owner@shop.example") });
    expect(await admin.json()).toEqual({
      sub: "owner@shop.example",
      role: "admin",
      name: "owner@shop.example",
      via: "access",
      signOutUrl: LOGOUT,
    });
    const user = await access("/api/me", { headers: await viaHeader("Lead@Shop.Example") });
    expect(await user.json()).toMatchObject({ sub: "lead@shop.example", role: "user" });
  });

  it("answers 403 not-an-agent, saying whom to ask, for an e-mail no agent has", async () => {
    const res = await access("/api/wa/chats", {
      headers: await viaHeader("stranger@shop.example"),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: "not-an-agent",
      message:
        "stranger@shop.example is not an agent of this inbox: ask an admin to add you at /api/agents",
      signOutUrl: LOGOUT,
    });
  });

  it("answers 403 not-an-agent for a switched-off agent and for a service token without e-mail", async () => {
    const off = await access("/api/me", { headers: await viaHeader("bruno@shop.example") });
    expect(off.status).toBe(403);
    expect(await off.json()).toMatchObject({
      error: "not-an-agent",
      message: expect.stringContaining("agent-2 (bruno@shop.example) is switched off"),
    });
    const service = await access("/api/me", {
      headers: await viaHeader(undefined, { common_name: "a1b2.access", sub: "" }),
    });
    expect(service.status).toBe(403);
    expect(await service.json()).toMatchObject({ error: "not-an-agent" });
  });

  it("lets an agent in as soon as an admin maps its e-mail, and out when the agent is switched off", async () => {
    const headers = await viaHeader("carla@shop.example");
    expect((await access("/api/me", { headers })).status).toBe(403);
    const admin = await viaHeader("owner@shop.example");
    const created = await access("/api/agents", {
      method: "POST",
      headers: { ...admin, Origin: SITE, "Content-Type": "application/json" },
      body: JSON.stringify({ id: "agent-3", name: "Carla", email: "Carla@Shop.example" }),
    });
    expect(created.status).toBe(201);
    expect(await (await access("/api/me", { headers })).json()).toMatchObject({ sub: "agent-3" });
    const off = await access("/api/agents/agent-3", {
      method: "PATCH",
      headers: { ...admin, Origin: SITE, "Content-Type": "application/json" },
      body: JSON.stringify({ active: false }),
    });
    expect(off.status).toBe(200);
    expect((await access("/api/me", { headers })).status).toBe(403);
  });

  it.each([
    ["for another Access application", { aud: ["0".repeat(64)] }],
    ["from another team domain", { iss: "https://other.cloudflareaccess.com" }],
    ["that has expired", { exp: nowSeconds() - 120 }],
    ["that is not valid yet", { nbf: nowSeconds() + 600 }],
    ["for the team domain itself (type org)", { type: "org" }],
  ])("refuses an Access token %s", async (_, extra) => {
    await expectRefused(
      await access("/api/me", { headers: await viaHeader("amira@shop.example", extra) }),
    );
  });

  it("refuses Access tokens signed by a key Access does not publish, and HS256 ones", async () => {
    const forged = await makeKey("RS256", key.kid);
    const now = nowSeconds();
    const payload = { aud: [AUD], email: "owner@shop.example", iss: team.origin, exp: now + 60 };
    for (const token of [
      await signJwt(forged, payload),
      await signHs256({ ...payload, sub: "owner", role: "admin" }, env.JWT_SECRET),
      await signHs256(payload, JSON.stringify(key.jwk), { kid: key.kid }),
    ]) {
      await expectRefused(
        await access("/api/me", { headers: { "Cf-Access-Jwt-Assertion": token } }),
      );
      await expectRefused(
        await access("/api/me", { headers: { Cookie: `CF_Authorization=${token}` } }),
      );
    }
  });

  it("ignores Access headers and cookies where Access is not configured", async () => {
    const plain = gateway({});
    const token = await accessToken("owner@shop.example");
    const tries: Record<string, string>[] = [
      { "Cf-Access-Jwt-Assertion": token },
      { Cookie: `CF_Authorization=${token}` },
    ];
    for (const headers of tries) {
      const res = await plain("/api/me", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
      expect(await res.json()).toEqual({
        error: "unauthorized",
        message: "sign-in required: send a Bearer token",
      });
    }
  });

  it("prefers an explicit Bearer token over the Access header", async () => {
    const bearer = await signToken({ sub: "admin-9", role: "admin" }, env.JWT_SECRET, 60);
    const res = await access("/api/me", {
      bearer,
      headers: await viaHeader("stranger@shop.example"),
    });
    expect(await res.json()).toEqual({ sub: "admin-9", role: "admin", via: "bearer" });
  });

  it("verifies an Access token sent as a Bearer token against Access's keys", async () => {
    const res = await access("/api/me", { bearer: await accessToken("amira@shop.example") });
    expect(await res.json()).toEqual({
      sub: "agent-1",
      role: "agent",
      name: "Amira",
      via: "bearer",
    });
  });

  it("logs the reason for a refused Access token without the token itself", async () => {
    const token = await accessToken("amira@shop.example", { aud: ["wrong"] });
    const log = await logged(() =>
      access("/api/me", { headers: { "Cf-Access-Jwt-Assertion": token } }),
    );
    expect(log).toContain(
      '[auth] 401 access: audience ["wrong"] does not include the expected one',
    );
    expect(log).not.toContain(token);
  });
});

describe("cookie sign-ins and cross-site requests", () => {
  const ticket = (headers: Record<string, string>, app = access) =>
    app("/api/realtime/ticket", { method: "POST", headers });

  it("refuses a change signed in by Access unless it comes from this site", async () => {
    const headers = await viaHeader("amira@shop.example");
    const cookie = { Cookie: `CF_Authorization=${await accessToken("amira@shop.example")}` };
    for (const creds of [headers, cookie]) {
      const origins: Record<string, string>[] = [
        { Origin: "https://evil.example" },
        {},
        { Origin: "null" },
      ];
      for (const origin of origins) {
        const res = await ticket({ ...creds, ...origin });
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({
          error: "cross-site-request",
          message: "a change signed in by cookie must come from this site (Origin header)",
        });
      }
      expect((await ticket({ ...creds, Origin: SITE })).status).toBe(200);
    }
    // Reads are not changes; a Bearer token is never sent by the browser on its own.
    expect(
      (await access("/api/me", { headers: { ...headers, Origin: "https://evil.example" } })).status,
    ).toBe(200);
    const bearer = await signToken({ sub: "agent-1", role: "agent" }, env.JWT_SECRET, 60);
    expect(
      (await ticket({ Authorization: `Bearer ${bearer}`, Origin: "https://evil.example" })).status,
    ).toBe(200);
  });

  it("lets a change through from an origin CORS_ORIGIN lists, but not from any origin for *", async () => {
    const vars = { CF_ACCESS_TEAM_DOMAIN: team.origin, CF_ACCESS_AUD: AUD };
    const listed = gateway({ ...vars, CORS_ORIGIN: "https://app.shop.example" });
    const star = gateway({ ...vars, CORS_ORIGIN: "*" });
    const headers = {
      ...(await viaHeader("amira@shop.example")),
      Origin: "https://app.shop.example",
    };
    expect((await ticket(headers, listed)).status).toBe(200);
    expect((await ticket(headers, star)).status).toBe(403);
  });

  it("refuses a change whose Host is forged to match the foreign Origin it comes from", async () => {
    const vars = { CF_ACCESS_TEAM_DOMAIN: team.origin, CF_ACCESS_AUD: AUD };
    const headers = await viaHeader("amira@shop.example");
    // A page on evil.example whose name now resolves to the gateway (DNS rebinding): the
    // browser sends its own name as Host, and workerd builds the request URL from it.
    for (const site of ["http://evil.example", "http://192.168.1.20:8787"]) {
      const forged = gateway(vars, site);
      const res = await ticket({ ...headers, Host: new URL(site).host, Origin: site }, forged);
      expect(res.status, site).toBe(403);
      expect(await res.json()).toMatchObject({ error: "cross-site-request" });
    }
    // A gateway served over plain http on such a name says so in CORS_ORIGIN.
    const lan = gateway(
      { ...vars, CORS_ORIGIN: "http://192.168.1.20:8787" },
      "http://192.168.1.20:8787",
    );
    expect((await ticket({ ...headers, Origin: "http://192.168.1.20:8787" }, lan)).status).toBe(
      200,
    );
  });

  it("lets a change through from its own page over https, and over plain http on this machine", async () => {
    const vars = { CF_ACCESS_TEAM_DOMAIN: team.origin, CF_ACCESS_AUD: AUD };
    const headers = await viaHeader("amira@shop.example");
    for (const site of [
      SITE,
      "http://127.0.0.1:8787",
      "http://localhost:8787",
      "http://[::1]:8787",
    ]) {
      expect((await ticket({ ...headers, Origin: site }, gateway(vars, site))).status, site).toBe(
        200,
      );
    }
  });

  it("signs in from the business's own cookie (JWT_COOKIE_NAME), Sign out going to SIGN_OUT_URL", async () => {
    const app = gateway({
      JWT_COOKIE_NAME: "shop_session",
      SIGN_OUT_URL: "https://shop.example/logout",
    });
    const token = await signToken(
      { sub: "agent-1", role: "agent", name: "Amira" },
      env.JWT_SECRET,
      60,
    );
    const me = await app("/api/me", { headers: { Cookie: `shop_session=${token}` } });
    expect(await me.json()).toEqual({
      sub: "agent-1",
      role: "agent",
      name: "Amira",
      via: "cookie",
      signOutUrl: "https://shop.example/logout",
    });
    const cookie = { Cookie: `shop_session=${token}` };
    expect((await ticket({ ...cookie, Origin: "https://evil.example" }, app)).status).toBe(403);
    expect((await ticket({ ...cookie, Origin: SITE }, app)).status).toBe(200);
    // Without JWT_COOKIE_NAME, no cookie is read.
    expect((await gateway({})("/api/me", { headers: cookie })).status).toBe(401);
  });
});
