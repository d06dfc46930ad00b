import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  afterAnswers,
  b64url,
  expectRefused,
  frozenClock,
  gateway,
  logged,
  makeKey,
  newTenant,
  nowSeconds,
  REFUSED,
  signHs256,
  signJwt,
  type TestKey,
} from "./sign-in-fixtures.ts";

const ISSUER = "https://id.example.com/realms/shop";
const AUDIENCE = "wa-edge-inbox";

let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  [rsa, ec, stranger] = await Promise.all([makeKey("RS256"), makeKey("ES256"), makeKey("RS256")]);
});

let clock: ReturnType<typeof frozenClock> | undefined;
afterEach(() => {
  clock?.restore();
  clock = undefined;
});

/** A fresh issuer (its own JWKS URL, so nothing is cached yet) and the gateway that trusts it. */
async function issuer(keys: TestKey[] = [rsa, ec], vars: Record<string, string> = {}) {
  const tenant = await newTenant(keys);
  const call = gateway({
    JWT_JWKS_URL: tenant.jwksUrl,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ...vars,
  });
  const me = (token: string) => call("/api/me", { bearer: token });
  return { tenant, call, me };
}

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "agent-1",
    role: "agent",
    iat: now,
    exp: now + 600,
    ...extra,
  };
}

describe("tokens verified by a JWKS", () => {
  it("signs in an RS256 token with the role, subject and name it carries", async () => {
    const { me } = await issuer();
    const res = await me(await signJwt(rsa, claims({ name: "Amira" })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: "agent-1",
      role: "agent",
      name: "Amira",
      via: "bearer",
    });
  });

  it("signs in an ES256 token, whose signature is raw r||s", async () => {
    const { me } = await issuer();
    const res = await me(await signJwt(ec, claims({ sub: "boss", role: "admin" })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "boss", role: "admin", via: "bearer" });
  });

  it("keeps HS256 tokens signed with JWT_SECRET working beside the JWKS", async () => {
    const { me } = await issuer();
    const token = await signHs256(
      { sub: "user-1", role: "user", exp: nowSeconds() + 60 },
      env.JWT_SECRET,
    );
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "user-1", role: "user", via: "bearer" });
  });

  it("takes an aud array that includes the audience, and tokens within a minute of clock skew", async () => {
    const { me } = await issuer();
    const now = nowSeconds();
    for (const extra of [
      { aud: ["another-app", AUDIENCE] },
      { exp: now - 30 },
      { nbf: now + 30 },
      { iat: now + 30 },
    ]) {
      expect((await me(await signJwt(rsa, claims(extra)))).status, JSON.stringify(extra)).toBe(200);
    }
  });

  it("reads the role and agent id from the claims JWT_ROLE_CLAIM and JWT_SUB_CLAIM name", async () => {
    const { me } = await issuer([rsa], {
      JWT_ROLE_CLAIM: "realm_access.roles",
      JWT_SUB_CLAIM: "preferred_username",
    });
    const token = await signJwt(
      rsa,
      claims({
        sub: "5f1c-opaque",
        role: undefined,
        preferred_username: "agent-7",
        realm_access: { roles: ["offline_access", "agent", "user"] },
      }),
    );
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "agent-7", role: "user", via: "bearer" });
  });
});

