/**
 * The WhatsApp numbers this gateway serves. Each is one WAHA session on one WAHA server:
 * its own inbox in the store (keyed by the number's id), its own webhook, status and QR.
 * Numbers on one WAHA server share its road (gate, breaker, caches): `server` names it.
 * Without WAHA_NUMBERS there is one number, `default`, from WAHA_URL and its friends.
 */
import type { Config } from "../config.ts";

export interface WaNumber {
  /** The store's key for this number: 1–32 of a–z 0–9 -. */
  id: string;
  name: string;
  /** WAHA's base URL, without a trailing slash. */
  url: string;
  /** The WAHA session the number is (WAHA Core runs only "default"). */
  session: string;
  apiKey: string;
  webhookHmacKey?: string;
  /** The WAHA server it runs on: its URL's origin. Numbers on one server share a road. */
  server: string;
}

export const DEFAULT_NUMBER = "default";

const listed = new WeakMap<Config, WaNumber[]>();

/** Every number, in the configured order (one `default` without WAHA_NUMBERS). */
export function numbersOf(config: Config): WaNumber[] {
  let numbers = listed.get(config);
  if (numbers === undefined) {
    const given = config.WAHA_NUMBERS ?? [
      {
        id: DEFAULT_NUMBER,
        name: "WhatsApp",
        url: config.WAHA_URL ?? "",
        session: config.WAHA_SESSION,
        apiKey: config.WAHA_API_KEY ?? "",
        webhookHmacKey: config.WAHA_WEBHOOK_HMAC_KEY,
      },
    ];
    numbers = given.map((n) => ({
      id: n.id,
      name: n.name,
      url: n.url,
      session: n.session,
      apiKey: n.apiKey,
      ...(n.webhookHmacKey !== undefined ? { webhookHmacKey: n.webhookHmacKey } : {}),
      server: new URL(n.url).origin,
    }));
    listed.set(config, numbers);
  }
  return numbers;
}

/** The number with this id, or undefined. */
export function numberById(config: Config, id: string): WaNumber | undefined {
  return numbersOf(config).find((n) => n.id === id);
}

/** The numbers on one WAHA server (they share its gate). */
export function numbersOnServer(config: Config, server: string): WaNumber[] {
  return numbersOf(config).filter((n) => n.server === server);
}
