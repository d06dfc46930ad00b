// WAHA's JSON shapes that do not depend on the engine's message model: session and server info.
import type { SessionStatus, SimConfig, Tier } from "./config.ts";
import type { EngineShapes } from "./engines/engine.ts";

// WAHA: src/version.ts (VERSION)
export const WAHA_VERSION = "2026.2.1";

/** The events the simulator can send, as the session's webhook config lists them. */
export const SIM_EVENTS = [
  "message",
  "message.any",
  "message.ack",
  "message.ack.group",
  "message.revoked",
  "message.edited",
  "message.reaction",
  "session.status",
] as const;

// WAHA: src/version.ts (VERSION: version, engine, tier, browser, platform, worker)
export function environment(tier: Tier, engine: EngineShapes) {
  return {
    version: WAHA_VERSION,
    engine: engine.name,
    tier,
    browser: engine.browser,
    platform: "linux/x64",
    worker: { id: null },
  };
}

/** The engine's own block of the session config: what the simulator models of it. */
// WAHA: src/structures/sessions.dto.ts (SessionConfig.webjs, SessionConfig.noweb.store)
function engineConfig(config: SimConfig, engine: EngineShapes) {
  if (engine.name === "WEBJS") return { webjs: { tagsEventsOn: config.webjsTagsEventsOn } };
  if (engine.name === "NOWEB") {
    const enabled = config.nowebStoreEnabled;
    return { noweb: { store: { enabled, fullSync: enabled } } };
  }
  return {};
}

/** `me` is null until the engine has logged in (WORKING). */
// WAHA: src/core/manager.core.ts (getSessions, getSessionInfo, fetchEngineInfo)
export function sessionInfo(
  name: string,
  status: SessionStatus,
  config: SimConfig,
  engine: EngineShapes,
  lastActivityMs: number | undefined,
) {
  const webhookUrl = config.webhookUrl;
  return {
    name,
    status,
    config: {
      debug: false,
      metadata: {},
      webhooks: webhookUrl ? [{ url: webhookUrl, events: [...SIM_EVENTS] }] : [],
      ...engineConfig(config, engine),
    },
    me: status === "WORKING" ? engine.me() : null,
    timestamps: lastActivityMs === undefined ? {} : { activity: lastActivityMs },
    engine: engine.sessionEngine(status),
  };
}

export function serverStatus(startedAt: number, now: number) {
  return { startTimestamp: startedAt, uptime: now - startedAt, worker: { id: "waha" } };
}

/** @nestjs/terminus health-check result, as WAHA Plus answers /health. */
export function healthReport() {
  const disk = (path: string) => ({
    status: "up",
    path,
    diskPath: "/",
    free: 41_234_567_168,
    threshold: 104_857_600,
  });
  const info = {
    "mediaFiles.space": disk("/tmp/whatsapp-files"),
    "sessionsFolder.space": disk("/app/.sessions"),
  };
  return { status: "ok", info, error: {}, details: info };
}
