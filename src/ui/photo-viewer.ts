/**
 * The photo viewer: a modal dialog with the photo at full size, its caption, a download
 * link and the conversation's other loaded photos one arrow key away. Esc closes it and
 * focus goes back to the photo it was opened from.
 */
import { h, replaceChildren } from "./dom.ts";

export class PhotoViewer {
  readonly element: HTMLDialogElement;
  readonly #image = h("img", { class: "viewer__img", alt: "" });
  readonly #caption = h("p", { class: "viewer__caption", id: "viewer-caption" });
  readonly #download = h("a", { class: "viewer__download button", download: "" }, "Download");
  readonly #position = h("span", { class: "viewer__position" });
  readonly #prev = h(
    "button",
    { type: "button", class: "viewer__prev", "aria-label": "Previous photo" },
    "‹",
  );
  readonly #next = h(
    "button",
    { type: "button", class: "viewer__next", "aria-label": "Next photo" },
    "›",
  );
  #current: HTMLImageElement | undefined;

  constructor() {
    const close = h(
      "button",
      { type: "button", class: "viewer__close", onclick: () => this.element.close() },
      "Close",
    );
    this.#prev.addEventListener("click", () => this.#step(-1));
    this.#next.addEventListener("click", () => this.#step(1));
    this.element = h(
      "dialog",
      { class: "viewer", "aria-label": "Photo", "aria-describedby": "viewer-caption" },
      h("div", { class: "viewer__bar" }, this.#position, this.#download, close),
      h("div", { class: "viewer__stage" }, this.#prev, this.#image, this.#next),
      this.#caption,
    );
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "ArrowLeft") this.#step(-1);
      if (event.key === "ArrowRight") this.#step(1);
    });
    this.element.addEventListener("close", () => {
      const from = this.#current?.closest("button");
      this.#current = undefined;
      if (from instanceof HTMLButtonElement && from.isConnected) from.focus();
    });
    // A click on the backdrop (outside the dialog's box) closes it, as in most viewers.
    this.element.addEventListener("click", (event) => {
      if (event.target === this.element) this.element.close();
    });
  }

  /** Opens the viewer on a photo shown in the conversation. */
  open(img: HTMLImageElement): void {
    this.#show(img);
    if (!this.element.open) this.element.showModal();
  }

  #photos(): HTMLImageElement[] {
    const list = this.#current?.closest(".messages");
    return list ? [...list.querySelectorAll<HTMLImageElement>("img.media__img")] : [];
  }

  #show(img: HTMLImageElement): void {
    this.#current = img;
    this.#image.src = img.src;
    this.#image.alt = img.alt;
    this.#caption.textContent = img.alt;
    this.#download.href = img.src;
    this.#download.download = img.dataset.name ?? "photo.jpg";
    this.#download.setAttribute("aria-label", `Download ${this.#download.download}`);
    const photos = this.#photos();
    const index = photos.indexOf(img);
    replaceChildren(
      this.#position,
      photos.length > 1 ? `Photo ${index + 1} of ${photos.length}` : "",
    );
    this.#prev.disabled = index <= 0;
    this.#next.disabled = index < 0 || index >= photos.length - 1;
  }

  #step(by: number): void {
    const photos = this.#photos();
    const current = this.#current;
    if (!current) return;
    const next = photos[photos.indexOf(current) + by];
    if (next) this.#show(next);
  }
}
