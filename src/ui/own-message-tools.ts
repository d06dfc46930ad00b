/**
 * Edit and delete on our own messages, as WhatsApp offers them: edit for a text message in
 * its first 15 minutes (the gateway refuses later ones and says why), delete for everyone.
 */
import type { Message } from "../client/types.ts";
import { h } from "./dom.ts";
import type { RowActions } from "./message-row.ts";

/** How long WhatsApp lets the sender edit a message. */
const EDIT_WINDOW_MS = 15 * 60_000;

export function ownTools(m: Message, actions: RowActions): HTMLElement[] {
  if (!m.fromMe || m.revokedAt || m.id.startsWith("pending:")) return [];
  const tools: HTMLElement[] = [];
  const { edit, remove } = actions;
  const editable = !m.hasMedia && !m.kind && Date.now() - m.timestamp * 1000 < EDIT_WINDOW_MS;
  if (edit && editable) {
    tools.push(
      h(
        "button",
        {
          type: "button",
          class: "message__tool",
          "aria-label": "Edit this message",
          onclick: () => {
            const text = window.prompt("Edit message", m.body ?? "");
            if (text !== null && text.trim() !== "" && text !== m.body) void edit(m, text);
          },
        },
        "✎",
      ),
    );
  }
  if (remove) {
    tools.push(
      h(
        "button",
        {
          type: "button",
          class: "message__tool",
          "aria-label": "Delete this message for everyone",
          onclick: () => {
            if (window.confirm("Delete this message for everyone?")) void remove(m);
          },
        },
        "🗑",
      ),
    );
  }
  return tools;
}
