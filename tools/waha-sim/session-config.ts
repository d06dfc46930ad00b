// A session's config as WAHA keeps it (PUT /api/sessions/{session} {config}): checked field by field
// the way WAHA's DTO checks it (unknown fields dropped, a bad one named by its path in a 400), and
// the webhooks it describes, each with its own URL, events, HMAC key, retries and headers.
// WAHA: src/structures/sessions.dto.ts (SessionConfig, SessionUpdateRequest),
// src/structures/webhooks.config.dto.ts (WebhookConfig), src/nestjs/pipes/WAHAValidationPipe.ts
// (whitelist: unknown fields are stripped, not refused), src/structures/enums.dto.ts (events).
import { asObject } from "./body.ts";
import { isRetryPolicy, type RetryPolicy, type WebhookRetries } from "./config.ts";

/** Every event a webhook may ask for; `*` stands for all but the two internal ones. */
export const WAHA_EVENTS = [
  "session.status",
  "message",
  "message.reaction",
  "message.any",
  "message.ack",
  "message.ack.group",
  "message.waiting",
  "message.revoked",
  "message.edited",
  "state.change",
  "group.join",
  "group.leave",
  "group.v2.join",
  "group.v2.leave",
  "group.v2.update",
  "group.v2.participants",
  "presence.update",
  "poll.vote",
  "poll.vote.failed",
  "chat.archive",
  "call.received",
  "call.accepted",
  "call.rejected",
  "label.upsert",
  "label.deleted",
  "label.chat.added",
  "label.chat.deleted",
  "event.response",
  "event.response.failed",
  "engine.event",
] as const;

// WAHA: src/structures/enums.dto.ts (WAHAEventsWild: all but state.change and engine.event)
const WILD = WAHA_EVENTS.filter((e) => e !== "state.change" && e !== "engine.event");

export interface SessionWebhook {
  url: string;
  events: string[];
  hmac?: { key?: string };
  retries?: { delaySeconds?: number; attempts?: number; policy?: RetryPolicy };
  customHeaders?: Array<{ name: string; value: string }>;
}

/** What the simulator keeps of a session's config: the DTO's fields, checked, nothing else. */
export type SessionConfig = Record<string, unknown> & {
  webhooks?: SessionWebhook[];
  metadata?: Record<string, string>;
};

type Check = (value: unknown, path: string, errors: string[]) => unknown;

const bool: Check = (v, path, errors) => {
  if (typeof v !== "boolean") errors.push(`${path} must be a boolean`);
  return v;
};
const text: Check = (v, path, errors) => {
  if (typeof v !== "string") errors.push(`${path} must be a string`);
  return v;
};
const num: Check = (v, path, errors) => {
  if (typeof v !== "number" || !Number.isFinite(v)) errors.push(`${path} must be a number`);
  return v;
};
/** Booleans that may also be null ("keep the engine's default"). */
const boolOrNull: Check = (v, path, errors) => (v === null ? v : bool(v, path, errors));

/** http(s) with a host; a host without a dot is fine (WAHA: require_tld false). */
const url: Check = (v, path, errors) => {
  let ok = false;
  if (typeof v === "string") {
    try {
      const parsed = new URL(v);
      ok = (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
    } catch {
      ok = false;
    }
  }
  if (!ok) errors.push(`${path} must be an http(s) URL`);
  return v;
};

const events: Check = (v, path, errors) => {
  if (!Array.isArray(v)) {
    errors.push(`${path} must be an array of event names`);
    return v;
  }
  const known = new Set<string>([...WAHA_EVENTS, "*"]);
  if (!v.every((e) => typeof e === "string" && known.has(e)))
    errors.push(`${path}: every event must be one of ${[...known].join(", ")}`);
  return v;
};

const retryPolicy: Check = (v, path, errors) => {
  if (!isRetryPolicy(v)) errors.push(`${path} must be linear, exponential or constant`);
  return v;
};

const stringMap: Check = (v, path, errors) => {
  const obj = asObject(v);
  if (!obj || !Object.values(obj).every((x) => typeof x === "string"))
    errors.push(`${path} must be an object of string values`);
  return v;
};

interface Field {
  check: Check;
  required?: boolean;
  /** Set when the object is given without this field (class-transformer's property defaults). */
  fallback?: unknown;
}

function object(fields: Record<string, Field>): Check {
  return (v, path, errors) => {
    const obj = asObject(v);
    if (!obj) {
      errors.push(`${path} must be an object`);
      return v;
    }
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(fields)) {
      const value = obj[name];
      const at = path === "" ? name : `${path}.${name}`;
      if (value === undefined || (value === null && !field.required)) {
        if (field.required) errors.push(`${at} is required`);
        else if (field.fallback !== undefined) out[name] = field.fallback;
        else if (value === null) out[name] = null;
        continue;
      }
      out[name] = field.check(value, at, errors);
    }
    return out;
  };
}

