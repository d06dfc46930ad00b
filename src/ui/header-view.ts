/** The top bar: the WhatsApp session's state, whether live updates flow, and who is signed in. */
import type { Me } from "../client/types.ts";
import { h } from "./dom.ts";
import { sessionLabel } from "./format.ts";

export class HeaderView {
  readonly element: HTMLElement;
  readonly #session = h(
    "span",
    { class: "badge", "data-status": "unknown" },
    sessionLabel(undefined),
  );
  readonly #detail = h("span", { class: "session__detail" });
  readonly #live = h("span", { class: "live", "data-live": "false" }, "live updates connecting…");

  constructor(me: Me, onSignOut: () => void) {
    const who = `${me.name ?? me.sub} (${me.role})`;
    this.element = h(
      "header",
      { class: "topbar" },
      h("h1", { class: "topbar__title" }, "wa-edge inbox"),
      h(
        "p",
        { class: "session", role: "status" },
        "WhatsApp: ",
        this.#session,
        this.#detail,
        " ",
        this.#live,
      ),
      h(
        "p",
        { class: "user" },
        h("span", { class: "user__name" }, `Signed in as ${who}`),
        " ",
        h("button", { type: "button", class: "user__signout", onclick: onSignOut }, "Sign out"),
      ),
    );
  }

  setStatus(status: string | undefined): void {
    this.#session.textContent = sessionLabel(status);
    this.#session.dataset.status = status ?? "unknown";
    this.#session.title = status ?? "";
    this.#detail.textContent = "";
  }

  /** The last check failed; what is shown stays, with a note on when it is checked again. */
  setStatusError(message: string, retryInMs: number): void {
    this.#detail.textContent = ` (status unavailable: ${message}; next check in ${Math.ceil(retryInMs / 1000)} s)`;
  }

  setLive(live: boolean, reconnectInMs?: number): void {
    this.#live.dataset.live = String(live);
    if (live) this.#live.textContent = "live updates on";
    else if (reconnectInMs !== undefined)
      this.#live.textContent = `live updates off, reconnecting in ${Math.ceil(reconnectInMs / 1000)} s`;
    else this.#live.textContent = "live updates off";
  }
}
