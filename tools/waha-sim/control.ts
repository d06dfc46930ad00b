// The /__sim/ control API tests and benchmarks drive: stats, reset, faults, injected messages and
// what happens to them, file expiry, session status, settings (the engine among them) and
// hand-made webhooks. No API key; JSON in and out.

import { servePicture } from "./api-contacts.ts";
import { asObject, BodyError } from "./body.ts";
import { placeCall } from "./calls.ts";
import {
  isDemoSet,
  isRetryPolicy,
  isSendEcho,
  isSessionStatus,
  isTier,
  type WebhookRetries,
} from "./config.ts";
import type { Ctx } from "./context.ts";
import {
  addLid,
  addMessage,
  type Body,
  bad,
  editMessage,
  isCount,
  reactTo,
  revokeMessage,
  setAck,
} from "./control-messages.ts";
import { parseFault } from "./faults.ts";
import { isEngine } from "./model.ts";
import { json, type Reply } from "./reply.ts";
import type { SimState } from "./state.ts";

function reset(sim: SimState, body: Body): Reply {
  const { filesLifetimeSec, tier, engine, demo } = body;
  if (filesLifetimeSec !== undefined && !isCount(filesLifetimeSec))
    return bad("filesLifetimeSec must be a whole number");
  if (tier !== undefined && !isTier(tier)) return bad("tier must be CORE or PLUS");
  if (engine !== undefined && !isEngine(engine)) return bad("engine must be WEBJS, NOWEB or GOWS");
  if (demo !== undefined && !isDemoSet(demo)) return bad("demo must be basic, full or support");
  sim.reset({
    ...(filesLifetimeSec !== undefined ? { filesLifetimeSec } : {}),
    ...(tier ? { tier } : {}),
    ...(engine ? { engine } : {}),
    ...(demo ? { demo } : {}),
  });
  return json(200, { ok: true, engine: sim.config.engine, ...snapshot(sim) });
}

function snapshot(sim: SimState) {
  return sim.stats.snapshot(sim.sender.pending);
}

function expire(sim: SimState, body: Body): Reply {
  if (body.messageId !== undefined && typeof body.messageId !== "string")
    return bad("messageId must be a string");
  if (body.fromWhatsApp !== undefined && typeof body.fromWhatsApp !== "boolean")
    return bad("fromWhatsApp must be a boolean");
  return json(200, { expired: sim.store.expire(body.messageId, body.fromWhatsApp === true) });
}

async function setSession(sim: SimState, body: Body): Promise<Reply> {
  if (!isSessionStatus(body.status))
    return bad("status must be STOPPED, STARTING, SCAN_QR_CODE, WORKING or FAILED");
  const payload = sim.setSessionStatus(body.status);
  const webhook = payload ? await sim.emit("session.status", payload) : undefined;
  return json(200, {
    name: sim.config.session,
    status: body.status,
    statuses: sim.statuses,
    event: payload ? "session.status" : null,
    ...(webhook ? { webhook } : {}),
  });
}

function publicConfig(sim: SimState) {
  const c = sim.config;
  return {
    session: c.session,
    engine: c.engine,
    demo: c.demo,
    tier: c.tier,
    filesLifetimeSec: c.filesLifetimeSec,
    webhookUrl: c.webhookUrl ?? null,
    webhookHmacKeySet: Boolean(c.webhookHmacKey),
    webhookRetries: { ...c.webhookRetries },
    publicUrl: c.publicUrl,
    sendEcho: c.sendEcho,
    echoDelayMs: c.echoDelayMs,
    sessionWaitMs: c.sessionWaitMs,
    clockOffsetMs: c.clockOffsetMs,
    mailboxOrigins: [...c.mailboxOrigins],
    environment: { ...c.environment },
    webjsTagsEventsOn: c.webjsTagsEventsOn,
    nowebStoreEnabled: c.nowebStoreEnabled,
    webjsLoadBatch: c.webjsLoadBatch,
  };
}

/** `["http://host:port", …]`: each an origin (no path), or an error naming the field. */
function parseOrigins(raw: unknown): string[] | string {
  if (!Array.isArray(raw)) return "mailboxOrigins must be an array of origins";
  const origins: string[] = [];
  for (const item of raw) {
    let origin: string | undefined;
    try {
      origin = typeof item === "string" ? new URL(item).origin : undefined;
    } catch {
      origin = undefined;
    }
    if (!origin || origin === "null" || origin !== item.replace(/\/+$/, ""))
      return "mailboxOrigins must be an array of origins like http://gateway.test";
    origins.push(origin);
  }
  return origins;
}

