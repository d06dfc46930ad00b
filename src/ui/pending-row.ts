/** One of our sends on its way: its text or file, and whether it is sending, queued or failed. */
import type { PendingSend } from "../client/send-tracker.ts";
import type { Chat } from "../client/types.ts";
import { h } from "./dom.ts";
import { formatTime } from "./format.ts";

const STATE_LABELS = {
  sending: "sending…",
  queued: "queued",
  failed: "failed",
} as const;

export function pendingRow(
  send: PendingSend,
  chat: Chat | undefined,
  onRetry: () => void,
): { item: HTMLLIElement; revoke: () => void } {
  let preview: string | undefined;
  const file = send.file;
  let fileView: HTMLElement | null = null;
  if (file) {
    if (file.blob && file.type.startsWith("image/")) {
      preview = URL.createObjectURL(file.blob);
      fileView = h(
        "div",
        { class: "media media--image" },
        h("img", { src: preview, alt: `Photo being sent: ${file.name}`, class: "media__preview" }),
      );
    } else {
      fileView = h("p", { class: "media media--file" }, `📎 ${file.name}`);
    }
  }
  const why =
    send.state === "queued"
      ? send.inOutbox
        ? "WhatsApp is not answering; it goes out as soon as it is back."
        : "The gateway is not answering; it is sent as soon as it answers."
      : send.state === "failed"
        ? `Not sent: ${send.error ?? "refused"}.`
        : "";
  const item = h(
    "li",
    {
      class: `message message--out message--pending message--${send.state}`,
      "data-client-id": send.clientId,
    },
    send.replyTo
      ? h(
          "div",
          { class: "message__head" },
          h(
            "blockquote",
            { class: "quote" },
            h(
              "span",
              { class: "quote__who" },
              send.replyTo.fromMe ? "You" : (chat?.name ?? "Them"),
            ),
            h("span", { class: "quote__text" }, send.replyTo.body ?? "a message"),
          ),
        )
      : null,
    fileView,
    send.body ? h("p", { class: "message__body" }, send.body) : null,
    h(
      "span",
      { class: "message__meta" },
      h(
        "time",
        { datetime: new Date(send.createdAt).toISOString() },
        formatTime(send.createdAt, true),
      ),
      h(
        "span",
        { class: "message__ack", "data-ack": send.state.toUpperCase() },
        " · ",
        h("span", { class: "message__state" }, STATE_LABELS[send.state]),
      ),
    ),
    why
      ? h("p", { class: "message__why", role: send.state === "failed" ? "alert" : null }, why)
      : null,
    send.state === "failed"
      ? h("button", { type: "button", class: "message__retry", onclick: onRetry }, "Retry")
      : null,
  );
  return { item, revoke: () => (preview ? URL.revokeObjectURL(preview) : undefined) };
}