function arrayOf(item: Check): Check {
  return (v, path, errors) => {
    if (!Array.isArray(v)) {
      errors.push(`${path} must be an array`);
      return v;
    }
    return v.map((x, i) => item(x, `${path}.${i}`, errors));
  };
}

const optional = (check: Check): Field => ({ check });

const webhook = object({
  url: { check: url, required: true },
  events: { check: events, required: true },
  hmac: optional(object({ key: optional(text) })),
  retries: optional(
    object({ delaySeconds: optional(num), attempts: optional(num), policy: optional(retryPolicy) }),
  ),
  customHeaders: optional(
    arrayOf(
      object({ name: { check: text, required: true }, value: { check: text, required: true } }),
    ),
  ),
});

const sessionConfig = object({
  webhooks: optional(arrayOf(webhook)),
  metadata: optional(stringMap),
  proxy: optional(
    object({
      server: { check: text, required: true },
      username: optional(text),
      password: optional(text),
    }),
  ),
  debug: optional(bool),
  ignore: optional(
    object({
      status: optional(bool),
      groups: optional(bool),
      channels: optional(bool),
      broadcast: optional(bool),
    }),
  ),
  client: optional(object({ deviceName: optional(text), browserName: optional(text) })),
  noweb: optional(
    object({
      store: optional(
        object({
          enabled: { check: bool, fallback: false },
          fullSync: { check: bool, fallback: false },
        }),
      ),
      markOnline: { check: bool, fallback: true },
    }),
  ),
  gows: optional(
    object({
      storage: optional(
        object({
          messages: optional(boolOrNull),
          groups: optional(boolOrNull),
          chats: optional(boolOrNull),
          labels: optional(boolOrNull),
        }),
      ),
    }),
  ),
  webjs: optional(object({ tagsEventsOn: { check: bool, fallback: false } })),
});

export type Parsed = { ok: true; config: SessionConfig } | { ok: false; errors: string[] };

/** The body of PUT /api/sessions/{session}: `{config?}`; an absent config is an empty one. */
export function parseSessionUpdate(body: unknown): Parsed {
  const obj = body === undefined ? {} : asObject(body);
  if (!obj) return { ok: false, errors: ["body must be a JSON object"] };
  if (obj.config === undefined || obj.config === null) return { ok: true, config: {} };
  const errors: string[] = [];
  const config = sessionConfig(obj.config, "config", errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: config as SessionConfig };
}

/** A webhook as the sender uses it: the events it gets, its key, its retries and headers. */
export interface SessionTarget {
  url: string;
  events: ReadonlySet<string>;
  hmacKey?: string;
  retries: WebhookRetries;
  headers: Record<string, string>;
}

// WAHA: src/core/integrations/webhooks/WebhookConductor.ts (a webhook with no URL or no events
// is skipped), src/utils/events.ts (EventWildUnmask), WebhookSender.ts (retry defaults).
export function sessionTargets(config: SessionConfig, defaults: WebhookRetries): SessionTarget[] {
  return (config.webhooks ?? []).flatMap((hook) => {
    if (!hook.url || hook.events.length === 0) return [];
    const wanted = new Set(hook.events.includes("*") ? [...WILD, ...hook.events] : hook.events);
    wanted.delete("*");
    const retries: WebhookRetries = {
      attempts: hook.retries?.attempts ?? defaults.attempts,
      delayMs:
        hook.retries?.delaySeconds === undefined
          ? defaults.delayMs
          : Math.round(hook.retries.delaySeconds * 1000),
      policy: hook.retries?.policy ?? defaults.policy,
    };
    const headers = Object.fromEntries((hook.customHeaders ?? []).map((h) => [h.name, h.value]));
    return [
      {
        url: hook.url,
        events: wanted,
        ...(hook.hmac?.key ? { hmacKey: hook.hmac.key } : {}),
        retries,
        headers,
      },
    ];
  });
}
