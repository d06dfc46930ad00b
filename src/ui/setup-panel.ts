/**
 * WAHA's setup for admins: what the gateway finds wrong in the session's config, each with its
 * fix, and one button that writes the recommended config through the gateway.
 */
import type { ApiClient } from "../client/api-client.ts";
import type { SetupReport } from "../client/types.ts";
import { setupView } from "../client/waha-setup.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError } from "./format.ts";

export class SetupPanel {
  readonly element = h("section", {
    class: "setup",
    "aria-labelledby": "setup-title",
    hidden: true,
  });
  readonly #api: ApiClient;
  readonly #number: () => string | undefined;
  readonly #note = h("p", { class: "setup__note", role: "status" });
  #busy = false;

  constructor(api: ApiClient, number: () => string | undefined = () => undefined) {
    this.#api = api;
    this.#number = number;
  }

  /** Another number is watched: its own findings replace the last one's once they come. */
  numberChanged(): void {
    this.element.hidden = true;
    void this.load();
  }

  /** Asks the gateway again (at start, and when the session turns SILENT). */
  async load(): Promise<void> {
    if (this.#busy) return;
    const number = this.#number();
    try {
      const report = await this.#api.wahaSetup(number);
      // An answer about a number the page no longer speaks of is not shown.
      if (number === this.#number()) this.#render(report, false);
    } catch {
      // Not a reason to bother an admin: the header already says when WAHA is away.
    }
  }

  #render(report: SetupReport, applied: boolean): void {
    const view = setupView(report, applied);
    this.element.hidden = !view.show;
    const button = h(
      "button",
      { type: "button", class: "setup__apply", onclick: () => void this.#apply(button) },
      "Apply recommended setup",
    );
    replaceChildren(
      this.element,
      h("h2", { id: "setup-title", class: "setup__title" }, view.heading),
      view.items.length > 0
        ? h(
            "ul",
            { class: "setup__list" },
            ...view.items.map((item) =>
              h(
                "li",
                { "data-code": item.code },
                item.text,
                " ",
                h("span", { class: "setup__fix" }, item.fix),
              ),
            ),
          )
        : null,
      ...view.notes.map((note) => h("p", { class: "setup__unchecked" }, note)),
      view.canApply ? button : null,
      this.#note,
    );
  }

  async #apply(button: HTMLButtonElement): Promise<void> {
    this.#busy = true;
    button.disabled = true;
    this.#note.textContent = "Writing the session's config to WAHA (the session restarts)…";
    try {
      this.#render(await this.#api.applyWahaSetup(this.#number()), true);
      this.#note.textContent = "";
    } catch (error) {
      button.disabled = false;
      this.#note.textContent = `WAHA did not take it: ${describeError(error)}`;
    } finally {
      this.#busy = false;
    }
  }
}
