/**
 * GET /api/waha/status, /session and /health (`?number=`): a number's WAHA state, cached
 * per its TTL and shared by every user, with the gateway's own finding beside it (a SILENT session); rate
 * limited per user, since browsers poll them.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { apiError, failureError } from "../lib/errors.ts";
import { safeMediaType } from "../lib/media/mimetype.ts";
import type { AppEnv } from "../lib/types.ts";
import { cacheHeaders, readCached } from "../lib/waha/cached-reads.ts";
import { callWaha } from "../lib/waha/client.ts";
import { silenceOf } from "../lib/waha/session-silence.ts";
import { wahaPaths } from "../lib/waha/wire.ts";
import { requireRole } from "../middleware/auth.ts";
import { requireNumber, viewerNumbers } from "../middleware/number.ts";
import { wahaReadLimit } from "../middleware/rate-limit.ts";

const statusLimit = wahaReadLimit("status");

async function cached(c: Context<AppEnv>, kind: "status" | "session" | "health") {
  const answer = await readCached(c.env, c.var.number, { kind });
  if (!answer.ok) throw failureError(answer.failure);
  const value = kind === "health" ? answer.value : await withSilence(c, answer.value);
  return c.json(value, 200, cacheHeaders(answer));
}

/**
 * WAHA's word on the session, and the gateway's beside it: `silent` while the session says
 * WORKING but its webhooks have stopped (read per answer, never cached with WAHA's).
 */
async function withSilence<T extends object>(c: Context<AppEnv>, value: T): Promise<T> {
  const silence = await silenceOf(c.env, c.var.number.id);
  if (silence === null) return value;
  return {
    ...value,
    silent: silence.silent,
    ...(silence.silent ? { silentSince: silence.since, silentReason: silence.reason } : {}),
  };
}

const qrSchema = z.looseObject({ mimetype: z.string(), data: z.string() });

export const waha = new Hono<AppEnv>()
  // The pairing QR for an admin while the session waits for a scan; it changes every few
  // seconds, so it is fetched each time (never cached) and the status is checked first.
  .get("/waha/qr", requireRole("admin"), statusLimit, requireNumber(), async (c) => {
    const wa = c.var.number;
    const session = await readCached(c.env, wa, { kind: "session" });
    if (!session.ok) throw failureError(session.failure);
    const { status } = session.value;
    if (status !== "SCAN_QR_CODE") {
      throw apiError(
        409,
        "not-pairing",
        `the session is ${status}; a QR is shown only while it waits for a scan`,
      );
    }
    const answer = await callWaha(c.env, wa, {
      endpoint: "qr",
      method: "GET",
      path: wahaPaths.qr(wa.session),
    });
    if (!answer.ok) throw failureError(answer.failure);
    const qr = qrSchema.safeParse(answer.value.body);
    const mimetype = qr.success ? safeMediaType(qr.data.mimetype) : null;
    if (!qr.success || !mimetype?.startsWith("image/")) {
      throw apiError(502, "upstream-invalid", "WAHA's QR answer is not an image");
    }
    const bytes = Uint8Array.from(atob(qr.data.data), (ch) => ch.charCodeAt(0));
    return c.body(bytes, 200, { "Content-Type": mimetype, "Cache-Control": "no-store" });
  })
  .get("/waha/status", statusLimit, requireNumber(), (c) => cached(c, "status"))
  .get("/waha/session", statusLimit, requireNumber(), (c) => cached(c, "session"))
  .get("/waha/health", statusLimit, requireNumber(), (c) => cached(c, "health"))
  // The numbers this user may use, each with its session's status from the cached read.
  .get("/numbers", async (c) => {
    const numbers = await viewerNumbers(c);
    const listed = await Promise.all(
      numbers.map(async (wa) => {
        const session = await readCached(c.env, wa, { kind: "session" });
        const status = session.ok ? session.value.status : "UNKNOWN";
        return { id: wa.id, name: wa.name, status, server: wa.server };
      }),
    );
    return c.json(listed, 200, { "Cache-Control": "no-store" });
  });