/** `{attempts?, delayMs?, policy?}` merged over the current retries, or an error naming the field. */
function parseRetries(current: WebhookRetries, raw: unknown): WebhookRetries | string {
  const retries = asObject(raw);
  if (!retries) return "webhookRetries must be an object {attempts?, delayMs?, policy?}";
  const next = { ...current };
  if (retries.attempts !== undefined) {
    if (!isCount(retries.attempts, 100))
      return "webhookRetries.attempts must be a whole number from 0 to 100";
    next.attempts = retries.attempts;
  }
  if (retries.delayMs !== undefined) {
    if (!isCount(retries.delayMs, 600_000))
      return "webhookRetries.delayMs must be a whole number of ms from 0 to 600000";
    next.delayMs = retries.delayMs;
  }
  if (retries.policy !== undefined) {
    if (!isRetryPolicy(retries.policy))
      return "webhookRetries.policy must be constant, linear or exponential";
    next.policy = retries.policy;
  }
  return next;
}

function setConfig(sim: SimState, body: Body): Reply {
  const { webhookUrl, webhookHmacKey, filesLifetimeSec, tier, engine } = body;
  if (webhookUrl !== undefined && webhookUrl !== null && typeof webhookUrl !== "string")
    return bad("webhookUrl must be a string or null");
  if (
    webhookHmacKey !== undefined &&
    webhookHmacKey !== null &&
    typeof webhookHmacKey !== "string"
  ) {
    return bad("webhookHmacKey must be a string or null");
  }
  if (filesLifetimeSec !== undefined && !isCount(filesLifetimeSec))
    return bad("filesLifetimeSec must be a whole number");
  if (tier !== undefined && !isTier(tier)) return bad("tier must be CORE or PLUS");
  if (engine !== undefined && !isEngine(engine)) return bad("engine must be WEBJS, NOWEB or GOWS");
  const retries =
    body.webhookRetries === undefined
      ? undefined
      : parseRetries(sim.config.webhookRetries, body.webhookRetries);
  if (typeof retries === "string") return bad(retries);
  const { sendEcho, echoDelayMs, sessionWaitMs, clockOffsetMs } = body;
  if (
    clockOffsetMs !== undefined &&
    (typeof clockOffsetMs !== "number" || !Number.isInteger(clockOffsetMs))
  )
    return bad("clockOffsetMs must be a whole number of ms");
  if (sendEcho !== undefined && !isSendEcho(sendEcho))
    return bad("sendEcho must be with, before, after or none");
  if (echoDelayMs !== undefined && !isCount(echoDelayMs, 600_000))
    return bad("echoDelayMs must be a whole number of ms from 0 to 600000");
  if (sessionWaitMs !== undefined && !isCount(sessionWaitMs, 600_000))
    return bad("sessionWaitMs must be a whole number of ms from 0 to 600000");
  const origins = body.mailboxOrigins === undefined ? undefined : parseOrigins(body.mailboxOrigins);
  if (typeof origins === "string") return bad(origins);
  const extra = body.environment;
  if (
    extra !== undefined &&
    !(asObject(extra) && Object.values(extra as object).every((v) => typeof v === "string"))
  )
    return bad("environment must be an object of string values");
  const { webjsTagsEventsOn, nowebStoreEnabled, webjsLoadBatch } = body;
  if (webjsTagsEventsOn !== undefined && typeof webjsTagsEventsOn !== "boolean")
    return bad("webjsTagsEventsOn must be a boolean");
  if (nowebStoreEnabled !== undefined && typeof nowebStoreEnabled !== "boolean")
    return bad("nowebStoreEnabled must be a boolean");
  if (webjsLoadBatch !== undefined && (!isCount(webjsLoadBatch, 10_000) || webjsLoadBatch < 1))
    return bad("webjsLoadBatch must be a whole number from 1 to 10000");
  const c = sim.config;
  if (origins) c.mailboxOrigins = origins;
  if (extra !== undefined) c.environment = { ...(extra as Record<string, string>) };
  if (typeof webjsTagsEventsOn === "boolean") c.webjsTagsEventsOn = webjsTagsEventsOn;
  if (typeof nowebStoreEnabled === "boolean") c.nowebStoreEnabled = nowebStoreEnabled;
  if (typeof webjsLoadBatch === "number") c.webjsLoadBatch = webjsLoadBatch;
  if (sendEcho !== undefined) c.sendEcho = sendEcho;
  if (echoDelayMs !== undefined) c.echoDelayMs = echoDelayMs;
  if (sessionWaitMs !== undefined) c.sessionWaitMs = sessionWaitMs;
  if (typeof clockOffsetMs === "number") c.clockOffsetMs = clockOffsetMs;
  if (engine !== undefined) c.engine = engine;
  if (retries) c.webhookRetries = retries;
  if (typeof webhookUrl === "string" && webhookUrl !== "") c.webhookUrl = webhookUrl;
  else if (webhookUrl !== undefined) delete c.webhookUrl;
  if (typeof webhookHmacKey === "string" && webhookHmacKey !== "")
    c.webhookHmacKey = webhookHmacKey;
  else if (webhookHmacKey !== undefined) delete c.webhookHmacKey;
  if (filesLifetimeSec !== undefined) c.filesLifetimeSec = filesLifetimeSec;
  if (tier !== undefined) c.tier = tier;
  return json(200, publicConfig(sim));
}

