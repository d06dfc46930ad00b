import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/lib/config.ts";
import { numberById, numbersOf, numbersOnServer } from "../../src/lib/waha/numbers.ts";

const SIGN_IN = { JWT_SECRET: "0123456789abcdef" };
const SALES = {
  id: "sales",
  name: "Sales",
  url: "http://127.0.0.1:3001/",
  session: "sales",
  apiKey: "k1",
  webhookHmacKey: "0123456789abcdef-sales",
};
const SUPPORT = { ...SALES, id: "support", name: "Support", session: "support", apiKey: "k2" };
const SPAIN = { id: "es", name: "España", url: "http://127.0.0.1:3002", apiKey: "k3" };

function parsed(raw: Record<string, unknown>) {
  const result = parseConfig({ ...SIGN_IN, ...raw });
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.config;
}

function errorsOf(raw: Record<string, unknown>): string[] {
  const result = parseConfig({ ...SIGN_IN, ...raw });
  if (result.ok) throw new Error("expected the config to be invalid");
  return result.errors;
}

describe("WAHA_NUMBERS", () => {
  it("keeps today's single-WAHA configuration as the one number `default`", () => {
    const config = parsed({
      WAHA_URL: "http://127.0.0.1:3000/",
      WAHA_API_KEY: "key",
      WAHA_SESSION: "main",
      WAHA_WEBHOOK_HMAC_KEY: "0123456789abcdef",
    });
    expect(numbersOf(config)).toEqual([
      {
        id: "default",
        name: "WhatsApp",
        url: "http://127.0.0.1:3000",
        session: "main",
        apiKey: "key",
        webhookHmacKey: "0123456789abcdef",
        server: "http://127.0.0.1:3000",
      },
    ]);
  });

  it("reads several numbers; sessions of one WAHA share its server", () => {
    const config = parsed({ WAHA_NUMBERS: JSON.stringify([SALES, SUPPORT, SPAIN]) });
    expect(numbersOf(config).map((n) => [n.id, n.session, n.server])).toEqual([
      ["sales", "sales", "http://127.0.0.1:3001"],
      ["support", "support", "http://127.0.0.1:3001"],
      ["es", "default", "http://127.0.0.1:3002"],
    ]);
    expect(numbersOnServer(config, "http://127.0.0.1:3001").map((n) => n.id)).toEqual([
      "sales",
      "support",
    ]);
    expect(numberById(config, "es")?.webhookHmacKey).toBeUndefined();
    expect(numberById(config, "nope")).toBeUndefined();
  });

  it("names the bad field of the bad entry, never echoing the secret", () => {
    const errors = errorsOf({
      WAHA_NUMBERS: JSON.stringify([SALES, { ...SUPPORT, id: "Support!", url: "ftp://x" }]),
    });
    expect(errors).toContain("WAHA_NUMBERS[1].id: must be 1–32 of a–z 0–9 -");
    expect(errors).toContain("WAHA_NUMBERS[1].url: must be an http(s) URL");
    expect(errors.join("\n")).not.toContain("k1");
  });

  it("refuses what is not a JSON array, repeated ids and one session listed twice", () => {
    expect(errorsOf({ WAHA_NUMBERS: "[{" })).toEqual([
      "WAHA_NUMBERS: must be a JSON array of numbers",
    ]);
    expect(errorsOf({ WAHA_NUMBERS: JSON.stringify([SALES, SALES]) })).toContain(
      "WAHA_NUMBERS: must not repeat a number's id",
    );
    expect(
      errorsOf({ WAHA_NUMBERS: JSON.stringify([SALES, { ...SALES, id: "sales-2" }]) }),
    ).toContain("WAHA_NUMBERS: must not list one WAHA session twice");
  });

  it("wants either WAHA_URL with WAHA_API_KEY or WAHA_NUMBERS, not both", () => {
    expect(errorsOf({})).toEqual([
      "WAHA_API_KEY: is required (or set WAHA_NUMBERS)",
      "WAHA_URL: is required (or set WAHA_NUMBERS)",
    ]);
    expect(
      errorsOf({ WAHA_NUMBERS: JSON.stringify([SALES]), WAHA_URL: "http://127.0.0.1:3000" }),
    ).toEqual([
      "WAHA_URL: must not be set with WAHA_NUMBERS (give each number its own in WAHA_NUMBERS)",
    ]);
  });
});
