/**
 * What a chat list or a quote shows of a message: its text, or what kind of media it is
 * ("📷 Photo", "🎤 Voice message", "📄 invoice.pdf"…), never a bare "[media]". Pure, so
 * the gateway (stored previews) and the browser (our own sends, quotes) say the same.
 */

export interface PreviewSource {
  body: string | null;
  hasMedia: boolean;
  mimetype: string | null;
  filename: string | null;
  /** Kinds WhatsApp carries without a file (WAHA's `location`, `vCards`). */
  kind?: "location" | "contact" | undefined;
}

export const PREVIEW_CHARS = 160;

/** The media part alone: "📷 Photo"; undefined for a message without media. */
export function mediaLabel(m: Omit<PreviewSource, "body">): string | undefined {
  if (m.kind === "location") return "📍 Location";
  if (m.kind === "contact") return "Contact";
  if (!m.hasMedia) return undefined;
  const type = (m.mimetype ?? "").toLowerCase().split(";")[0]?.trim() ?? "";
  // WhatsApp stickers are WebP; photos it carries are JPEG (or PNG).
  if (type === "image/webp") return "Sticker";
  if (type.startsWith("image/")) return "📷 Photo";
  if (type.startsWith("video/")) return "🎥 Video";
  // Voice notes are Opus in Ogg; other audio is a file someone shared.
  if (type === "audio/ogg" || type.includes("opus")) return "🎤 Voice message";
  if (type.startsWith("audio/")) return "🎵 Audio";
  if (type === "text/vcard" || type === "text/x-vcard") return "Contact";
  return m.filename ? `📄 ${m.filename}` : "📄 Document";
}

/**
 * Text first (a photo's caption is what people read), else the media's label. A location
 * or a contact is named as such: some engines put a thumbnail or the vCard in its body.
 */
export function previewText(m: PreviewSource): string | null {
  if (m.kind) return mediaLabel(m) ?? null;
  const text = m.body?.trim();
  if (text) return text.slice(0, PREVIEW_CHARS);
  return mediaLabel(m) ?? null;
}

type Loose = Record<string, unknown>;

const isRecord = (value: unknown): value is Loose =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Kinds WhatsApp carries without a file: WAHA's `location` and `vCards` (src/structures/responses.dto.ts). */
export function kindOf(message: Loose): PreviewSource["kind"] {
  if (isRecord(message.location)) return "location";
  if (Array.isArray(message.vCards) && message.vCards.length > 0) return "contact";
  return undefined;
}

/** A WAHA chat's last message (WAHA's loose shape) as the chat list shows it. */
export function lastPreview(last: Loose | null | undefined): string | null {
  if (!last) return null;
  const media = isRecord(last.media) ? last.media : {};
  const field = (name: string): string | null =>
    typeof media[name] === "string" ? (media[name] as string) : null;
  return previewText({
    body: typeof last.body === "string" ? last.body : null,
    hasMedia: last.hasMedia === true,
    mimetype: field("mimetype"),
    filename: field("filename"),
    kind: kindOf(last),
  });
}
