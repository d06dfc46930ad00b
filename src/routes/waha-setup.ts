/**
 * GET /api/waha/setup and POST /api/waha/setup/apply (admins; `?number=`): a number's
 * WAHA session's setup as the gateway needs it, checked from what WAHA shows and written through WAHA's sessions API.
 * Every call goes through the one WAHA client, so the API key and the HMAC key go to WAHA's
 * origin and nowhere else; neither key is ever part of an answer.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { apiError, failureError } from "../lib/errors.ts";
import type { AppEnv } from "../lib/types.ts";
import { invalidateSession } from "../lib/waha/cached-reads.ts";
import { callWaha } from "../lib/waha/client.ts";
import { DEFAULT_NUMBER, type WaNumber } from "../lib/waha/numbers.ts";
import { silenceOf } from "../lib/waha/session-silence.ts";
import {
  checkSetup,
  recommendedConfig,
  type SetupInput,
  type SetupReport,
  sessionInfoSchema,
} from "../lib/waha/setup.ts";
import { versionSchema, wahaPaths } from "../lib/waha/wire.ts";
import { requireRole } from "../middleware/auth.ts";
import { requireNumber } from "../middleware/number.ts";
import { wahaReadLimit } from "../middleware/rate-limit.ts";

const environmentSchema = z.record(z.string(), z.unknown());
const NO_STORE = { "Cache-Control": "no-store" };

/**
 * Where WAHA should post a number's events: the configured URL, else this gateway's origin
 * as the admin reached it; numbers but `default` on their own path.
 */
function webhookUrlOf(c: Context<AppEnv>, number: WaNumber): string {
  const base = c.var.config.WAHA_WEBHOOK_URL ?? `${new URL(c.req.url).origin}/api/waha/webhook`;
  return number.id === DEFAULT_NUMBER ? base : `${base.replace(/\/+$/, "")}/${number.id}`;
}

/** What WAHA shows of the session, its engine and its environment, and what the gateway heard. */
async function readInput(c: Context<AppEnv>): Promise<SetupInput> {
  const { env } = c;
  const wa = c.var.number;
  const session = wa.session;
  const answer = await callWaha(env, wa, {
    endpoint: "session",
    method: "GET",
    path: wahaPaths.session(session),
  });
  // No such session: 404, or WAHA Core's 422 for any name but "default".
  const missing = !answer.ok && [404, 422].includes(answer.failure.upstreamStatus ?? 0);
  if (!answer.ok && !missing) throw failureError(answer.failure);
  const info = answer.ok ? sessionInfoSchema.safeParse(answer.value.body) : null;
  if (info && !info.success) {
    throw apiError(502, "upstream-invalid", "WAHA's session answer is not as expected");
  }
  let engine = info?.data.engine?.engine ?? null;
  // A stopped session names no engine: the server's default is the one it will start with.
  if (engine === null && info) {
    const version = await callWaha(env, wa, {
      endpoint: "server-version",
      method: "GET",
      path: wahaPaths.version(),
    });
    const parsed = version.ok ? versionSchema.safeParse(version.value.body) : null;
    engine = parsed?.success ? parsed.data.engine : null;
  }
  const [environment, silence] = await Promise.all([
    readEnvironment(env, wa),
    silenceOf(env, wa.id),
  ]);
  return {
    session,
    config: info ? (info.data.config ?? {}) : null,
    engine,
    environment,
    webhookUrl: webhookUrlOf(c, wa),
    hmacKey: wa.webhookHmacKey,
    lastWebhookAt: silence?.lastWebhookAt ? Date.parse(silence.lastWebhookAt) : null,
  };
}

/** WAHA's environment, text values only; null when WAHA does not show it to this key. */
async function readEnvironment(env: Env, wa: WaNumber): Promise<Record<string, string> | null> {
  const answer = await callWaha(env, wa, {
    endpoint: "server-environment",
    method: "GET",
    path: wahaPaths.environment(),
  });
  if (!answer.ok) return null;
  const parsed = environmentSchema.safeParse(answer.value.body);
  if (!parsed.success) return null;
  return Object.fromEntries(
    Object.entries(parsed.data).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

export const wahaSetup = new Hono<AppEnv>()
  .get("/waha/setup", requireRole("admin"), wahaReadLimit("setup"), requireNumber(), async (c) => {
    const report: SetupReport = checkSetup(await readInput(c));
    return c.json(report, 200, NO_STORE);
  })
  .post(
    "/waha/setup/apply",
    requireRole("admin"),
    wahaReadLimit("setup"),
    requireNumber(),
    async (c) => {
      const wa = c.var.number;
      const hmacKey = wa.webhookHmacKey;
      if (hmacKey === undefined) {
        throw apiError(
          409,
          "gateway-hmac-key-unset",
          "set the secret WAHA_WEBHOOK_HMAC_KEY first: without it the gateway refuses every webhook",
        );
      }
      const input = await readInput(c);
      if (input.config === null) {
        throw apiError(409, "session-missing", `WAHA has no session named ${input.session}`);
      }
      // WAHA replaces the whole config (and restarts a running session with it).
      const put = await callWaha(c.env, wa, {
        endpoint: "session-update",
        method: "PUT",
        path: wahaPaths.session(input.session),
        body: { config: recommendedConfig({ ...input, hmacKey }) },
      });
      // WAHA's own refusal (a 400 naming the field) is the answer.
      if (!put.ok && put.failure.upstreamStatus !== undefined) throw failureError(put.failure);
      c.executionCtx.waitUntil(invalidateSession(c.env, wa.id));
      const report = checkSetup(await readInput(c));
      // No answer in time (WAHA restarts the session before it answers): what WAHA shows now says
      // whether the config went in.
      if (!put.ok && report.findings.some((f) => f.byApply)) throw failureError(put.failure);
      return c.json(report, 200, NO_STORE);
    },
  );
