// WAHA's JSON shapes that do not depend on the engine's message model: session and server info.
import type { SessionStatus, SimConfig, Tier } from "./config.ts";
import type { EngineShapes } from "./engines/engine.ts";
import type { SessionConfig } from "./session-config.ts";

// WAHA: src/version.ts (VERSION)
export const WAHA_VERSION = "2026.2.1";

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

/**
 * `me` is null until the engine has logged in (WORKING). `config` is the session's own, as
 * given to PUT /api/sessions/{session}; the global webhook (WHATSAPP_HOOK_URL) is not in it.
 */
// WAHA: src/core/manager.core.ts (getSessions, getSessionInfo, fetchEngineInfo, getWebhooks)
export function sessionInfo(
  name: string,
  status: SessionStatus,
  config: SessionConfig,
  engine: EngineShapes,
  lastActivityMs: number | undefined,
) {
  return {
    name,
    status,
    // A session never configured shows `config: null` (seen from real WAHA 2026.2.1).
    config: Object.keys(config).length === 0 ? null : config,
    me: status === "WORKING" ? engine.me() : null,
    presence: null,
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
