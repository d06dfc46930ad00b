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
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'WA_MEDIA_MAX_CONCURRENCY: must be a whole number (got "three")',
        'WA_MEDIA_TIMEOUT_MS: must be at least 100 (got "-5")',
        'HTTP_LOG: must be none, basic or json (got "verbose")',
        "WAHA_URL: must be an http(s) URL",
      ]),
    );
    expect(errors.some((e) => e.startsWith("CORS_ORIGIN:"))).toBe(true);
    expect(errors).toHaveLength(5);
  });

  it("reports missing secrets without echoing any secret value or WAHA's address", () => {
    const errors = errorsOf({ WAHA_URL: "http://w", JWT_SECRET: "short-secret" });
    expect(errors).toContain("WAHA_API_KEY: is required");
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
