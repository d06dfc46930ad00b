/**
 * WAHA's mimetype is whatever the sender's phone claimed. It becomes a response header,
 * so anything that is not a plain `type/subtype[; param=value]` is not used at all.
 */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PARAM = `;[ \\t]*${TOKEN}=(?:${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*")`;
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*${PARAM})*$`);

/** The mimetype, trimmed, if it is a valid media type (RFC 9110 §8.3.1); else null. */
export function safeMediaType(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed.length > 0 && trimmed.length <= 255 && MEDIA_TYPE.test(trimmed) ? trimmed : null;
}
