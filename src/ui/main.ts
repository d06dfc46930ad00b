/**
 * The inbox page's entry: signs in from a `#token=` link or a pasted token, or by itself
 * where the browser already carries a sign-in (Cloudflare Access, a cookie of the
 * business's app), then runs the inbox; a refused sign-in brings the right screen back.
 */
import "./inbox.css";
import { ApiClient } from "../client/api-client.ts";
import { probeSignIn } from "../client/sign-in.ts";
import { TokenStore } from "../client/token-store.ts";
import type { Me } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError } from "./format.ts";
import { InboxApp } from "./inbox-app.ts";
import { notAnAgentView, sessionEndedView, signInView } from "./sign-in-view.ts";

const root = document.getElementById("app") ?? document.body;
const tokens = new TokenStore({
  location: window.location,
  history: window.history,
  storage: window.sessionStorage,
});
let app: InboxApp | undefined;

function stopApp(): void {
  app?.stop();
  app = undefined;
}

function showSignIn(reason?: string): void {
  stopApp();
  document.title = "Sign in · wa-edge inbox";
  replaceChildren(
    root,
    signInView(reason, (token) => {
      tokens.set(token);
      void boot();
    }),
  );
}

function showFailure(error: unknown): void {
  replaceChildren(
    root,
    h(
      "main",
      { class: "signin" },
      h("p", { role: "alert" }, `Could not open the inbox: ${describeError(error)}`),
      h("button", { type: "button", onclick: () => void boot() }, "Try again"),
    ),
  );
}

async function boot(): Promise<void> {
  replaceChildren(root, h("p", { class: "loading", role: "status" }, "Signing in…"));
  if (tokens.adoptFromUrl()) {
    await open(true);
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
      document.title = "Not an agent · wa-edge inbox";
      replaceChildren(
        root,
        notAnAgentView(probe.message, probe.signOutUrl, () => void boot()),
      );
      return;
    case "failed":
      showFailure(probe.error);
      return;
  }
}

/** Runs the inbox, signed in by the page's token (`withToken`) or by the browser's own sign-in. */
async function open(withToken: boolean, known?: Me): Promise<void> {
  let refused = false;
  const api = new ApiClient({
    token: () => (withToken ? tokens.get() : undefined),
    onUnauthorized: () => {
      if (refused) return;
      refused = true;
      if (withToken) {
        tokens.clear();
        showSignIn("Your sign-in has expired or was refused. Open a new sign-in link.");
      } else {
        stopApp();
        replaceChildren(
          root,
          sessionEndedView("Your sign-in has expired.", () => window.location.reload()),
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
    app = new InboxApp({ api, me, config, onSignOut: () => signOut(me) });
    document.title = "wa-edge inbox";
    replaceChildren(root, app.element);
    await app.start();
  } catch (error) {
    if (refused) return;
    showFailure(error);
  }
}

function signOut(me: Me): void {
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
}

void boot();
