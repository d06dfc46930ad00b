/** One private note in the conversation: marked as a note, with its author and time. */
import type { ChatNote } from "../client/types.ts";
import { h } from "./dom.ts";
import { formatTime } from "./format.ts";

export function noteRow(note: ChatNote): HTMLLIElement {
  const at = Date.parse(note.createdAt);
  return h(
    "li",
    { class: "note", "data-note-id": String(note.id) },
    h(
      "p",
      { class: "note__head" },
      h("span", { class: "note__tag" }, "Private note"),
      ` · ${note.authorName ?? note.author} · `,
      h("time", { datetime: note.createdAt }, formatTime(at)),
    ),
    h("p", { class: "note__text" }, note.text),
  );
}
