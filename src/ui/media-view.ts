/**
 * A message's picture, voice note, video or document, fetched through the media queue
 * only once it scrolls into view (documents: once asked for), with a clear note and a
 * retry button when the gateway says the file is not there (yet).
 */
import type { MediaKey, MediaQueue, MediaResult } from "../client/media-queue.ts";
import type { Message, MessageMedia } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatTime } from "./format.ts";

type Kind = "image" | "audio" | "video" | "document";

function kindOf(media: MessageMedia): Kind {
  const type = media.mimetype?.split(";")[0]?.trim() ?? "";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  return "document";
}

const NOUNS: Record<Kind, string> = {
  image: "photo",
  audio: "voice note",
  video: "video",
  document: "document",
};

/** The queue key from the gateway's `/api/wa/media?jid&id` URL, else from the message. */
export function mediaKeyOf(jid: string, message: Message, url: string): MediaKey {
  const params = new URL(url, "http://gateway.invalid").searchParams;
  return { jid: params.get("jid") ?? jid, id: params.get("id") ?? message.id };
}

export class MediaView {
  readonly #queue: MediaQueue;
  readonly #observer: IntersectionObserver;
  readonly #pending = new WeakMap<Element, () => void>();

  constructor(queue: MediaQueue) {
    this.#queue = queue;
    this.#observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          this.#observer.unobserve(entry.target);
          this.#pending.get(entry.target)?.();
        }
      },
      { rootMargin: "200px" },
    );
  }

  /** Stops watching every placeholder, e.g. when the conversation changes. */
  reset(): void {
    this.#observer.disconnect();
  }

  render(jid: string, message: Message): HTMLElement | undefined {
    const media = message.media;
    if (!message.hasMedia && !media) return undefined;
    if (!media?.url) {
      return h("p", { class: "media media--missing" }, "Media not available from WhatsApp.");
    }
    const kind = kindOf(media);
    const key = mediaKeyOf(jid, message, media.url);
    const box = h("div", { class: `media media--${kind}` });
    const load = () => {
      box.setAttribute("aria-busy", "true");
      replaceChildren(box, h("span", { class: "media__note" }, `Loading ${NOUNS[kind]}…`));
      void this.#queue
        .get(key)
        .then((result) => this.#show(box, kind, media, message, result, load));
    };

    if (kind === "document") {
      const name = media.filename ?? "document";
      replaceChildren(
        box,
        h("button", { type: "button", class: "media__fetch", onclick: load }, `Open ${name}`),
      );
      return box;
    }
    replaceChildren(box, h("span", { class: "media__note" }, `${capitalise(NOUNS[kind])}`));
    this.#pending.set(box, load);
    this.#observer.observe(box);
    return box;
  }

  #show(
    box: HTMLElement,
    kind: Kind,
    media: MessageMedia,
    message: Message,
    result: MediaResult,
    load: () => void,
  ): void {
    box.removeAttribute("aria-busy");
    if (result.status === "cancelled") {
      replaceChildren(
        box,
        h(
          "button",
          { type: "button", class: "media__fetch", onclick: load },
          `Load ${NOUNS[kind]}`,
        ),
      );
      return;
    }
    if (result.status === "failed") {
      this.#showFailure(box, kind, result, load);
      return;
    }
    const caption = message.body ? message.body : undefined;
    switch (kind) {
      case "image":
        replaceChildren(
          box,
          h("img", {
            src: result.url,
            alt: caption ?? `Photo, ${formatTime(message.timestamp * 1000, true)}`,
          }),
        );
        break;
      case "audio":
        replaceChildren(
          box,
          h("audio", {
            src: result.url,
            controls: true,
            preload: "metadata",
            "aria-label": "Voice note",
          }),
        );
        break;
      case "video":
        replaceChildren(
          box,
          h("video", {
            src: result.url,
            controls: true,
            preload: "metadata",
            "aria-label": caption ?? "Video",
          }),
        );
        break;
      case "document": {
        const name = media.filename ?? "document";
        const link = h(
          "a",
          { href: result.url, download: name, class: "media__document" },
          `Save ${name}`,
        );
        replaceChildren(box, link);
        link.click();
        break;
      }
    }
  }

  #showFailure(
    box: HTMLElement,
    kind: Kind,
    result: Extract<MediaResult, { status: "failed" }>,
    load: () => void,
  ): void {
    const wait = Math.max(0, result.retryAt - Date.now());
    const why =
      result.code === "media-not-found"
        ? `This ${NOUNS[kind]} is not available right now.`
        : `Could not load this ${NOUNS[kind]} (${result.code}).`;
    const retry = h(
      "button",
      { type: "button", class: "media__fetch", onclick: load, disabled: wait > 0 },
      "Try again",
    );
    const note = h(
      "span",
      { class: "media__note", role: "status" },
      why,
      wait > 0 ? ` Try again in ${Math.ceil(wait / 1000)} s.` : "",
    );
    replaceChildren(box, note, retry);
    // The queue would answer from the cooldown anyway; the button stays off so nobody clicks in vain.
    if (wait > 0) setTimeout(() => retry.removeAttribute("disabled"), wait);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
