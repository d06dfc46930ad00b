/**
 * Conditional and range requests for media (RFC 9110 §13, §14): which validator
 * matches, whether a Range applies, and the part of a body it names.
 */

/** One `bytes=` range and nothing else; other forms are ignored (the whole body is sent). */
const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

function opaqueTags(header: string): string[] {
  return header.split(",").map((tag) => tag.trim().replace(/^W\//, ""));
}

/**
 * If-None-Match against the current ETag, by weak comparison (§13.1.2): `match` when one
 * listed tag is the same, `any` for `*` (matches once the item is known to exist).
 */
export function noneMatch(header: string | undefined, etag: string): "match" | "any" | "none" {
  if (header === undefined) return "none";
  if (header.trim() === "*") return "any";
  return opaqueTags(header).includes(etag.replace(/^W\//, "")) ? "match" : "none";
}

/**
 * The Range to honour, or undefined: only a single byte range, and only when If-Range is
 * absent or names this ETag by strong comparison (§13.1.5). A date never matches: media
 * answers carry no Last-Modified.
 */
export function applicableRange(
  range: string | undefined,
  ifRange: string | undefined,
  etag: string | null,
): string | undefined {
  const trimmed = range?.trim();
  if (!trimmed || !SINGLE_RANGE.test(trimmed)) return undefined;
  if (ifRange !== undefined && (etag === null || ifRange.trim() !== etag)) return undefined;
  return trimmed;
}

export type RangePart = { start: number; end: number } | "unsatisfiable";

/** The inclusive byte span a single range names in a body of `size` bytes. */
export function rangePart(range: string, size: number): RangePart {
  const match = SINGLE_RANGE.exec(range);
  const [, first = "", last = ""] = match ?? [];
  if (!match || (first === "" && last === "")) return "unsatisfiable";
  if (first === "") {
    const suffix = Number(last);
    return suffix === 0 || size === 0
      ? "unsatisfiable"
      : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return start < size && start <= end ? { start, end } : "unsatisfiable";
}
