// Locations, contact cards and stickers: WhatsApp's content for them (Baileys' camelCase proto
// for NOWEB and GOWS alike here; whatsapp-web.js's model for WEBJS) and the WAMessage fields every
// engine derives from it: `location` (WEBJS numbers, the proto engines strings) and `vCards`.
// WAHA: src/core/engines/waproto/locaiton.ts (extractWALocation), src/core/engines/waproto/
// vcards.ts (extractVCards), src/core/engines/webjs/session.webjs.core.ts (extractLocation:
// body is the thumbnail), src/structures/responses.dto.ts (WALocation)
import type { SimCard, SimMessage } from "../model.ts";
import type { Json } from "./engine.ts";

/** A tiny JPEG thumbnail's base64, as WEBJS carries a location's preview in `body`. */
const THUMBNAIL = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U";

export function vcardOf(card: SimCard): string {
  return [
    "BEGIN:VCARD",
    "VERSION:3.0",
    `FN:${card.name}`,
    `TEL;type=CELL;type=VOICE;waid=${card.number}:+${card.number}`,
    "END:VCARD",
  ].join("\n");
}

/** The proto content of a location, card or sticker; undefined for anything else. */
export function specialProto(m: SimMessage): Json | undefined {
  if (m.location) {
    const { latitude, longitude, name, address } = m.location;
    return {
      locationMessage: {
        degreesLatitude: latitude,
        degreesLongitude: longitude,
        ...(name ? { name } : {}),
        ...(address ? { address } : {}),
      },
    };
  }
  if (m.card) return { contactMessage: { displayName: m.card.name, vcard: vcardOf(m.card) } };
  if (m.type === "sticker" && m.media) {
    return { stickerMessage: { mimetype: m.media.mimetype, isAnimated: false } };
  }
  return undefined;
}

/** whatsapp-web.js's model fields for them (WEBJS `_data`), merged over the common ones. */
export function specialRaw(m: SimMessage): Json {
  if (m.location) {
    return {
      type: "location",
      lat: m.location.latitude,
      lng: m.location.longitude,
      loc: [m.location.name, m.location.address].filter(Boolean).join("\n"),
      body: THUMBNAIL,
    };
  }
  if (m.card) return { type: "vcard", body: vcardOf(m.card), vcardFormattedName: m.card.name };
  return {};
}

/** WAMessage's own `location` and `vCards`, as each engine fills them. */
export function specialFields(m: SimMessage, engine: string): Json {
  if (m.location) {
    const { latitude, longitude, name, address } = m.location;
    const webjs = engine === "WEBJS";
    return {
      ...(webjs ? { body: THUMBNAIL } : {}),
      location: {
        live: false,
        latitude: webjs ? latitude : String(latitude),
        longitude: webjs ? longitude : String(longitude),
        ...(name ? { name } : {}),
        ...(address ? { address } : {}),
        ...(webjs ? { thumbnail: THUMBNAIL } : {}),
      },
      vCards: [],
    };
  }
  if (m.card)
    return { vCards: [vcardOf(m.card)], ...(engine === "WEBJS" ? { body: vcardOf(m.card) } : {}) };
  return {};
}