describe("who a JWKS token is", () => {
  it("maps a token without a role claim by its e-mail, unless the issuer says it is unverified", async () => {
    await env.DB.prepare(
      "INSERT INTO agents (id, name, email) VALUES ('agent-5', 'Eva', 'eva@shop.example')",
    ).run();
    const { me } = await issuer([rsa], { ADMIN_EMAILS: "owner@shop.example" });
    const noRole = (extra: Record<string, unknown>) =>
      signJwt(rsa, claims({ role: undefined, sub: "idp-7f3a", ...extra }));
    const agent = await me(await noRole({ email: "Eva@Shop.example" }));
    expect(await agent.json()).toEqual({
      sub: "agent-5",
      role: "agent",
      name: "Eva",
      via: "bearer",
    });
    const owner = await me(await noRole({ email: "owner@shop.example", email_verified: true }));
    expect(await owner.json()).toMatchObject({ sub: "owner@shop.example", role: "admin" });

    const unverified = await me(
      await noRole({ email: "owner@shop.example", email_verified: false }),
    );
    expect(unverified.status).toBe(403);
    expect(await unverified.json()).toEqual({
      error: "not-an-agent",
      message:
        "owner@shop.example is not verified by your identity provider: verify it there, or ask an admin of this inbox for a role",
    });
    // A role this gateway does not know counts as none.
    const unknownRole = await me(await signJwt(rsa, claims({ role: "superuser" })));
    expect(unknownRole.status).toBe(403);
    expect(await unknownRole.json()).toMatchObject({ error: "not-an-agent" });
  });

  it("refuses a token with a role but no usable subject", async () => {
    const { me } = await issuer();
    await expectRefused(await me(await signJwt(rsa, claims({ sub: undefined }))));
    await expectRefused(await me(await signJwt(rsa, claims({ sub: 42 }))));
  });
});

