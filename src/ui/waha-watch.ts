/**
 * Keeping the header true about WAHA: the status poller, every other source of news (a
 * failed call, `upstream.status` and `session.status` frames), what the page makes of them
 * (waha-health.ts), and the pairing QR for admins while the session waits for a scan.
 */
import type { ApiClient } from "../client/api-client.ts";
import { type ApiError, noGatewayAnswer } from "../client/api-error.ts";
import type { RealtimeEvent } from "../client/realtime-events.ts";
import { StatusPoller } from "../client/status-poller.ts";
import type { Me, PollingConfig, StatusSnapshot } from "../client/types.ts";
import type { Visibility } from "../client/visibility.ts";
import { type HealthView, isUpstreamFailure, WahaHealth } from "../client/waha-health.ts";
import type { HeaderView } from "./header-view.ts";
import { QrPanel } from "./qr-panel.ts";
import { SetupPanel } from "./setup-panel.ts";

export interface WahaWatchDeps {
  api: ApiClient;
  me: Me;
  /** The WhatsApp number watched (undefined: the gateway's only one); it may change. */
  number: () => string | undefined;
  config: PollingConfig;
  /** Where the pairing QR and the setup findings go. */
  header: HeaderView;
  visibility: Visibility;
  onApiFailure: (listener: (error: ApiError) => void) => void;
  /** WAHA answers again after it did not: whatever failed to load may try again. */
  onBack: () => void;
  /** A status check answered (without the socket, the lists follow its rhythm). */
  onChecked: () => void;
  /** What the page believes changed: the header shows it, the tier decides the attach button. */
  onView: (view: HealthView) => void;
}

export class WahaWatch {
  health = new WahaHealth();
  readonly #deps: WahaWatchDeps;
  readonly #poller: StatusPoller<StatusSnapshot>;
  readonly #qr: QrPanel;
  /** WAHA's setup and its one-click fix, for admins only. */
  readonly #setup: SetupPanel | null;

  constructor(deps: WahaWatchDeps) {
    this.#deps = deps;
    this.#qr = new QrPanel(deps.api, deps.number);
    this.#setup = deps.me.role === "admin" ? new SetupPanel(deps.api, deps.number) : null;
    deps.header.extra.append(this.#qr.element, ...(this.#setup ? [this.#setup.element] : []));
    this.#poller = new StatusPoller<StatusSnapshot>({
      config: deps.config,
      check: () => deps.api.wahaStatus(deps.number()),
      working: (s) => s.status === "WORKING" && s.cache !== "STALE",
      // The header's first word should be true, not "checking…": the gateway's cache makes it free.
      firstCheckDelayMs: 0,
      onStatus: (snapshot) => {
        this.#update(() => this.health.fromStatus(snapshot, Date.now()));
        deps.onChecked();
      },
      onError: (error) => this.#update(() => this.health.fromError(error, Date.now())),
      visibility: deps.visibility,
    });
    deps.onApiFailure((error) => {
      if (!isUpstreamFailure(error) && !noGatewayAnswer(error)) return;
      const news = this.reach === "up";
      this.#update(() => this.health.fromError(error, Date.now()));
      // A first sign of trouble gets a status check at once; later ones wait their turn.
      if (news) this.#poller.checkSoon();
    });
  }

  get reach(): HealthView["reach"] {
    return this.health.view.reach;
  }

  start(): void {
    this.#poller.start();
    void this.#setup?.load();
  }

  stop(): void {
    this.#poller.stop();
    this.#qr.stop();
  }

  /**
   * Another number is watched now: what was believed of the last one says nothing of it.
   * `status`: that number's session as the gateway last read it, shown until the check.
   */
  numberChanged(status?: string): void {
    this.#update(() => {
      this.health = new WahaHealth();
      if (status === undefined) return;
      const snapshot = { status, tier: undefined, engine: undefined, silent: false };
      this.health.fromStatus({ ...snapshot, cache: "HIT", ageMs: 0 }, Date.now());
    });
    this.#setup?.numberChanged();
    this.#poller.checkSoon();
  }

  /** Something hints that WAHA changed (a queued send, a list that loaded again). */
  checkSoon(): void {
    this.#poller.checkSoon();
  }

  setRealtimeLive(live: boolean): void {
    this.#poller.setRealtimeLive(live);
    if (live) this.gatewayAnswered();
  }

  /** The gateway answered (a call, the socket): "gateway not answering" ends at once. */
  gatewayAnswered(): void {
    if (this.reach !== "gateway-down") return;
    this.#update(() => this.health.gatewayAnswered());
    // What WAHA does meanwhile is not known: ask now rather than after the failures' backoff.
    this.#poller.checkSoon();
  }

  /** A realtime frame: news about WAHA is taken in, and the status route asked for details. */
  fromEvent(event: RealtimeEvent): void {
    let news = false;
    this.#update(() => {
      news = this.health.fromEvent(event, Date.now());
    });
    if (news) this.#poller.checkSoon();
  }

  /** WAHA took one of our sends now, or did not (the gateway queued it). */
  fromSend(status: "sent" | "queued"): void {
    let news = false;
    this.#update(() => {
      news = this.health.fromSend(status, Date.now());
    });
    if (news) this.#poller.checkSoon();
  }

  #update(change: () => void): void {
    const wasUp = this.reach === "up";
    const wasSilent = this.health.view.silent;
    change();
    const view = this.health.view;
    // A session gone silent often has a webhook that is wrong: the admin sees why at once.
    if (view.silent && !wasSilent) void this.#setup?.load();
    this.#qr.set(
      this.#deps.me.role === "admin" && view.reach !== "down" && view.session === "SCAN_QR_CODE",
    );
    this.#deps.onView(view);
    if (!wasUp && view.reach === "up") this.#deps.onBack();
  }
}
