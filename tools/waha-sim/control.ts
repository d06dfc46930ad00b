// The /__sim/ control API tests and benchmarks drive: stats, reset, faults, injected messages,
// file expiry, session status, settings and hand-made webhooks. No API key; JSON in and out.
import { asObject, BodyError } from "./body.ts";
import { isSessionStatus, isTier } from "./config.ts";
import type { Ctx } from "./context.ts";
import { parseFault } from "./faults.ts";
import { ackName, isMediaKind } from "./model.ts";
import { json, type Reply } from "./reply.ts";
import { toWahaMessage } from "./shapes.ts";
import type { SimState } from "./state.ts";
import type { NewMessage } from "./store.ts";

type Body = Record<string, unknown>;

function bad(message: string): Reply {
  return json(400, { error: "bad-request", message });
}

function isCount(value: unknown, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

function reset(sim: SimState, body: Body): Reply {
  const { filesLifetimeSec, tier } = body;
  if (filesLifetimeSec !== undefined && !isCount(filesLifetimeSec))
    return bad("filesLifetimeSec must be a whole number");
  if (tier !== undefined && !isTier(tier)) return bad("tier must be CORE or PLUS");
  sim.reset({
    ...(filesLifetimeSec !== undefined ? { filesLifetimeSec } : {}),
    ...(tier ? { tier } : {}),
  });
  return json(200, { ok: true, ...sim.stats.snapshot() });
}

function parseNewMessage(body: Body): NewMessage | string {
  if (typeof body.chatId !== "string" || body.chatId === "") return "chatId is required";
  if (body.body !== undefined && typeof body.body !== "string") return "body must be a string";
  if (body.fromMe !== undefined && typeof body.fromMe !== "boolean")
    return "fromMe must be a boolean";
  if (body.participant !== undefined && typeof body.participant !== "string")
    return "participant must be a string";
  const input: NewMessage = {
    chatId: body.chatId,
    body: body.body ?? "",
    fromMe: body.fromMe ?? false,
  };
  if (typeof body.participant === "string") input.participant = body.participant;
  if (body.media !== undefined) {
    const media = asObject(body.media);
    if (!media || !isMediaKind(media.kind))
      return "media.kind must be one of the supported mimetypes";
    if (media.size !== undefined && !isCount(media.size, 1e12))
      return "media.size must be a whole number of bytes";
    if (media.missing !== undefined && typeof media.missing !== "boolean")
      return "media.missing must be a boolean";
    if (media.filename !== undefined && typeof media.filename !== "string")
      return "media.filename must be a string";
    if (media.mimetype !== undefined && typeof media.mimetype !== "string")
      return "media.mimetype must be a string";
    input.media = { kind: media.kind };
    if (typeof media.size === "number") input.media.size = media.size;
    if (media.missing === true) input.media.missing = true;
    if (typeof media.filename === "string") input.media.filename = media.filename;
    if (typeof media.mimetype === "string") input.media.mimetype = media.mimetype;
  }
  return input;
}

/** With webhook: true the message is announced (its media downloaded, as WAHA does for webhooks). */
async function addMessage(sim: SimState, body: Body): Promise<Reply> {
  const input = parseNewMessage(body);
  if (typeof input === "string") return bad(input);
  if (
    body.events !== undefined &&
    !(Array.isArray(body.events) && body.events.every((e) => typeof e === "string"))
  ) {
    return bad("events must be an array of event names");
  }
  const message = sim.store.addMessage(input);
  if (body.webhook !== true) return json(201, toWahaMessage(message, undefined));
  const payload = toWahaMessage(message, sim.downloadMedia(message));
  const events = Array.isArray(body.events)
    ? (body.events as string[])
    : [message.fromMe ? "message.any" : "message"];
  const deliveries = [];
  for (const event of events) deliveries.push(await sim.emit(event, payload));
  const last = deliveries.at(-1);
  return json(201, payload, last ? { "X-Sim-Webhook-Status": last.status } : {});
}

function expire(sim: SimState, body: Body): Reply {
  if (body.messageId !== undefined && typeof body.messageId !== "string")
    return bad("messageId must be a string");
  return json(200, { expired: sim.store.expire(body.messageId) });
}

async function setSession(sim: SimState, body: Body): Promise<Reply> {
  if (!isSessionStatus(body.status))
    return bad("status must be STOPPED, STARTING, SCAN_QR_CODE, WORKING or FAILED");
  sim.sessionStatus = body.status;
  const webhook = await sim.emit("session.status", {
    name: sim.config.session,
    status: body.status,
  });
  return json(200, {
    name: sim.config.session,
    status: body.status,
    ...(webhook ? { webhook } : {}),
  });
}

async function setAck(sim: SimState, body: Body): Promise<Reply> {
  const message =
    typeof body.messageId === "string" ? sim.store.message(body.messageId) : undefined;
  if (!message) return bad("messageId must name an existing message");
  if (
    typeof body.ack !== "number" ||
    !Number.isInteger(body.ack) ||
    body.ack < -1 ||
    body.ack > 4
  ) {
    return bad("ack must be an integer from -1 to 4");
  }
  message.ack = body.ack;
  const payload = toWahaMessage(message, undefined);
  const webhook = await sim.emit("message.ack", {
    id: payload.id,
    from: payload.from,
    to: payload.to,
    participant: payload.participant,
    fromMe: payload.fromMe,
    ack: payload.ack,
    ackName: ackName(message.ack),
  });
  return json(200, {
    id: message.id,
    ack: message.ack,
    ackName: ackName(message.ack),
    ...(webhook ? { webhook } : {}),
  });
}

function publicConfig(sim: SimState) {
  const c = sim.config;
  return {
    session: c.session,
    tier: c.tier,
    filesLifetimeSec: c.filesLifetimeSec,
    webhookUrl: c.webhookUrl ?? null,
    webhookHmacKeySet: Boolean(c.webhookHmacKey),
    publicUrl: c.publicUrl,
  };
}

function setConfig(sim: SimState, body: Body): Reply {
  const { webhookUrl, webhookHmacKey, filesLifetimeSec, tier } = body;
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
  const c = sim.config;
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
      return json(200, sim.stats.snapshot());
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
    case "GET config":
      return json(200, publicConfig(sim));
    case "PUT config":
      return setConfig(sim, body);
    case "POST webhooks":
      return sendWebhook(sim, body);
    default:
      return json(404, { error: "not-found", message: `no control route ${method} ${ctx.path}` });
  }
}
