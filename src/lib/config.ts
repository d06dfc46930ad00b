/**
 * Configuration: every Workers var and secret wa-edge reads, with SPEC.md's defaults,
 * parsed once per env object. A bad value becomes an error that names the variable.
 */
import * as z from "zod/mini";
import "./zod-messages.ts";
import { numbersSchema, wahaUrl } from "./waha/numbers-config.ts";

/** Workers vars arrive as strings; an empty string means "not set". */
function unset(value: unknown): unknown {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

/** zod's preprocess: `fn` runs on the raw value before `schema` checks it. */
function preprocess<S extends z.ZodMiniType>(fn: (value: unknown) => unknown, schema: S) {
  return z.pipe(z.transform(fn), schema);
}

function int(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return preprocess(
    (v) => {
      const raw = unset(v);
      return typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
    },
    z._default(
      z
        .int({ error: "must be a whole number" })
        .check(
          z.minimum(min, { error: `must be at least ${min}` }),
          z.maximum(max, { error: `must be at most ${max}` }),
        ),
      fallback,
    ),
  );
}

const origin = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** Hosts that may be reached over plain http: a key server on this machine (local runs, tests). */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether the URL names this machine: never a name someone else's DNS can hand out. */
export function loopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

/** An https URL (http only on 127.0.0.1/localhost), without credentials. */
function keyServerUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && loopback(url));
  return secure && url.username === "" && url.password === "" ? url : undefined;
}

function optionalText(max: number) {
  return preprocess(
    (v) => (typeof v === "string" ? unset(v.trim()) : v),
    z.optional(
      z
        .string()
        .check(
          z.maxLength(max, { error: `must be at most ${max} characters` }),
          z.regex(/^\S+$/, { error: "must not contain spaces" }),
        ),
    ),
  );
}

function claimName(fallback: string) {
  return preprocess(
    (v) => (typeof v === "string" ? unset(v.trim()) : v),
    z._default(
      z.string().check(z.regex(/^\S{1,128}$/, { error: "must be a claim name without spaces" })),
      fallback,
    ),
  );
}

/** An optional string with one more condition, named in `error` when it fails. */
function optionalWhere(test: (value: string) => boolean, error: string) {
  return preprocess(unset, z.optional(z.string().check(z.refine(test, { error }))));
}

const EMAIL = z.email();

const emailList = preprocess(
  (v) => {
    const raw = unset(v);
    return typeof raw === "string"
      ? raw
          .split(",")
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean)
      : raw;
  },
  z._default(
    z.array(z.string(), { error: "must be a comma-separated list of e-mail addresses" }).check(
      z.refine((list) => list.every((item) => EMAIL.safeParse(item).success), {
        error: "must be a comma-separated list of e-mail addresses",
      }),
    ),
    [],
  ),
);

