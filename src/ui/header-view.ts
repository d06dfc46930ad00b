/**
 * The top bar: what is true about WhatsApp right now (connected, not answering and since
 * when, waiting for a QR scan, connected but its webhooks silent) for the number in front
 * of the reader, a pill per number where there are several, whether live updates flow,
 * desktop notifications, the monitoring page for staff, and who is signed in.
 */
import type { InboxState } from "../client/inbox-state.ts";
import type { Me } from "../client/types.ts";
import type { HealthView } from "../client/waha-health.ts";
import { type Countdown, countdown } from "./countdown.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatTime, sessionLabel } from "./format.ts";

export interface HeaderOptions {
  me: Me;
  onSignOut: () => void;
  /** Shown while notifications may still be asked for; resolves when the browser answered. */
  onEnableNotifications?: () => Promise<void>;
  /** A link to the monitoring page (staff). */
  adminLink?: boolean;
}

export class HeaderView {
  readonly element: HTMLElement;
  readonly #badge = h(
    "span",
    { class: "badge", "data-status": "unknown" },
    sessionLabel(undefined),
  );
  readonly #detail = h("span", { class: "session__detail" });
  /** Which number the status is about, where there are several. */
  readonly #which = h("span", { class: "session__number" });
  readonly #live = h("span", { class: "live", "data-live": "false" }, "live updates connecting…");
  readonly #extra = h("div", { class: "topbar__extra" });
  readonly #numbers = h("ul", { class: "numbers-status", "aria-label": "Numbers", hidden: true });
  #countdown: Countdown | undefined;
  #shownHealth: InboxState["health"];
  #shownLive: InboxState["live"];
  #shownNumbers: InboxState["numbers"] | undefined;

  constructor(options: HeaderOptions) {
    const { me } = options;
    const who = `${me.name ?? me.sub} (${me.role})`;
    const notify = options.onEnableNotifications;
    const notifyButton = notify
      ? h("button", { type: "button", class: "topbar__notify" }, "Turn on notifications")
      : null;
    if (notifyButton && notify) {
      notifyButton.addEventListener("click", () => {
        notifyButton.disabled = true;
        void notify().then(() => notifyButton.remove());
      });
    }
    this.element = h(
      "header",
      { class: "topbar" },
      h("h1", { class: "topbar__title" }, "wa-edge inbox"),
      h(
        "p",
        { class: "session", role: "status", "aria-live": "polite" },
        "WhatsApp",
        this.#which,
        ": ",
        this.#badge,
        this.#detail,
      ),
      this.#numbers,
      h("p", { class: "topbar__live" }, this.#live),
      h(
        "p",
        { class: "user" },
        notifyButton,
        options.adminLink ? h("a", { href: "/admin", class: "topbar__admin" }, "Monitoring") : null,
        h("span", { class: "user__name" }, `Signed in as ${who}`),
        h(
          "button",
          { type: "button", class: "user__signout", onclick: options.onSignOut },
          "Sign out",
        ),
      ),
      this.#extra,
    );
  }

  /** Names the number the status is about (undefined: the only one). */
  setNumber(name: string | undefined): void {
    this.#which.textContent = name ? ` (${name})` : "";
  }

  /** Room under the bar (the pairing QR). */
  get extra(): HTMLElement {
    return this.#extra;
  }

  /** Draws what changed since the last time: what WAHA is doing, whether live updates flow. */
  render(state: InboxState): void {
    if (state.numbers !== this.#shownNumbers) {
      this.#shownNumbers = state.numbers;
      this.#numbers.hidden = state.numbers.length < 2;
      replaceChildren(
        this.#numbers,
        ...state.numbers.map((n) =>
          h(
            "li",
            { class: "number-pill", "data-number": n.id, "data-status": n.status },
            `${n.name}: ${sessionLabel(n.status)}`,
          ),
        ),
      );
    }
    if (state.health && state.health !== this.#shownHealth) this.setHealth(state.health);
    this.#shownHealth = state.health;
    if (state.live && state.live !== this.#shownLive)
      this.setLive(state.live.on, state.live.reconnectInMs);
    this.#shownLive = state.live;
  }

  setHealth(view: HealthView, now = Date.now()): void {
    this.#countdown?.cancel();
    this.#countdown = undefined;
    if (view.reach === "gateway-down") {
      this.#show("DOWN", "gateway not answering", " (check the network; the page keeps trying)");
      return;
    }
    if (view.reach === "down") {
      const since = view.downSince === undefined ? "" : ` since ${formatTime(view.downSince)}`;
      const when = h("span", {});
      this.#show("DOWN", "not answering", null);
      replaceChildren(
        this.#detail,
        ` (no answer from WAHA${since}; what you send waits and goes out when it is back`,
        when,
        ")",
      );
      if (view.retryAt !== undefined && view.retryAt > now) {
        this.#countdown = countdown(
          view.retryAt,
          (s) => {
            when.textContent = `; next try in ${s} s`;
          },
          () => {
            when.textContent = "; trying again";
          },
        );
      }
      return;
    }
    if (view.silent && view.session === "WORKING") {
      this.#show(
        "SILENT",
        "connected, but silent",
        " (WAHA's webhooks have stopped: new messages and receipts may not show until they are back)",
      );
      return;
    }
    this.#show(view.session ?? "unknown", sessionLabel(view.session), "");
  }

  setLive(live: boolean, reconnectInMs?: number): void {
    this.#live.dataset.live = String(live);
    if (live) this.#live.textContent = "live updates on";
    else if (reconnectInMs !== undefined)
      this.#live.textContent = `live updates off, reconnecting in ${Math.ceil(reconnectInMs / 1000)} s`;
    else this.#live.textContent = "live updates off";
  }

  #show(status: string, label: string, detail: string | null): void {
    this.#badge.textContent = label;
    this.#badge.dataset.status = status;
    if (detail !== null) this.#detail.textContent = detail;
  }
}
