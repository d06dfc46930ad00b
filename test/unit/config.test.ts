import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/lib/config.ts";

const REQUIRED = {
  WAHA_URL: "http://127.0.0.1:3000/",
  WAHA_API_KEY: "key",
  JWT_SECRET: "0123456789abcdef",
};

function errorsOf(raw: Record<string, unknown>): string[] {
  const result = parseConfig(raw);
  if (result.ok) throw new Error("expected the config to be invalid");
  return result.errors;
}

describe("configuration", () => {
  it("fills every SPEC default when only the required values are set", () => {
    const result = parseConfig(REQUIRED);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      WAHA_URL: "http://127.0.0.1:3000",
      WAHA_SESSION: "default",
      CORS_ORIGIN: [],
      HTTP_LOG: "basic",
      WA_MEDIA_CACHE_MAX_BYTES: 157286400,
      WA_MEDIA_CACHE_ITEM_MAX_BYTES: 8388608,
      WA_MEDIA_MAX_CONCURRENCY: 3,
      WA_MEDIA_TIMEOUT_MS: 20000,
      WA_MEDIA_COOLDOWN_MS: 30000,
      WA_MEDIA_COOLDOWN_MAX_MS: 600000,
      WA_CHATS_TTL_MS: 6000,
      WA_MESSAGES_TTL_MS: 8000,
      WAHA_STATUS_CACHE_DURATION: 10000,
      WAHA_SESSION_CACHE_DURATION: 10000,
      WAHA_HEALTH_CACHE_DURATION: 30000,
      WAHA_MAX_CONCURRENT_REQUESTS: 2,
      WAHA_REQUEST_TIMEOUT_MS: 5000,
      WAHA_MAX_RETRIES: 3,
      WAHA_POLLING_INTERVAL: 15000,
      WAHA_AUTH_POLLING_INTERVAL: 30000,
      WAHA_MAX_POLLING_INTERVAL: 60000,
      SOCKET_PING_INTERVAL_MS: 30000,
      SOCKET_MAX_BUFFER_BYTES: 500000,
      SOCKET_MAX_PER_USER: 10,
    });
    expect(result.config.WAHA_WEBHOOK_HMAC_KEY).toBeUndefined();
  });

  it("parses numbers, lists and enums given as strings", () => {
    const result = parseConfig({
      ...REQUIRED,
      WA_MEDIA_MAX_CONCURRENCY: " 5 ",
      CORS_ORIGIN: "https://a.example, https://b.example/",
      HTTP_LOG: "json",
      WA_CHATS_TTL_MS: "",
    });
    expect(result.ok && result.config).toMatchObject({
      WA_MEDIA_MAX_CONCURRENCY: 5,
      CORS_ORIGIN: ["https://a.example", "https://b.example"],
      HTTP_LOG: "json",
      WA_CHATS_TTL_MS: 6000,
    });
  });

  it("names each bad variable, the reason and the value it got", () => {
    const errors = errorsOf({
      ...REQUIRED,
      WA_MEDIA_MAX_CONCURRENCY: "three",
      WA_MEDIA_TIMEOUT_MS: "-5",
      HTTP_LOG: "verbose",
      WAHA_URL: "ftp://example.com",
      CORS_ORIGIN: "not a url",
      SOCKET_MAX_PER_USER: "0",
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'WA_MEDIA_MAX_CONCURRENCY: must be a whole number (got "three")',
        'WA_MEDIA_TIMEOUT_MS: must be at least 100 (got "-5")',
        'HTTP_LOG: must be none, basic or json (got "verbose")',
        "WAHA_URL: must be an http(s) URL",
        'SOCKET_MAX_PER_USER: must be at least 1 (got "0")',
      ]),
    );
    expect(errors.some((e) => e.startsWith("CORS_ORIGIN:"))).toBe(true);
    expect(errors).toHaveLength(6);
  });

  it("keeps media in the archive 90 days up to 16 MiB an item by default, naming bad values", () => {
    const result = parseConfig(REQUIRED);
    expect(result.ok && result.config).toMatchObject({
      WA_MEDIA_ARCHIVE_DAYS: 90,
      WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES: 16777216,
    });
    const off = parseConfig({ ...REQUIRED, WA_MEDIA_ARCHIVE_DAYS: "0" });
    expect(off.ok && off.config.WA_MEDIA_ARCHIVE_DAYS).toBe(0);
    expect(
      errorsOf({
        ...REQUIRED,
        WA_MEDIA_ARCHIVE_DAYS: "-1",
        WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES: "lots",
      }),
    ).toEqual([
      'WA_MEDIA_ARCHIVE_DAYS: must be at least 0 (got "-1")',
      'WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES: must be a whole number (got "lots")',
    ]);
  });

  it("reports missing secrets without echoing any secret value or WAHA's address", () => {
    const errors = errorsOf({ WAHA_URL: "http://w", JWT_SECRET: "short-secret" });
    expect(errors).toContain("WAHA_API_KEY: is required (or set WAHA_NUMBERS)");
    expect(errors).toContain("JWT_SECRET: must be at least 16 characters");
    expect(errors.join(" ")).not.toContain("short-secret");
  });

  it("rejects an item cap above the total cap and a max cooldown below the base", () => {
    const errors = errorsOf({
      ...REQUIRED,
      WA_MEDIA_CACHE_MAX_BYTES: "1000",
      WA_MEDIA_CACHE_ITEM_MAX_BYTES: "2000",
      WA_MEDIA_COOLDOWN_MS: "5000",
      WA_MEDIA_COOLDOWN_MAX_MS: "1000",
    });
    expect(errors).toContain(
      'WA_MEDIA_CACHE_ITEM_MAX_BYTES: must not exceed WA_MEDIA_CACHE_MAX_BYTES (got "2000")',
    );
    expect(errors).toContain(
      'WA_MEDIA_COOLDOWN_MAX_MS: must not be below WA_MEDIA_COOLDOWN_MS (got "1000")',
    );
  });
});

