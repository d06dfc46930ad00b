/**
 * The pairing QR for admins while the WhatsApp session waits for a scan: fetched from
 * `GET /api/waha/qr` (WAHA renews it every few seconds, so it is fetched again while shown).
 */
import type { ApiClient } from "../client/api-client.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError } from "./format.ts";

const REFRESH_MS = 15_000;

export class QrPanel {
  readonly element = h("section", { class: "qr", "aria-labelledby": "qr-title", hidden: true });
  readonly #api: ApiClient;
  readonly #number: () => string | undefined;
  readonly #image = h("img", {
    class: "qr__img",
    alt: "QR code to pair WhatsApp",
    width: 200,
    height: 200,
  });
  readonly #note = h("p", { class: "qr__note", role: "status" });
  #url: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #showing = false;

  constructor(api: ApiClient, number: () => string | undefined = () => undefined) {
    this.#api = api;
    this.#number = number;
    replaceChildren(
      this.element,
      h("h2", { id: "qr-title", class: "qr__title" }, "Pair WhatsApp"),
      h(
        "p",
        { class: "qr__text" },
        "The WhatsApp session waits for a scan: on the business phone open WhatsApp → Linked devices → Link a device, and scan this code.",
      ),
      this.#image,
      this.#note,
    );
    this.#image.hidden = true;
  }

  /** Shows the QR while `pairing`, hides it otherwise. */
  set(pairing: boolean): void {
    if (pairing === this.#showing) return;
    this.#showing = pairing;
    this.element.hidden = !pairing;
    clearTimeout(this.#timer);
    if (pairing) void this.#load();
    else this.#drop();
  }

  stop(): void {
    this.set(false);
  }

  async #load(): Promise<void> {
    try {
      const blob = await this.#api.qr(this.#number());
      if (!this.#showing) return;
      this.#drop();
      this.#url = URL.createObjectURL(blob);
      this.#image.src = this.#url;
      this.#image.hidden = false;
      this.#note.textContent = "";
    } catch (error) {
      if (!this.#showing) return;
      this.#note.textContent = `The QR code is not available yet (${describeError(error)}).`;
    }
    this.#timer = setTimeout(() => void this.#load(), REFRESH_MS);
  }

  #drop(): void {
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }
}
