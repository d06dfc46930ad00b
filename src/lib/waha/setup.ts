/**
 * What the gateway needs of WAHA's own setup, checked from what WAHA shows (the session's
 * config, its environment) and written back as a recommended config: a webhook to this
 * gateway with the events it uses and its HMAC key, group receipts on WEBJS, the store on
 * NOWEB, a files lifetime long enough to fetch announced media. Pure: no I/O here.
 * WAHA: src/structures/sessions.dto.ts (SessionConfig), src/structures/webhooks.config.dto.ts,
 * src/core/config/GlobalWebhookConfig.ts (WHATSAPP_HOOK_*), src/utils/events.ts ("*").
 */
import * as z from "zod/mini";
import type { Finding, SetupReport, Unchecked } from "../contracts/api.ts";

export type { Finding, SetupReport, Unchecked } from "../contracts/api.ts";

/**
 * The events the gateway uses. `message.any` carries every message, ours and theirs; `message`
 * as well would deliver each incoming message twice (and WEBJS would download its media twice).
 */
export const NEEDED_EVENTS = [
  "message.any",
  "message.ack",
  "message.ack.group",
  "message.revoked",
  "message.edited",
  "message.reaction",
  "session.status",
  // Calls are shown in the conversation (missed, answered).
  "call.received",
  "call.accepted",
  "call.rejected",
] as const;

/** WAHA's default WHATSAPP_FILES_LIFETIME (s): time enough to fetch an announced file. */
export const FILES_LIFETIME_MIN_S = 180;

const webhookSchema = z.looseObject({
  url: z.string(),
  events: z.array(z.string()),
  hmac: z.nullish(z.looseObject({ key: z.nullish(z.string()) })),
});

/** The parts of a session's config the gateway checks; the rest is kept as it is. */
const configSchema = z.looseObject({
  webhooks: z.nullish(z.array(webhookSchema)),
  webjs: z.nullish(z.looseObject({ tagsEventsOn: z.nullish(z.boolean()) })),
  noweb: z.nullish(
    z.looseObject({ store: z.nullish(z.looseObject({ enabled: z.nullish(z.boolean()) })) }),
  ),
});

/** `GET /api/sessions/{session}` as far as the setup reads it. */
export const sessionInfoSchema = z.looseObject({
  name: z.string(),
  status: z.string(),
  config: z.nullish(z.record(z.string(), z.unknown())),
  engine: z.nullish(z.looseObject({ engine: z.nullish(z.string()) })),
});

export interface SetupInput {
  session: string;
  /** The session's config as WAHA answered it; null when WAHA has no such session. */
  config: Record<string, unknown> | null;
  engine: string | null;
  /** WAHA's WAHA_* and WHATSAPP_* variables; null when WAHA would not show them. */
  environment: Record<string, string> | null;
  webhookUrl: string;
  /** The gateway's WAHA_WEBHOOK_HMAC_KEY. */
  hmacKey: string | undefined;
  /** When a webhook signed with that key last arrived (ms), if ever. */
  lastWebhookAt: number | null;
}

interface Hook {
  url: string;
  events: string[];
  key: string | null | undefined;
  /** The session's config (apply edits it) or WAHA's environment (WHATSAPP_HOOK_*). */
  where: "session" | "environment";
}

/** Two URLs name the same endpoint (case of the host, default ports, a trailing slash). */
export function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.origin}${url.pathname.replace(/\/+$/, "")}${url.search}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/** A URL as a finding may show it: origin and path, never a query (it may hold a secret). */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(not a URL)";
  }
}

/** A key WAHA shows only masked (or empty), though an hmac block is there. */
function masked(key: string): boolean {
  return key === "" || /^\*+$|\*{3,}/.test(key);
}

function hooksOf(config: z.infer<typeof configSchema>, env: Record<string, string> | null): Hook[] {
  const hooks: Hook[] = (config.webhooks ?? []).map((w) => ({
    url: w.url,
    events: w.events,
    key: w.hmac ? (w.hmac.key ?? null) : undefined,
    where: "session",
  }));
  // WAHA adds this global webhook to every session's when both a URL and events are set.
  const url = env?.WHATSAPP_HOOK_URL;
  const events = env?.WHATSAPP_HOOK_EVENTS?.split(",").filter((e) => e !== "") ?? [];
  if (url && events.length > 0) {
    hooks.push({
      url,
      events,
      key: env?.WHATSAPP_HOOK_HMAC_KEY || undefined,
      where: "environment",
    });
  }
  return hooks;
}

function eventsOf(hook: Hook): Set<string> {
  // "*" stands for every event, `message` and `message.any` among them.
  return new Set(
    hook.events.includes("*") ? [...hook.events, "message", ...NEEDED_EVENTS] : hook.events,
  );
}

