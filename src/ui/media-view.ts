/**
 * A message's picture, voice note, video or document, fetched through the media queue
 * only once it scrolls into view (documents: once asked for): a photo opens in the viewer,
 * every kind can be downloaded, a file the browser cannot play says so, and a file the
 * gateway does not have (yet) counts down to when it may be asked again.
 */
import type { MediaKey, MediaQueue, MediaResult } from "../client/media-queue.ts";
import type { Message, MessageMedia } from "../client/types.ts";
import { type Countdown, countdown } from "./countdown.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatTime } from "./format.ts";
import type { PhotoViewer } from "./photo-viewer.ts";

export type MediaKind = "image" | "audio" | "video" | "document";

export function kindOf(media: Pick<MessageMedia, "mimetype">): MediaKind {
  const type = media.mimetype?.split(";")[0]?.trim() ?? "";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  return "document";
}

const NOUNS: Record<MediaKind, string> = {
  image: "photo",
  audio: "voice note",
  video: "video",
  document: "document",
};

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "video/mp4": "mp4",
  "application/pdf": "pdf",
};

/** The name a download gets: the sender's file name, else one made from kind and time. */
export function fileNameOf(media: MessageMedia, message: Message): string {
  if (media.filename) return media.filename;
  const type = media.mimetype?.split(";")[0]?.trim() ?? "";
  const day = new Date(message.timestamp * 1000).toISOString().slice(0, 10);
  return `${NOUNS[kindOf(media)].replace(" ", "-")}-${day}.${EXTENSIONS[type] ?? "bin"}`;
}

/** The queue key from the gateway's `/api/wa/media?number&jid&id` URL, else from the message. */
export function mediaKeyOf(jid: string, message: Message, url: string): MediaKey {
  const params = new URL(url, "http://gateway.invalid").searchParams;
  const number = params.get("number");
  return {
    jid: params.get("jid") ?? jid,
    id: params.get("id") ?? message.id,
    ...(number ? { number } : {}),
  };
}

export class MediaView {
  readonly #queue: MediaQueue;
  readonly #viewer: PhotoViewer;
  readonly #observer: IntersectionObserver;
  readonly #pending = new WeakMap<Element, () => void>();
  readonly #countdowns = new Set<Countdown>();

  constructor(queue: MediaQueue, viewer: PhotoViewer) {
    this.#queue = queue;
    this.#viewer = viewer;
    this.#observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          this.#observer.unobserve(entry.target);
          this.#pending.get(entry.target)?.();
        }
      },
      { rootMargin: "300px" },
    );
  }

  /** Stops watching every placeholder, e.g. when the conversation changes. */
  reset(): void {
    this.#observer.disconnect();
    for (const c of this.#countdowns) c.cancel();
    this.#countdowns.clear();
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
      const name = fileNameOf(media, message);
      replaceChildren(
        box,
        h(
          "button",
          { type: "button", class: "media__fetch", onclick: load },
          h("span", { class: "media__doc-icon", "aria-hidden": "true" }, "📄"),
          ` Download ${name}`,
        ),
      );
      return box;
    }
    replaceChildren(box, h("span", { class: "media__note" }, capitalise(NOUNS[kind])));
    this.#pending.set(box, load);
    this.#observer.observe(box);
    return box;
  }

  #show(
    box: HTMLElement,
    kind: MediaKind,
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
    if (result.status === "gone") {
      // Nothing to retry: no button, no countdown.
      const note = `This ${NOUNS[kind]} is no longer available on WhatsApp.`;
      replaceChildren(box, h("span", { class: "media__note media__gone", role: "status" }, note));
      return;
    }
    const caption = message.body ? message.body : undefined;
    const name = fileNameOf(media, message);
    const download = (label: string) =>
      h("a", { href: result.url, download: name, class: "media__download" }, label);
    switch (kind) {
      case "image": {
        const alt = caption ?? `Photo, ${formatTime(message.timestamp * 1000, true)}`;
        const img = h("img", { src: result.url, alt, class: "media__img", "data-name": name });
        const open = h(
          "button",
          {
            type: "button",
            class: "media__open",
            "aria-label": `Open photo: ${alt}`,
            onclick: () => this.#viewer.open(img),
          },
          img,
        );
        replaceChildren(box, open);
        break;
      }
      case "audio":
        replaceChildren(
          box,
          h("audio", {
            src: result.url,
            controls: true,
            preload: "metadata",
            "aria-label": "Voice note",
          }),
          download("Download voice note"),
        );
        break;
      case "video": {
        const video = h("video", {
          src: result.url,
          controls: true,
          preload: "metadata",
          playsinline: true,
          "aria-label": caption ?? "Video",
        });
        const unplayable = () => {
          replaceChildren(
            box,
            h(
              "p",
              { class: "media__note media__note--warn", role: "note" },
              "This video cannot be played in the browser.",
            ),
            download(`Download ${name}`),
          );
        };
        video.addEventListener("error", unplayable, { once: true });
        // A file with no picture in it plays as a dead 0:00 player: say so instead.
        video.addEventListener("loadedmetadata", () => {
          if (video.videoWidth === 0 || !Number.isFinite(video.duration) || video.duration === 0)
            unplayable();
        });
        replaceChildren(box, video, download(`Download ${name}`));
        break;
      }
      case "document": {
        const link = download(`Save ${name}`);
        replaceChildren(box, link);
        link.click();
        break;
      }
    }
  }

  #showFailure(
    box: HTMLElement,
    kind: MediaKind,
    result: Extract<MediaResult, { status: "failed" }>,
    load: () => void,
  ): void {
    const why =
      result.code === "media-not-found"
        ? `This ${NOUNS[kind]} is not available right now.`
        : `Could not load this ${NOUNS[kind]} (${result.code}).`;
    const retry = h(
      "button",
      { type: "button", class: "media__fetch", onclick: load, disabled: true },
      "Try again",
    );
    const when = h("span", { class: "media__when" });
    const note = h("span", { class: "media__note", role: "status" }, why, " ", when);
    replaceChildren(box, note, retry);
    // The queue would answer from the cooldown anyway; the button waits so nobody clicks in vain.
    let done = false;
    const timer = countdown(
      result.retryAt,
      (seconds) => {
        when.textContent = `Try again in ${seconds} s.`;
      },
      () => {
        done = true;
        when.textContent = "";
        retry.disabled = false;
      },
    );
    if (!done) this.#countdowns.add(timer);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
