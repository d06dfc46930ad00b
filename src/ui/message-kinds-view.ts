/**
 * How the conversation shows what is not text or a file: a call (missed, answered, ringing),
 * a shared location (a map link with its coordinates), a contact card (name and number) and a
 * sticker (drawn by the media view as a picture, without a frame).
 */
import type { Message } from "../client/types.ts";
import { h } from "./dom.ts";

const CALLS = {
  missed: "Missed",
  answered: "Answered",
  ringing: "Incoming",
} as const;

/** The kind's own content, or null for text and ordinary media. */
export function kindContent(m: Message): HTMLElement | null {
  const extra = m.extra;
  if (m.revokedAt || !m.kind || (m.kind !== "sticker" && !extra)) return null;
  if (m.kind === "call" && extra && "outcome" in extra) {
    const what = `${CALLS[extra.outcome]} ${extra.video ? "video" : "voice"} call`;
    return h(
      "p",
      { class: `message__call message__call--${extra.outcome}` },
      h("span", { "aria-hidden": "true" }, extra.video ? "🎥 " : "📞 "),
      what,
    );
  }
  if (m.kind === "location" && extra && "latitude" in extra) {
    const { latitude, longitude, name, address } = extra;
    const at = `${latitude.toFixed(6)}, ${longitude.toFixed(6)}`;
    const href = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
    return h(
      "div",
      { class: "message__location" },
      name ? h("p", { class: "message__place" }, name) : null,
      address ? h("p", { class: "message__address" }, address) : null,
      h(
        "a",
        { href, target: "_blank", rel: "noopener noreferrer", class: "message__map" },
        `📍 ${at}`,
        h("span", { class: "visually-hidden" }, " (map, opens in a new tab)"),
      ),
    );
  }
  if (m.kind === "vcard" && extra && "contacts" in extra) {
    return h(
      "ul",
      { class: "message__cards", "aria-label": "Shared contacts" },
      ...extra.contacts.map((card) =>
        h(
          "li",
          { class: "message__card" },
          h("span", { class: "message__card-name" }, `👤 ${card.name}`),
          card.number ? h("span", { class: "message__card-number" }, ` ${card.number}`) : null,
        ),
      ),
    );
  }
  return null;
}