function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Where a fix to a webhook goes: apply for the session's, WAHA's environment for the global one. */
function hookFix(hook: Hook, what: string): string {
  return hook.where === "session"
    ? `Apply the recommended setup (it ${what}), or change the session's webhook in WAHA.`
    : `Change WHATSAPP_HOOK_* in WAHA's environment (it ${what} there) and restart WAHA.`;
}

export function checkSetup(input: SetupInput): SetupReport {
  const findings: Finding[] = [];
  const unchecked: Unchecked[] = [];
  const add = (code: string, message: string, fix: string, byApply: boolean) =>
    findings.push({ code, message, fix, byApply });
  const report = (): SetupReport => ({
    ok: findings.length === 0,
    session: input.session,
    engine: input.engine,
    webhookUrl: input.webhookUrl,
    findings,
    unchecked,
  });

  if (input.config === null) {
    add(
      "session-missing",
      `WAHA has no session named ${input.session}.`,
      `Create it in WAHA (WAHA Core has only "default"; set WAHA_SESSION to match), then check again.`,
      false,
    );
    return report();
  }
  const parsed = configSchema.safeParse(input.config);
  const config = parsed.success ? parsed.data : {};
  if (!parsed.success) {
    unchecked.push({
      code: "config-unreadable",
      message: "The session's config is not in the shape WAHA documents; it was read as empty.",
    });
  }
  const canApply = input.hmacKey !== undefined;
  if (!canApply) {
    add(
      "gateway-hmac-key-unset",
      "The gateway has no WAHA_WEBHOOK_HMAC_KEY, so it refuses every webhook.",
      "Set the secret WAHA_WEBHOOK_HMAC_KEY (npx wrangler secret put WAHA_WEBHOOK_HMAC_KEY), then apply the recommended setup.",
      false,
    );
  }

  const hooks = hooksOf(config, input.environment);
  const ours = hooks.filter((h) => sameUrl(h.url, input.webhookUrl));
  const heard =
    input.lastWebhookAt === null
      ? ""
      : ` A signed webhook last arrived ${new Date(input.lastWebhookAt).toISOString()}.`;
  if (ours.length === 0) {
    const elsewhere = hooks.map((h) => shown(h.url));
    add(
      "webhook-missing",
      `No webhook of the session posts to ${input.webhookUrl}` +
        (elsewhere.length > 0 ? ` (WAHA posts to ${elsewhere.join(", ")}).` : ".") +
        heard,
      `Apply the recommended setup (it adds the webhook), or add {url: "${input.webhookUrl}", events, hmac: {key}} to the session's webhooks.`,
      canApply,
    );
  }
  if (ours.length > 1) {
    const global = ours.some((h) => h.where === "environment");
    add(
      "webhook-twice",
      `${ours.length} webhooks post to the gateway${global ? " (one from WHATSAPP_HOOK_URL in WAHA's environment)" : ""}: every event arrives ${ours.length} times.`,
      global
        ? "Unset WHATSAPP_HOOK_URL in WAHA's environment (the session's own webhook is enough) and restart WAHA."
        : "Apply the recommended setup (it keeps one).",
      !global && canApply,
    );
  }
  // The webhook that counts: the session's own if there is one (apply edits it), else the global one.
  const hook = ours.find((h) => h.where === "session") ?? ours[0];
  if (hook) {
    const events = eventsOf(hook);
    const missing = NEEDED_EVENTS.filter((e) => !events.has(e));
    const byApply = hook.where === "session" && canApply;
    if (missing.length > 0) {
      add(
        "webhook-events-missing",
        `The gateway's webhook does not ask for ${missing.join(", ")}: those changes never reach the inbox.`,
        hookFix(hook, "adds them"),
        byApply,
      );
    }
    if (events.has("message") && events.has("message.any")) {
      add(
        "webhook-message-twice",
        `The gateway's webhook asks for "message" as well as "message.any"${hook.events.includes("*") ? ' (through "*")' : ""}: every incoming message arrives twice, and WEBJS downloads its media twice.`,
        hookFix(hook, 'keeps "message.any" only'),
        byApply,
      );
    }
    if (hook.key === undefined) {
      add(
        "webhook-hmac-missing",
        "The gateway's webhook is not signed (no hmac key): the gateway refuses every delivery with 401.",
        hookFix(hook, "sets the gateway's key"),
        byApply,
      );
    } else if (hook.key === null || masked(hook.key)) {
      if (input.lastWebhookAt === null) {
        add(
          "webhook-hmac-unverified",
          "WAHA does not show the webhook's HMAC key, and no webhook signed with the gateway's key has arrived yet: it may differ.",
          hookFix(hook, "writes the gateway's key"),
          byApply,
        );
      } else {
        unchecked.push({
          code: "webhook-hmac-hidden",
          message: `WAHA does not show the webhook's HMAC key; webhooks signed with the gateway's key do arrive.${heard}`,
        });
      }
    } else if (input.hmacKey !== undefined && !timingSafeEqual(hook.key, input.hmacKey)) {
      add(
        "webhook-hmac-mismatch",
        "The gateway's webhook is signed with another key than WAHA_WEBHOOK_HMAC_KEY: the gateway refuses every delivery with 401.",
        hookFix(hook, "sets the gateway's key"),
        byApply,
      );
    }
  }

  const engine = input.engine?.toUpperCase() ?? null;
  if (engine === "WEBJS" && config.webjs?.tagsEventsOn !== true) {
    add(
      "webjs-tags-events-off",
      "WEBJS sends group receipts (message.ack.group) only with webjs.tagsEventsOn: group messages never show delivered or read.",
      "Apply the recommended setup (it sets webjs.tagsEventsOn: true).",
      canApply,
    );
  }
  if (engine === "NOWEB" && config.noweb?.store?.enabled !== true) {
    add(
      "noweb-store-off",
      "NOWEB keeps no store (noweb.store.enabled is off): WAHA cannot list chats or messages, look media up again or map @lid ids.",
      "Apply the recommended setup (it sets noweb.store.enabled: true; NOWEB fills the store from the next start).",
      canApply,
    );
  }
  if (engine === null) {
    unchecked.push({
      code: "engine-unknown",
      message:
        "WAHA did not say which engine runs the session: its engine settings were not checked.",
    });
  }

  const lifetime = input.environment?.WHATSAPP_FILES_LIFETIME;
  if (input.environment === null) {
    unchecked.push({
      code: "environment-unreadable",
      message:
        "WAHA did not show its environment (GET /api/server/environment): the files' lifetime and a webhook set by WHATSAPP_HOOK_URL were not checked.",
    });
  } else if (lifetime !== undefined && lifetime.trim() !== "") {
    const seconds = Number.parseInt(lifetime, 10);
    if (Number.isFinite(seconds) && seconds !== 0 && seconds < FILES_LIFETIME_MIN_S) {
      add(
        "files-lifetime-short",
        `WAHA deletes media files ${seconds} s after saving them (WHATSAPP_FILES_LIFETIME): announced media may be gone before the gateway fetches it, and WAHA downloads it again.`,
        `Set WHATSAPP_FILES_LIFETIME=${FILES_LIFETIME_MIN_S} or more (0 keeps files) in WAHA's environment and restart WAHA.`,
        false,
      );
    }
  }
  return report();
}

