/**
 * Signing a page in, for the inbox and /admin alike: from a `#token=` link or a pasted
 * token, or by itself where the browser already carries a sign-in (Cloudflare Access, a
 * cookie of the business's app); a refused sign-in brings the right screen back.
 */

import { ApiClient } from "../client/api-client.ts";
import type { ApiError } from "../client/api-error.ts";
import { probeSignIn, refusedLinkText } from "../client/sign-in.ts";
import { TokenStore } from "../client/token-store.ts";
import type { Me, PollingConfig } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError } from "./format.ts";
import { notAnAgentView, sessionEndedView, signInView } from "./sign-in-view.ts";

export interface PageApp {
  readonly element: HTMLElement;
  start(): Promise<void>;
  stop(): void;
}

export interface PageDeps {
  api: ApiClient;
  me: Me;
  config: PollingConfig;
  onSignOut: () => void;
  /** Hears every failed API call of the page. */
  onApiFailure: (listener: (error: ApiError) => void) => void;
  /** Hears every answer the gateway itself gave the page (its refusals too). */
  onApiAnswer: (listener: () => void) => void;
}

export interface PageSpec {
  /** The page's title, e.g. "wa-edge inbox". */
  title: string;
  create(deps: PageDeps): PageApp;
}

export function bootPage(spec: PageSpec): void {
  const root = document.getElementById("app") ?? document.body;
  const tokens = new TokenStore({
    location: window.location,
    history: window.history,
    storage: window.sessionStorage,
  });
  let app: PageApp | undefined;

  const stopApp = () => {
    app?.stop();
    app = undefined;
  };

  const showSignIn = (reason?: string) => {
    stopApp();
    document.title = `Sign in · ${spec.title}`;
    replaceChildren(
      root,
      signInView(spec.title, reason, (token) => {
        tokens.set(token);
        void boot();
      }),
    );
  };

  const showFailure = (error: unknown) => {
    replaceChildren(
      root,
      h(
        "main",
        { class: "signin" },
        h("h1", {}, spec.title),
        h("p", { role: "alert" }, `Could not open the page: ${describeError(error)}`),
        h("button", { type: "button", onclick: () => void boot() }, "Try again"),
      ),
    );
  };

  const signOut = (me: Me) => {
    tokens.clear();
    if (me.signOutUrl) {
      // Access (or the business's app) holds the sign-in: only its logout ends it.
      stopApp();
      window.location.assign(me.signOutUrl);
      return;
    }
    showSignIn(
      me.via === "cookie"
        ? "Signed out of this page. The app that signed you in still does: sign out there too."
        : "Signed out.",
    );
  };

  /**
   * Runs the page, signed in by its token (`withToken`) or by the browser's own sign-in;
   * `fromLink`: the token just came from a sign-in link, so a refusal is the link's fault.
   */
  const open = async (withToken: boolean, known?: Me, fromLink = false) => {
    let refused = false;
    const listeners = new Set<(error: ApiError) => void>();
    const answerListeners = new Set<() => void>();
    const api = new ApiClient({
      token: () => (withToken ? tokens.get() : undefined),
      onFailure: (error) => {
        for (const listener of listeners) listener(error);
      },
      onAnswer: () => {
        for (const listener of answerListeners) listener();
      },
      onUnauthorized: () => {
        if (refused) return;
        refused = true;
        if (withToken) {
          const token = tokens.get();
          tokens.clear();
          showSignIn(
            fromLink && !app
              ? refusedLinkText(token, Date.now())
              : "Your sign-in has expired or was refused. Open a new sign-in link.",
          );
        } else {
          stopApp();
          replaceChildren(
            root,
            sessionEndedView(spec.title, "Your sign-in has expired.", () =>
              window.location.reload(),
            ),
          );
        }
      },
    });
    try {
      const [me, config] = await Promise.all([
        known ? Promise.resolve(known) : api.me(),
        api.pollingConfig(),
      ]);
      if (refused) return;
      app = spec.create({
        api,
        me,
        config,
        onSignOut: () => signOut(me),
        onApiFailure: (listener) => listeners.add(listener),
        onApiAnswer: (listener) => answerListeners.add(listener),
      });
      document.title = spec.title;
      replaceChildren(root, app.element);
      await app.start();
    } catch (error) {
      if (refused) return;
      showFailure(error);
    }
  };

  const boot = async () => {
    replaceChildren(root, h("p", { class: "loading", role: "status" }, "Signing in…"));
    // null: no sign-in link; "": a link without its token.
    const linked = new URLSearchParams(window.location.hash.slice(1)).get("token");
    if (tokens.adoptFromUrl()) {
      await open(true, undefined, Boolean(linked?.trim()));
      return;
    }
    if (linked !== null) {
      showSignIn(refusedLinkText(undefined, Date.now()));
      return;
    }
    // No token of its own: the browser may be signed in already (Access, a cookie).
    const probe = await probeSignIn();
    switch (probe.status) {
      case "signed-in":
        await open(false, probe.me);
        return;
      case "signed-out":
        showSignIn();
        return;
      case "not-an-agent":
        stopApp();
        document.title = `Not an agent · ${spec.title}`;
        replaceChildren(
          root,
          notAnAgentView(probe.message, probe.signOutUrl, () => void boot()),
        );
        return;
      case "failed":
        showFailure(probe.error);
        return;
    }
  };

  void boot();
}
