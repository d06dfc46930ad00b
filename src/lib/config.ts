/**
 * Configuration: every Workers var and secret wa-edge reads, with SPEC.md's defaults,
 * parsed once per env object. A bad value becomes an error that names the variable.
 */
import { z } from "zod";

/** Workers vars arrive as strings; an empty string means "not set". */
function unset(value: unknown): unknown {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

function int(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    (v) => {
      const raw = unset(v);
      return typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
    },
    z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` })
      .default(fallback),
  );
}

function secret(minLength: number) {
  return z.preprocess(
    unset,
    z
      .string({ error: "is required" })
      .min(minLength, { error: `must be at least ${minLength} characters` }),
  );
}

const origin = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const configSchema = z
  .object({
    WAHA_URL: z.preprocess(
      unset,
      z
        .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
        .transform((u) => u.replace(/\/+$/, "")),
    ),
    WAHA_API_KEY: secret(1),
    WAHA_SESSION: z.preprocess(
      unset,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1–64 of A–Z a–z 0–9 _ -" })
        .default("default"),
    ),
    WAHA_WEBHOOK_HMAC_KEY: z.preprocess(unset, z.string().min(16).optional()),
    JWT_SECRET: secret(16),
    CORS_ORIGIN: z.preprocess(
      (v) => {
        const raw = unset(v);
        return typeof raw === "string"
          ? raw
              .split(",")
              .map((s) => s.trim().replace(/\/+$/, ""))
              .filter(Boolean)
          : raw;
      },
      z
        .array(z.union([z.literal("*"), origin]), {
          error: "must be a comma-separated list of origins",
        })
        .default([]),
    ),
    HTTP_LOG: z.preprocess(
      unset,
      z.enum(["none", "basic", "json"], { error: "must be none, basic or json" }).default("basic"),
    ),
    WA_MEDIA_CACHE_MAX_BYTES: int(157_286_400, 0),
    WA_MEDIA_CACHE_ITEM_MAX_BYTES: int(8_388_608, 0),
    WA_MEDIA_MAX_CONCURRENCY: int(3, 1, 1000),
    WA_MEDIA_TIMEOUT_MS: int(20_000, 100, 600_000),
    WA_MEDIA_COOLDOWN_MS: int(30_000, 0),
    WA_MEDIA_COOLDOWN_MAX_MS: int(600_000, 0),
    WA_MEDIA_STREAM_MAX_CONCURRENCY: int(2, 1, 1000),
    WA_MEDIA_STREAM_IDLE_MS: int(15_000, 100, 600_000),
    WA_CHATS_TTL_MS: int(6_000, 0),
    WA_MESSAGES_TTL_MS: int(8_000, 0),
    WAHA_STATUS_CACHE_DURATION: int(10_000, 0),
    WAHA_SESSION_CACHE_DURATION: int(10_000, 0),
    WAHA_HEALTH_CACHE_DURATION: int(30_000, 0),
    WAHA_MAX_CONCURRENT_REQUESTS: int(2, 1, 1000),
    WAHA_REQUEST_TIMEOUT_MS: int(5_000, 100, 600_000),
    WAHA_MAX_RETRIES: int(3, 0, 10),
    WAHA_POLLING_INTERVAL: int(15_000, 1_000),
    WAHA_AUTH_POLLING_INTERVAL: int(30_000, 1_000),
    WAHA_MAX_POLLING_INTERVAL: int(60_000, 1_000),
    SOCKET_PING_INTERVAL_MS: int(30_000, 1_000),
    SOCKET_MAX_BUFFER_BYTES: int(500_000, 1_024),
  })
  .superRefine((c, ctx) => {
    if (c.WA_MEDIA_CACHE_ITEM_MAX_BYTES > c.WA_MEDIA_CACHE_MAX_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: ["WA_MEDIA_CACHE_ITEM_MAX_BYTES"],
        message: "must not exceed WA_MEDIA_CACHE_MAX_BYTES",
      });
    }
    if (c.WA_MEDIA_COOLDOWN_MAX_MS < c.WA_MEDIA_COOLDOWN_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["WA_MEDIA_COOLDOWN_MAX_MS"],
        message: "must not be below WA_MEDIA_COOLDOWN_MS",
      });
    }
    if (c.WAHA_MAX_POLLING_INTERVAL < c.WAHA_POLLING_INTERVAL) {
      ctx.addIssue({
        code: "custom",
        path: ["WAHA_MAX_POLLING_INTERVAL"],
        message: "must not be below WAHA_POLLING_INTERVAL",
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Values never echoed in errors: secrets, and WAHA's address (errors reach /api/health). */
const UNSHOWN = new Set(["WAHA_API_KEY", "WAHA_WEBHOOK_HMAC_KEY", "JWT_SECRET", "WAHA_URL"]);

/** Parses raw vars into a Config, or every problem as "NAME: reason (got "value")". */
export function parseConfig(raw: Record<string, unknown>): ConfigResult {
  const result = configSchema.safeParse(raw);
  if (result.success) return { ok: true, config: result.data };
  const errors = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "config");
    const value = raw[name];
    const shown =
      typeof value === "string" && value !== "" && !UNSHOWN.has(name)
        ? ` (got ${JSON.stringify(value)})`
        : "";
    return `${name}: ${issue.message}${shown}`;
  });
  return { ok: false, errors };
}

const parsed = new WeakMap<object, ConfigResult>();

/** The Config for this env, parsed once per env object (once per isolate in practice). */
export function loadConfig(env: object): ConfigResult {
  let result = parsed.get(env);
  if (!result) {
    result = parseConfig(env as Record<string, unknown>);
    parsed.set(env, result);
  }
  return result;
}
