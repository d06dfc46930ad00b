/**
 * A message's text as parts to draw: WhatsApp's formatting (`*bold*`, `_italic_`,
 * `~strike~`, ```` ```mono``` ````) and http(s) links. The page builds elements from the
 * parts and sets their text as text, so nothing a sender writes is ever parsed as HTML.
 */
export type TextStyle = "bold" | "italic" | "strike" | "mono";

export type TextPart =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  | { kind: "style"; style: TextStyle; parts: TextPart[] };

const MARKS: Record<string, TextStyle> = { "*": "bold", _: "italic", "~": "strike" };

/** A link: http(s), up to whitespace; trailing punctuation stays text. */
const LINK = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]]+$/;

export function parseMessageText(text: string): TextPart[] {
  const parts: TextPart[] = [];
  // Monospace first: nothing inside it is formatted or linked.
  let at = 0;
  for (const match of text.matchAll(/```([\s\S]+?)```/g)) {
    const index = match.index ?? 0;
    if (index > at) parts.push(...styled(text.slice(at, index)));
    parts.push({ kind: "style", style: "mono", parts: [{ kind: "text", text: match[1] ?? "" }] });
    at = index + match[0].length;
  }
  if (at < text.length) parts.push(...styled(text.slice(at)));
  return merge(parts);
}

/**
 * `*x*`, `_x_`, `~x~` as WhatsApp reads them: the mark opens at the start or after a
 * space or punctuation, the text inside neither starts nor ends with a space, and the
 * closing mark is followed by the end, a space or punctuation. Links are found first,
 * so `_` inside a URL is not italics.
 */
function styled(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(LINK)) {
    const index = match.index ?? 0;
    const href = match[0].replace(TRAILING, "");
    if (index > at) parts.push(...marked(text.slice(at, index)));
    parts.push(safeLink(href));
    at = index + href.length;
  }
  if (at < text.length) parts.push(...marked(text.slice(at)));
  return parts;
}

function safeLink(href: string): TextPart {
  try {
    const url = new URL(href);
    if (url.protocol === "http:" || url.protocol === "https:")
      return { kind: "link", text: href, href: url.href };
  } catch {
    // Not a URL after all: it stays text.
  }
  return { kind: "text", text: href };
}

function marked(text: string): TextPart[] {
  const pattern = /(^|[\s\p{P}])([*_~])(?!\s)([^\n]*?[^\s])\2(?=$|[\s\p{P}])/gu;
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    const lead = match[1] ?? "";
    const mark = match[2] ?? "";
    const inner = match[3] ?? "";
    // A lead that is itself a mark belongs to an outer style (`*_x_*`): skip it here.
    const start = (match.index ?? 0) + lead.length;
    if (start > at) parts.push({ kind: "text", text: text.slice(at, start) });
    const style = MARKS[mark];
    if (style) parts.push({ kind: "style", style, parts: marked(inner) });
    at = start + mark.length * 2 + inner.length;
  }
  if (at < text.length) parts.push({ kind: "text", text: text.slice(at) });
  return parts;
}

/** Neighbouring plain texts as one. */
function merge(parts: TextPart[]): TextPart[] {
  const out: TextPart[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if (part.kind === "text" && last?.kind === "text") last.text += part.text;
    else out.push(part);
  }
  return out;
}
