/**
 * The inbox page's entry: signs in from a `#token=` link or a pasted token, then runs the
 * inbox; a refused token brings the sign-in screen back.
 */
import "./inbox.css";
import { ApiClient } from "../client/api-client.ts";
import { TokenStore } from "../client/token-store.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError } from "./format.ts";
import { InboxApp } from "./inbox-app.ts";
import { signInView } from "./sign-in-view.ts";

const root = document.getElementById("app") ?? document.body;
const tokens = new TokenStore({
  location: window.location,
  history: window.history,
  storage: window.sessionStorage,
});
let app: InboxApp | undefined;

function showSignIn(reason?: string): void {
  app?.stop();
  app = undefined;
  document.title = "Sign in · wa-edge inbox";
  replaceChildren(
    root,
    signInView(reason, (token) => {
      tokens.set(token);
      void boot();
    }),
  );
}

async function boot(): Promise<void> {
  const token = tokens.adoptFromUrl();
  if (!token) {
    showSignIn();
    return;
  }
  let refused = false;
  const api = new ApiClient({
    token: () => tokens.get(),
    onUnauthorized: () => {
      if (refused) return;
      refused = true;
      tokens.clear();
      showSignIn("Your sign-in has expired or was refused. Open a new sign-in link.");
    },
  });
  replaceChildren(root, h("p", { class: "loading", role: "status" }, "Signing in…"));
  try {
    const [me, config] = await Promise.all([api.me(), api.pollingConfig()]);
    if (refused) return;
    app = new InboxApp({
      api,
      me,
      config,
      onSignOut: () => {
        tokens.clear();
        showSignIn("Signed out.");
      },
    });
    document.title = "wa-edge inbox";
    replaceChildren(root, app.element);
    await app.start();
  } catch (error) {
    if (refused) return;
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
}

void boot();
