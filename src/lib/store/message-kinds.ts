/**
 * What a message is besides text and media, as the inbox shows it: a location (a map link with
 * its coordinates), a contact card (name and number from the vCard), a sticker (an image), or a
 * call (from WAHA's call events). Every engine fills WAMessage's `location` and `vCards` the
 * same way; WEBJS puts a location's thumbnail in `body`, which is never shown as text.
 * WAHA: src/structures/responses.dto.ts (WAMessage.location: WALocation, vCards),
 * src/core/engines/waproto/locaiton.ts (extractWALocation: coordinates as strings),
 * src/core/engines/webjs/session.webjs.core.ts (extractLocation: numbers, body = thumbnail),
 * src/core/engines/waproto/vcards.ts (extractVCards).
 */

import type { MessageExtra, MessageKind } from "../contracts/api.ts";

export type { MessageExtra, MessageKind } from "../contracts/api.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function coordinate(value: unknown, limit: number): number | null {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
}

function shortText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, 300) : undefined;
}

/** A vCard's display name (FN, else N) and its first number (waid, else TEL). */
export function vcardContact(card: string): { name: string; number: string | null } | null {
  const lines = card.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  let name: string | undefined;
  let number: string | null = null;
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const head = line.slice(0, colon).toUpperCase();
    const value = line.slice(colon + 1).trim();
    if (head === "FN" || head.startsWith("FN;")) name = value || name;
    else if ((head === "N" || head.startsWith("N;")) && !name) {
      name = value.split(";").filter(Boolean).reverse().join(" ") || undefined;
    } else if (
      number === null &&
      (head === "TEL" || head.includes("TEL;") || head.endsWith(".TEL"))
    ) {
      const waid = /waid=(\d+)/i.exec(head)?.[1];
      number = waid ? `+${waid}` : value || null;
    }
  }
  return name || number ? { name: (name ?? number ?? "").slice(0, 200), number } : null;
}

/** The engine record says it is a sticker (WEBJS type, Baileys and whatsmeow stickerMessage). */
function isSticker(data: unknown, mimetype: string | null): boolean {
  if (mimetype === "image/webp") return true;
  if (!isObject(data)) return false;
  if (data.type === "sticker") return true;
  const message = isObject(data.message)
    ? data.message
    : isObject(data.Message)
      ? data.Message
      : null;
  return message !== null && ("stickerMessage" in message || "StickerMessage" in message);
}

export interface KindOf {
  kind: MessageKind | null;
  extra: MessageExtra | null;
  /** The text to keep instead of WAHA's `body`, when the kind says what it is. */
  body?: string | null;
}

/** Reads a WAHA message's kind from its `location`, `vCards` and media/record. */
export function kindOf(message: Json, mimetype: string | null): KindOf {
  const location = message.location;
  if (isObject(location)) {
    const latitude = coordinate(location.latitude, 90);
    const longitude = coordinate(location.longitude, 180);
    if (latitude !== null && longitude !== null) {
      const name = shortText(location.name);
      const address = shortText(location.address);
      return {
        kind: "location",
        extra: {
          latitude,
          longitude,
          ...(name ? { name } : {}),
          ...(address ? { address } : {}),
          ...(location.live === true ? { live: true } : {}),
        },
        body: shortText(location.description) ?? null,
      };
    }
  }
  const cards = message.vCards;
  if (Array.isArray(cards) && cards.length > 0) {
    const contacts = cards
      .filter((c): c is string => typeof c === "string")
      .map(vcardContact)
      .filter((c): c is { name: string; number: string | null } => c !== null)
      .slice(0, 20);
    if (contacts.length > 0) return { kind: "vcard", extra: { contacts }, body: null };
  }
  if (message.hasMedia === true && isSticker(message._data, mimetype)) {
    return { kind: "sticker", extra: null, body: null };
  }
  return { kind: null, extra: null };
}