/** Present in the raw vars (refinements that run even when other values are bad see raw input). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && unset(value) !== undefined;
}

export const configSchema = z
  .object({
    // One WAHA number from these four, or several from WAHA_NUMBERS (then these stay unset).
    WAHA_URL: preprocess(unset, z.optional(wahaUrl)),
    WAHA_API_KEY: preprocess(unset, z.optional(z.string())),
    WAHA_NUMBERS: preprocess(unset, z.optional(numbersSchema)),
    WAHA_SESSION: preprocess(
      unset,
      z._default(
        z
          .string()
          .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1–64 of A–Z a–z 0–9 _ -" })),
        "default",
      ),
    ),
    WAHA_WEBHOOK_HMAC_KEY: preprocess(
      unset,
      z.optional(z.string().check(z.minLength(16, { error: "must be at least 16 characters" }))),
    ),
    // Where WAHA posts webhooks, when WAHA reaches the gateway by another address than
    // browsers do (WAHA in Docker, a private network); else the admin's own origin is used.
    WAHA_WEBHOOK_URL: preprocess(
      unset,
      z.optional(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })),
    ),
    // A session WORKING whose webhooks have stopped: a send WAHA took and did not echo in
    // this long (or a reconcile finding messages no webhook announced) makes it SILENT.
    WAHA_SILENCE_MS: int(120_000, 10_000, 86_400_000),
    WAHA_AUTO_RESTART: preprocess(
      unset,
      z._default(z.enum(["on", "off"], { error: "must be on or off" }), "off"),
    ),
    WAHA_AUTO_RESTART_MAX: int(3, 1, 60),
    // Required unless tokens come from a JWKS or Cloudflare Access (checked below).
    JWT_SECRET: preprocess(
      unset,
      z.optional(z.string().check(z.minLength(16, { error: "must be at least 16 characters" }))),
    ),
    CORS_ORIGIN: preprocess(
      (v) => {
        const raw = unset(v);
        return typeof raw === "string"
          ? raw
              .split(",")
              .map((s) => s.trim().replace(/\/+$/, ""))
              .filter(Boolean)
          : raw;
      },
      z._default(
        z.array(z.union([z.literal("*"), origin]), {
          error: "must be a comma-separated list of origins",
        }),
        [],
      ),
    ),
    HTTP_LOG: preprocess(
      unset,
      z._default(
        z.enum(["none", "basic", "json"], { error: "must be none, basic or json" }),
        "basic",
      ),
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
    // A person has a few tabs and devices; ten live sockets is plenty, and stops one
    // token from holding the hub's hundreds (each costs memory and a copy of every frame).
    SOCKET_MAX_PER_USER: int(10, 1, 10_000),
    WA_STORE_RECONCILE_MS: int(300_000, 0),
    WA_MEDIA_PREFETCH: preprocess(
      unset,
      z._default(z.enum(["on", "off"], { error: "must be on or off" }), "on"),
    ),
    WA_STORE_RETENTION_DAYS: int(90, 1, 36_500),
    WA_MEDIA_ARCHIVE_DAYS: int(90, 0, 36_500),
    WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES: int(16_777_216, 0, 1_073_741_824),
    // /admin's chart history: a monitoring sample kept at most this often (a day is kept).
    WA_STATS_SAMPLE_MS: int(10_000, 0, 3_600_000),
    // A contact's profile picture is asked of WAHA at most once in this long, whoever asks.
    WA_AVATAR_TTL_MS: int(86_400_000, 1_000, 30 * 86_400_000),
    // Agents may take an unassigned chat themselves (POST /api/wa/assignments/{jid}/take).
    WA_AGENTS_TAKE_UNASSIGNED: preprocess(
      unset,
      z._default(z.enum(["on", "off"], { error: "must be on or off" }), "on"),
    ),
    // Who tells the customer their messages were read: the chat's own agent, anyone, nobody.
    WA_SEND_SEEN: preprocess(
      unset,
      z._default(
        z.enum(["assignee", "anyone", "never"], { error: "must be assignee, anyone or never" }),
        "assignee",
      ),
    ),
    WA_OUTBOX_MAX_AGE_MS: int(21_600_000, 1_000),
    WA_UPLOAD_MAX_BYTES: int(16_777_216, 1_024, 104_857_600),
    JWT_JWKS_URL: optionalWhere(
      (v) => keyServerUrl(v) !== undefined,
      "must be an https URL (http only for 127.0.0.1 or localhost)",
    ),
    JWT_ISSUER: optionalText(1024),
    JWT_AUDIENCE: optionalText(1024),
    CF_ACCESS_TEAM_DOMAIN: preprocess(
      unset,
      z.optional(
        z.pipe(
          z.string(),
          z.transform((v: string, ctx) => {
            const team = accessTeamOrigin(v);
            if (team === undefined) {
              ctx.issues.push({
                code: "custom",
                input: v,
                message: "must be a team domain like myteam.cloudflareaccess.com",
              });
              return z.NEVER;
            }
            return team;
          }),
        ),
      ),
    ),
    CF_ACCESS_AUD: optionalText(256),
    JWT_ROLE_CLAIM: claimName("role"),
    JWT_SUB_CLAIM: claimName("sub"),
    ADMIN_EMAILS: emailList,
    USER_EMAILS: emailList,
    JWT_COOKIE_NAME: preprocess(
      unset,
      z.optional(
        z.string().check(
          z.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, { error: "must be a cookie name" }),
          z.refine((v) => v.toLowerCase() !== "cf_authorization", {
            error: "must not be CF_Authorization (Cloudflare Access's own cookie)",
          }),
        ),
      ),
    ),
    SIGN_OUT_URL: optionalWhere(
      (v) => /^\/(?!\/)/.test(v) || /^https?:\/\/[^\s]+$/.test(v),
      "must be an http(s) URL or a path starting with /",
    ),
  })
  .check(
    z.superRefine((c, ctx) => {
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
      if (c.WAHA_NUMBERS === undefined) {
        for (const name of ["WAHA_URL", "WAHA_API_KEY"] as const) {
          if (c[name] === undefined || c[name] === "") {
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: "is required (or set WAHA_NUMBERS)",
            });
          }
        }
      } else {
        for (const name of ["WAHA_URL", "WAHA_API_KEY", "WAHA_WEBHOOK_HMAC_KEY"] as const) {
          if (c[name] !== undefined) {
            ctx.addIssue({
              code: "custom",
              path: [name],
              message:
                "must not be set with WAHA_NUMBERS (give each number its own in WAHA_NUMBERS)",
            });
          }
        }
      }
      if (c.WAHA_MAX_POLLING_INTERVAL < c.WAHA_POLLING_INTERVAL) {
        ctx.addIssue({
          code: "custom",
          path: ["WAHA_MAX_POLLING_INTERVAL"],
          message: "must not be below WAHA_POLLING_INTERVAL",
        });
      }
    }),
  )
  // Sign-in sources: checked on the raw values too, so they are reported beside other errors.
  .check(
    z.superRefine(
      (c: Record<string, unknown>, ctx) => {
        const jwks = ["JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"];
        const access = ["CF_ACCESS_TEAM_DOMAIN", "CF_ACCESS_AUD"];
        for (const group of [jwks, access]) {
          const given = group.filter((name) => isSet(c[name]));
          if (given.length === 0 || given.length === group.length) continue;
          for (const name of group.filter((n) => !given.includes(n))) {
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: `is required with ${given.join(" and ")} (set all of ${group.join(", ")} or none)`,
            });
          }
        }
        const other = [...jwks, ...access].some((name) => isSet(c[name]));
        if (!isSet(c.JWT_SECRET) && !other) {
          ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "is required" });
        }
      },
      { when: () => true },
    ),
  );

/**
 * `myteam.cloudflareaccess.com` or `https://myteam.cloudflareaccess.com` → its https origin,
 * which is also the issuer of Access tokens; a loopback http origin is kept for local runs.
 */
function accessTeamOrigin(value: string): string | undefined {
  const text = value.trim().replace(/\/+$/, "");
  const url = keyServerUrl(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
  if (url === undefined || url.pathname !== "/" || url.search !== "" || url.hash !== "")
    return undefined;
  if (!/^[a-z0-9.-]+$/i.test(url.hostname) && !loopback(url)) return undefined;
  return url.origin;
}

export type Config = z.infer<typeof configSchema>;
export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Values never echoed in errors: secrets, and WAHA's address (errors reach /api/health). */
const UNSHOWN = new Set([
  "WAHA_API_KEY",
  "WAHA_WEBHOOK_HMAC_KEY",
  "JWT_SECRET",
  "WAHA_URL",
  "WAHA_NUMBERS",
]);

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
    // Inside a JSON value: WAHA_NUMBERS[1].url.
    const where = (name === "WAHA_NUMBERS" ? issue.path.slice(1) : [])
      .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
      .join("");
    return `${name}${where}: ${issue.message}${shown}`;
  });
  // By variable name, so that a list checked in several passes still reads in one order.
  return { ok: false, errors: errors.sort() };
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