/**
 * The session's config with what the gateway needs set: its webhook (the session's own, kept
 * with its retries and headers, or added) with the needed events and the gateway's key, other
 * webhooks to the gateway dropped, and the engine's setting on. Everything else stays as it is.
 * A global webhook (WHATSAPP_HOOK_URL) already posting here is not doubled by a session one.
 */
export function recommendedConfig(
  input: Pick<SetupInput, "config" | "engine" | "environment" | "webhookUrl"> & { hmacKey: string },
): Record<string, unknown> {
  const config: Record<string, unknown> = structuredClone(input.config ?? {});
  const raw = Array.isArray(config.webhooks) ? (config.webhooks as unknown[]) : [];
  const isOurs = (w: unknown) =>
    typeof w === "object" &&
    w !== null &&
    typeof (w as { url?: unknown }).url === "string" &&
    sameUrl((w as { url: string }).url, input.webhookUrl);
  const mine = raw.find(isOurs) as Record<string, unknown> | undefined;
  const others = raw.filter((w) => !isOurs(w));
  const globalHere = hooksOf({}, input.environment).some((h) => sameUrl(h.url, input.webhookUrl));
  if (mine || !globalHere) {
    const kept = Array.isArray(mine?.events)
      ? (mine.events as unknown[]).filter(
          (e): e is string => typeof e === "string" && e !== "message" && e !== "*",
        )
      : [];
    const events = [...kept, ...NEEDED_EVENTS.filter((e) => !kept.includes(e))];
    config.webhooks = [
      ...others,
      { ...mine, url: mine?.url ?? input.webhookUrl, events, hmac: { key: input.hmacKey } },
    ];
  }
  const engine = input.engine?.toUpperCase();
  if (engine === "WEBJS") {
    config.webjs = { ...asRecord(config.webjs), tagsEventsOn: true };
  } else if (engine === "NOWEB") {
    const noweb = asRecord(config.noweb);
    config.noweb = { ...noweb, store: { ...asRecord(noweb.store), enabled: true } };
  }
  return config;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
