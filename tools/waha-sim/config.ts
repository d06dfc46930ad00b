// The simulator's live settings: what startSimulator was given, changeable through the control API.
import type { SimOptions } from "./server.ts";

export type Tier = "CORE" | "PLUS";

export const SESSION_STATUSES = [
  "STOPPED",
  "STARTING",
  "SCAN_QR_CODE",
  "WORKING",
  "FAILED",
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === "string" && (SESSION_STATUSES as readonly string[]).includes(value);
}

export function isTier(value: unknown): value is Tier {
  return value === "CORE" || value === "PLUS";
}

export interface SimConfig {
  apiKey: string;
  session: string;
  filesLifetimeSec: number;
  tier: Tier;
  webhookUrl?: string;
  webhookHmacKey?: string;
  /** Empty until the port is known. */
  publicUrl: string;
  log: boolean;
}

export const DEFAULT_FILES_LIFETIME_SEC = 180;

export function configFrom(opts: SimOptions): SimConfig {
  const config: SimConfig = {
    apiKey: opts.apiKey,
    session: opts.session ?? "default",
    filesLifetimeSec: opts.filesLifetimeSec ?? DEFAULT_FILES_LIFETIME_SEC,
    tier: opts.tier ?? "CORE",
    publicUrl: opts.publicUrl?.replace(/\/+$/, "") ?? "",
    log: opts.log ?? false,
  };
  if (opts.webhookUrl) config.webhookUrl = opts.webhookUrl;
  if (opts.webhookHmacKey) config.webhookHmacKey = opts.webhookHmacKey;
  return config;
}