describe("refused tokens", () => {
  const now = () => nowSeconds();
  it.each([
    ["for another audience", () => claims({ aud: "another-app" })],
    ["for an audience list without ours", () => claims({ aud: ["a", "b"] })],
    ["without an audience", () => claims({ aud: undefined })],
    ["from another issuer", () => claims({ iss: "https://evil.example.com" })],
    ["without an exp", () => claims({ exp: undefined })],
    ["with a non-numeric exp", () => claims({ exp: "tomorrow" })],
    ["that expired over a minute ago", () => claims({ exp: now() - 61 })],
    ["that is not valid for another two minutes (nbf)", () => claims({ nbf: now() + 120 })],
    ["issued two minutes in the future (iat)", () => claims({ iat: now() + 120 })],
  ])("refuses a token %s with a bare 401", async (_, payload) => {
    const { me } = await issuer();
    await expectRefused(await me(await signJwt(rsa, payload())));
  });

  it("refuses a token signed by a key the JWKS does not hold, even under a kid it does hold", async () => {
    const { me } = await issuer();
    await expectRefused(await me(await signJwt(stranger, claims(), { kid: rsa.kid })));
    await expectRefused(await me(await signJwt(stranger, claims())));
  });

  it("refuses a token whose alg does not match its key's type", async () => {
    const { me } = await issuer();
    // An RSA signature presented as ES256 under the RSA key's kid, and the other way round.
    const rs = await signJwt(rsa, claims());
    const [, body, sig] = rs.split(".");
    await expectRefused(
      await me(`${b64url(JSON.stringify({ alg: "ES256", kid: rsa.kid }))}.${body}.${sig}`),
    );
    const es = await signJwt(ec, claims());
    const [, esBody, esSig] = es.split(".");
    await expectRefused(
      await me(`${b64url(JSON.stringify({ alg: "RS256", kid: ec.kid }))}.${esBody}.${esSig}`),
    );
  });

  it("refuses alg none, and HS256 tokens whose MAC key is the JWKS's public key", async () => {
    const { me } = await issuer([rsa]);
    await expectRefused(
      await me(
        `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(claims()))}.`,
      ),
    );
    await expectRefused(
      await me(
        `${b64url(JSON.stringify({ alg: "none" }))}.${b64url(JSON.stringify(claims()))}.c2ln`,
      ),
    );
    const spki = new Uint8Array(
      (await crypto.subtle.exportKey(
        "spki",
        await crypto.subtle.importKey(
          "jwk",
          rsa.jwk,
          { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
          true,
          ["verify"],
        ),
      )) as ArrayBuffer,
    );
    const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki)).replace(/.{64}/g, "$&\n")}\n-----END PUBLIC KEY-----\n`;
    for (const secret of [JSON.stringify(rsa.jwk), pem, spki]) {
      await expectRefused(await me(await signHs256(claims(), secret, { kid: rsa.kid })));
    }
    // Also where HS256 is not configured at all.
    const noSecret = await issuer([rsa], { JWT_SECRET: "" });
    await expectRefused(await noSecret.me(await signHs256(claims(), pem, { kid: rsa.kid })));
  });

  it("refuses malformed tokens: bad base64, not JSON, missing parts, crit headers", async () => {
    const { me } = await issuer();
    const good = await signJwt(rsa, claims());
    const [head, body, sig] = good.split(".");
    for (const token of [
      "a.b.c",
      `${head}.${body}`,
      `${head}.${body}.${sig}.x`,
      `${head}.${body}.${sig}*`,
      `${b64url("{not json")}.${body}.${sig}`,
      `${head}.${b64url("[1,2]")}.${sig}`,
      `${b64url(JSON.stringify({ alg: "RS256", kid: rsa.kid, crit: ["exp"] }))}.${body}.${sig}`,
      `${b64url(JSON.stringify({ kid: rsa.kid }))}.${body}.${sig}`,
      "x".repeat(20_000),
    ]) {
      await expectRefused(await me(token));
    }
  });

  it("logs why a token was refused and answers nothing about it or the keys", async () => {
    const { me } = await issuer();
    let res: Response | undefined;
    const log = await logged(async () => {
      res = await me(await signJwt(stranger, claims(), { kid: "rotated-away" }));
    });
    expect(log).toMatch(/\[auth\] 401 bearer: no RS256 key with kid "rotated-away"/);
    const text = await res?.text();
    expect(text).toBe(JSON.stringify(REFUSED));
    expect(res?.headers.get("WWW-Authenticate")).toBe("Bearer");
  });
});

describe("the key set", () => {
  it("is fetched once and then served from memory", async () => {
    const { tenant, me } = await issuer();
    for (const key of [rsa, ec, rsa]) {
      expect((await me(await signJwt(key, claims({ jti: crypto.randomUUID() })))).status).toBe(200);
    }
    expect(await tenant.fetches()).toBe(1);
  });

  it("never lets a token verified for one key set through a gateway that trusts another", async () => {
    const one = await issuer([rsa]);
    const other = await issuer([ec]);
    const token = await signJwt(rsa, claims());
    expect((await one.me(token)).status).toBe(200);
    await expectRefused(await other.me(token));
  });

  it("is fetched again for an unknown kid, at most once a minute", async () => {
    clock = frozenClock();
    const { tenant, me } = await issuer([rsa]);
    expect((await me(await signJwt(rsa, claims()))).status).toBe(200);
    const [next, later] = await Promise.all([makeKey("ES256"), makeKey("ES256")]);

    // The issuer rotates in a new key: a token under it refreshes the set (a minute on).
    await tenant.setKeys([rsa, next]);
    clock.advance(61_000);
    expect((await me(await signJwt(next, claims()))).status).toBe(200);
    expect(await tenant.fetches()).toBe(2);

    // Unknown kids right after cannot make it fetch again, however many.
    for (let i = 0; i < 3; i++) await expectRefused(await me(await signJwt(later, claims())));
    expect(await tenant.fetches()).toBe(2);

    // A minute later one of them may, and finds the key the issuer has added since.
    await tenant.setKeys([rsa, next, later]);
    clock.advance(60_000);
    expect((await me(await signJwt(later, claims()))).status).toBe(200);
    expect(await tenant.fetches()).toBe(3);
  });

  it("is kept for its Cache-Control max-age, bounded to at least a minute", async () => {
    clock = frozenClock();
    const long = await issuer([rsa]);
    await long.tenant.setKeys([rsa], { cacheControl: "public, max-age=300" });
    const short = await issuer([rsa]);
    await short.tenant.setKeys([rsa], { cacheControl: "max-age=5" });
    const none = await issuer([rsa]);
    const tick = async () => {
      for (const side of [long, short, none]) {
        expect((await side.me(await signJwt(rsa, claims()))).status).toBe(200);
      }
      await afterAnswers();
      return Promise.all([long, short, none].map((s) => s.tenant.fetches()));
    };
    expect(await tick()).toEqual([1, 1, 1]);
    clock.advance(30_000);
    expect(await tick()).toEqual([1, 1, 1]);
    clock.advance(40_000);
    expect(await tick()).toEqual([1, 2, 1]);
    clock.advance(240_000);
    expect(await tick()).toEqual([2, 3, 1]);
    clock.advance(300_000);
    expect(await tick()).toEqual([3, 4, 2]);
  });

  it("keeps its last good keys while the key server fails", async () => {
    clock = frozenClock();
    const { tenant, me } = await issuer([rsa]);
    expect((await me(await signJwt(rsa, claims()))).status).toBe(200);
    await tenant.set({ keys: [], status: 500, body: "oops" });
    clock.advance(11 * 60_000);
    const log = await logged(async () => {
      expect((await me(await signJwt(rsa, claims()))).status).toBe(200);
      await afterAnswers();
    });
    expect(await tenant.fetches()).toBe(2);
    expect(log).toContain("answered 500; the previous keys stay in use");
  });

  it("signs in with the keys in hand while the key server never answers their refresh past max-age", async () => {
    clock = frozenClock();
    const { tenant, me } = await issuer([rsa]);
    expect((await me(await signJwt(rsa, claims()))).status).toBe(200);
    await tenant.set({ keys: [rsa.jwk, ec.jwk], hang: true });
    clock.advance(11 * 60_000);
    expect((await me(await signJwt(rsa, claims({ jti: "during-the-hang" })))).status).toBe(200);
    // The sign-in was answered while the refresh it started still waits on the key server.
    await vi.waitFor(async () => expect(await tenant.held()).toBe(1));

    // Once the key server answers, the refreshed set is in use without another fetch.
    await tenant.setKeys([rsa, ec]);
    await afterAnswers();
    expect((await me(await signJwt(ec, claims()))).status).toBe(200);
    expect(await tenant.fetches()).toBe(2);
  });

  it("serves the keys in hand past max-age and takes a rotation from the refresh behind that answer", async () => {
    clock = frozenClock();
    const { tenant, me } = await issuer([rsa]);
    expect((await me(await signJwt(rsa, claims()))).status).toBe(200);
    await tenant.setKeys([ec]);
    clock.advance(11 * 60_000);
    expect((await me(await signJwt(rsa, claims({ jti: "stale-but-trusted" })))).status).toBe(200);
    await afterAnswers();
    expect((await me(await signJwt(ec, claims()))).status).toBe(200);
    await expectRefused(await me(await signJwt(rsa, claims({ jti: "rotated-away" }))));
    expect(await tenant.fetches()).toBe(2);
  });

  it("waits for the refresh when the keys in hand are over a day past their max-age", async () => {
    clock = frozenClock();
    const { tenant, me } = await issuer([rsa]);
    expect((await me(await signJwt(rsa, claims()))).status).toBe(200);
    await tenant.setKeys([ec]);
    clock.advance(10 * 60_000 + 24 * 3600_000 + 1_000);
    await expectRefused(await me(await signJwt(rsa, claims({ jti: "too-old-to-trust" }))));
    expect((await me(await signJwt(ec, claims()))).status).toBe(200);
    expect(await tenant.fetches()).toBe(2);
  });

  it("answers 503 auth-unavailable, revealing nothing, when no keys could ever be loaded", async () => {
    for (const fault of [
      { keys: [], status: 500, body: "internal" },
      { keys: [], body: "<html>not json</html>" },
      { keys: [{ kty: "oct", k: "c2VjcmV0" }] },
      { keys: [], redirect: "https://keys.example.com/jwks.json" },
    ]) {
      const { tenant, me } = await issuer([]);
      await tenant.set(fault);
      const res = await me(await signJwt(rsa, claims()));
      expect(res.status, JSON.stringify(fault)).toBe(503);
      expect(res.headers.get("Retry-After")).toBe("5");
      expect(await res.json()).toEqual({
        error: "auth-unavailable",
        message: "sign-in keys could not be loaded; try again shortly",
      });
    }
  });
});