async function sendWebhook(sim: SimState, body: Body): Promise<Reply> {
  if (typeof body.event !== "string" || body.event === "") return bad("event is required");
  if (body.id !== undefined && typeof body.id !== "string") return bad("id must be a string");
  if (body.session !== undefined && typeof body.session !== "string")
    return bad("session must be a string");
  if (!sim.config.webhookUrl)
    return json(409, { error: "no-webhook-url", message: "set webhookUrl first" });
  const delivery = await sim.emit(body.event, body.payload ?? {}, {
    ...(typeof body.id === "string" ? { id: body.id } : {}),
    ...(typeof body.session === "string" ? { session: body.session } : {}),
  });
  if (!delivery) return json(409, { error: "no-webhook-url", message: "set webhookUrl first" });
  return json(delivery.status === 0 ? 502 : 200, delivery);
}

/** `{contactId, picture?: boolean, savedName?: string | null}`: what WhatsApp shows of a person. */
function setContact(sim: SimState, body: Body): Reply {
  const { contactId, picture, savedName } = body;
  if (typeof contactId !== "string" || !/^[0-9]+@(c\.us|g\.us)$/.test(contactId))
    return bad("contactId must be a contact id like 15551234567@c.us");
  if (picture !== undefined && typeof picture !== "boolean")
    return bad("picture must be a boolean");
  if (savedName !== undefined && savedName !== null && typeof savedName !== "string")
    return bad("savedName must be a string or null");
  if (typeof picture === "boolean") sim.store.contacts.setPicture(contactId, picture);
  if (savedName !== undefined) sim.store.contacts.setSavedName(contactId, savedName);
  return json(200, { ok: true });
}

export async function handleControl(ctx: Ctx): Promise<Reply> {
  const { sim, method } = ctx;
  const [, name, arg] = ctx.segments;
  let body: Body = {};
  if (method === "POST" || method === "PUT") {
    try {
      const raw = await ctx.readBody();
      if (raw !== undefined) {
        const obj = asObject(raw);
        if (!obj) return bad("body must be a JSON object");
        body = obj;
      }
    } catch (err) {
      return bad(err instanceof BodyError ? err.message : "invalid body");
    }
  }
  const route = `${method} ${name ?? ""}${arg === undefined ? "" : "/:id"}`;
  switch (route) {
    case "GET stats":
      return json(200, snapshot(sim));
    case "POST reset":
      return reset(sim, body);
    case "GET faults":
      return json(200, sim.faults.list());
    case "POST faults": {
      const fault = parseFault(body);
      return typeof fault === "string" ? bad(fault) : json(201, { id: sim.faults.add(fault) });
    }
    case "DELETE faults":
      sim.faults.clear();
      return json(200, { ok: true });
    case "DELETE faults/:id":
      return sim.faults.remove(arg ?? "")
        ? json(200, { ok: true })
        : json(404, { error: "not-found", message: "no such fault" });
    case "POST messages":
      return addMessage(sim, body);
    case "POST expire":
      return expire(sim, body);
    case "POST session":
      return setSession(sim, body);
    case "POST ack":
      return setAck(sim, body);
    case "POST revoke":
      return revokeMessage(sim, body);
    case "POST edit":
      return editMessage(sim, body);
    case "POST react":
      return reactTo(sim, body);
    case "POST lids":
      return addLid(sim, body);
    case "GET pictures/:id":
      return servePicture(ctx, arg ?? "");
    case "POST calls":
      return placeCall(sim, body);
    case "POST contacts":
      return setContact(sim, body);
    case "GET config":
      return json(200, publicConfig(sim));
    case "PUT config":
      return setConfig(sim, body);
    case "POST webhooks":
      return sendWebhook(sim, body);
    case "GET mailbox": {
      const waitMs = Number(ctx.query.get("waitMs") ?? 0);
      if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 30_000)
        return bad("waitMs must be a whole number of ms from 0 to 30000");
      return json(200, await sim.mailbox.take(waitMs));
    }
    case "POST mailbox/:id": {
      const { status, retryAfterMs } = body;
      if (!isCount(status, 599)) return bad("status must be an HTTP status (0 for no answer)");
      if (retryAfterMs !== undefined && !isCount(retryAfterMs, 600_000))
        return bad("retryAfterMs must be a whole number of ms");
      return sim.mailbox.answer(Number(arg), status, retryAfterMs ?? 0)
        ? json(200, { ok: true })
        : json(404, { error: "not-found", message: "no such delivery waiting" });
    }
    default:
      return json(404, { error: "not-found", message: `no control route ${method} ${ctx.path}` });
  }
}
