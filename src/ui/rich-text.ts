/**
 * A message's text as elements (client/message-text.ts): links that open in a new tab
 * without handing it our page, WhatsApp's bold, italic, strike and monospace. Every piece
 * of text is set as text; nothing is parsed as HTML.
 */
import { parseMessageText, type TextPart, type TextStyle } from "../client/message-text.ts";
import { h } from "./dom.ts";

const TAGS: Record<TextStyle, "strong" | "em" | "s" | "code"> = {
  bold: "strong",
  italic: "em",
  strike: "s",
  mono: "code",
};

function render(part: TextPart): Node {
  switch (part.kind) {
    case "text":
      return document.createTextNode(part.text);
    case "link":
      return h(
        "a",
        { href: part.href, target: "_blank", rel: "noopener noreferrer", class: "message__link" },
        part.text,
      );
    case "style":
      return h(TAGS[part.style], {}, ...part.parts.map(render));
  }
}

export function richText(text: string): Node[] {
  return parseMessageText(text).map(render);
}