describe("sign-in configuration", () => {
  const JWKS = {
    JWT_JWKS_URL: "https://id.example.com/.well-known/jwks.json",
    JWT_ISSUER: "https://id.example.com",
    JWT_AUDIENCE: "wa-edge",
  };

  it("leaves JWKS, Access and cookie sign-in off by default, with role and sub claims", () => {
    const result = parseConfig(REQUIRED);
    expect(result.ok && result.config).toMatchObject({
      JWT_ROLE_CLAIM: "role",
      JWT_SUB_CLAIM: "sub",
      ADMIN_EMAILS: [],
      USER_EMAILS: [],
    });
    if (!result.ok) return;
    for (const name of [
      "JWT_JWKS_URL",
      "JWT_ISSUER",
      "JWT_AUDIENCE",
      "CF_ACCESS_TEAM_DOMAIN",
      "CF_ACCESS_AUD",
      "JWT_COOKIE_NAME",
      "SIGN_OUT_URL",
    ] as const) {
      expect(result.config[name], name).toBeUndefined();
    }
  });

  it("wants JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE together, naming the missing ones", () => {
    expect(errorsOf({ ...REQUIRED, JWT_JWKS_URL: JWKS.JWT_JWKS_URL })).toEqual([
      "JWT_AUDIENCE: is required with JWT_JWKS_URL (set all of JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE or none)",
      "JWT_ISSUER: is required with JWT_JWKS_URL (set all of JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE or none)",
    ]);
    expect(errorsOf({ ...REQUIRED, CF_ACCESS_AUD: "abc123" })).toEqual([
      "CF_ACCESS_TEAM_DOMAIN: is required with CF_ACCESS_AUD (set all of CF_ACCESS_TEAM_DOMAIN, CF_ACCESS_AUD or none)",
    ]);
    expect(parseConfig({ ...REQUIRED, ...JWKS }).ok).toBe(true);
  });

  it("reports a half-set JWKS beside other bad values", () => {
    const errors = errorsOf({ ...REQUIRED, JWT_ISSUER: "x", WA_MEDIA_MAX_CONCURRENCY: "many" });
    expect(errors).toContain('WA_MEDIA_MAX_CONCURRENCY: must be a whole number (got "many")');
    expect(errors.some((e) => e.startsWith("JWT_JWKS_URL: is required with JWT_ISSUER"))).toBe(
      true,
    );
  });

  it("wants the JWKS over https, allowing plain http only on this machine", () => {
    for (const url of [
      "http://id.example.com/jwks",
      "ftp://id.example.com/jwks",
      "https://u:p@id.example.com/",
      "jwks",
    ]) {
      expect(errorsOf({ ...REQUIRED, ...JWKS, JWT_JWKS_URL: url })).toEqual([
        `JWT_JWKS_URL: must be an https URL (http only for 127.0.0.1 or localhost) (got ${JSON.stringify(url)})`,
      ]);
    }
    for (const url of ["http://127.0.0.1:8080/jwks.json", "http://localhost/jwks"]) {
      expect(parseConfig({ ...REQUIRED, ...JWKS, JWT_JWKS_URL: url }).ok, url).toBe(true);
    }
  });

  it("takes the Access team domain as a host or an https URL and keeps its origin as the issuer", () => {
    for (const team of [
      "myteam.cloudflareaccess.com",
      "https://myteam.cloudflareaccess.com/",
      " MyTeam.cloudflareaccess.com ",
    ]) {
      const result = parseConfig({
        ...REQUIRED,
        CF_ACCESS_TEAM_DOMAIN: team,
        CF_ACCESS_AUD: "aud",
      });
      expect(result.ok && result.config.CF_ACCESS_TEAM_DOMAIN, team).toBe(
        "https://myteam.cloudflareaccess.com",
      );
    }
    for (const team of [
      "http://myteam.cloudflareaccess.com",
      "myteam.cloudflareaccess.com/x",
      "my team",
    ]) {
      expect(errorsOf({ ...REQUIRED, CF_ACCESS_TEAM_DOMAIN: team, CF_ACCESS_AUD: "aud" })).toEqual([
        `CF_ACCESS_TEAM_DOMAIN: must be a team domain like myteam.cloudflareaccess.com (got ${JSON.stringify(team)})`,
      ]);
    }
  });

  it("needs JWT_SECRET only when no JWKS or Access is set", () => {
    const { JWT_SECRET: _, ...rest } = REQUIRED;
    expect(errorsOf(rest)).toEqual(["JWT_SECRET: is required"]);
    expect(parseConfig({ ...rest, ...JWKS }).ok).toBe(true);
    expect(
      parseConfig({ ...rest, CF_ACCESS_TEAM_DOMAIN: "t.cloudflareaccess.com", CF_ACCESS_AUD: "a" })
        .ok,
    ).toBe(true);
  });

  it("parses e-mail lists lowercase and refuses what is not an address", () => {
    const result = parseConfig({
      ...REQUIRED,
      ADMIN_EMAILS: "Owner@Shop.example, boss@shop.example",
    });
    expect(result.ok && result.config.ADMIN_EMAILS).toEqual([
      "owner@shop.example",
      "boss@shop.example",
    ]);
    expect(errorsOf({ ...REQUIRED, USER_EMAILS: "lead@shop.example, lead" })).toEqual([
      'USER_EMAILS: must be a comma-separated list of e-mail addresses (got "lead@shop.example, lead")',
    ]);
  });

  it("checks claim names, the cookie name and the sign-out URL", () => {
    const errors = errorsOf({
      ...REQUIRED,
      JWT_ROLE_CLAIM: "my role",
      JWT_COOKIE_NAME: "CF_Authorization",
      SIGN_OUT_URL: "//evil.example/",
    });
    expect(errors).toEqual([
      'JWT_COOKIE_NAME: must not be CF_Authorization (Cloudflare Access\'s own cookie) (got "CF_Authorization")',
      'JWT_ROLE_CLAIM: must be a claim name without spaces (got "my role")',
      'SIGN_OUT_URL: must be an http(s) URL or a path starting with / (got "//evil.example/")',
    ]);
    const ok = parseConfig({
      ...REQUIRED,
      JWT_ROLE_CLAIM: "https://shop.example/roles",
      JWT_COOKIE_NAME: "shop_session",
      SIGN_OUT_URL: "/logout",
    });
    expect(ok.ok).toBe(true);
  });

  it("watches for a silent session by default and restarts it only when asked, naming bad values", () => {
    const result = parseConfig(REQUIRED);
    expect(result.ok && result.config).toMatchObject({
      WAHA_SILENCE_MS: 120000,
      WAHA_AUTO_RESTART: "off",
      WAHA_AUTO_RESTART_MAX: 3,
    });
    expect(result.ok && result.config.WAHA_WEBHOOK_URL).toBeUndefined();
    expect(
      errorsOf({
        ...REQUIRED,
        WAHA_SILENCE_MS: "soon",
        WAHA_AUTO_RESTART: "yes",
        WAHA_AUTO_RESTART_MAX: "0",
        WAHA_WEBHOOK_URL: "ftp://gateway.example/hook",
      }),
    ).toEqual([
      'WAHA_AUTO_RESTART: must be on or off (got "yes")',
      'WAHA_AUTO_RESTART_MAX: must be at least 1 (got "0")',
      'WAHA_SILENCE_MS: must be a whole number (got "soon")',
      'WAHA_WEBHOOK_URL: must be an http(s) URL (got "ftp://gateway.example/hook")',
    ]);
  });

  it("asks for pictures once a day, lets agents take chats and sends read receipts for the assignee by default, naming bad values", () => {
    const result = parseConfig(REQUIRED);
    expect(result.ok && result.config).toMatchObject({
      WA_AVATAR_TTL_MS: 86400000,
      WA_AGENTS_TAKE_UNASSIGNED: "on",
      WA_SEND_SEEN: "assignee",
    });
    expect(
      errorsOf({
        ...REQUIRED,
        WA_AVATAR_TTL_MS: "10",
        WA_AGENTS_TAKE_UNASSIGNED: "maybe",
        WA_SEND_SEEN: "everyone",
      }),
    ).toEqual([
      'WA_AGENTS_TAKE_UNASSIGNED: must be on or off (got "maybe")',
      'WA_AVATAR_TTL_MS: must be at least 1000 (got "10")',
      'WA_SEND_SEEN: must be assignee, anyone or never (got "everyone")',
    ]);
  });
});
