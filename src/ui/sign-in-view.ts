/**
 * The sign-in screens: paste a token (or open a `#token=` sign-in link instead); signed in
 * by Access or a cookie as someone who is not an agent; a cookie sign-in that ended.
 */
import { h } from "./dom.ts";

export function signInView(
  title: string,
  reason: string | undefined,
  onToken: (token: string) => void,
): HTMLElement {
  const input = h("textarea", {
    id: "token-input",
    name: "token",
    rows: 4,
    required: true,
    autocomplete: "off",
    spellcheck: "false",
  });
  const form = h(
    "form",
    {
      class: "signin__form",
      onsubmit: (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (token) onToken(token);
      },
    },
    h("label", { for: "token-input" }, "Access token"),
    input,
    h("button", { type: "submit" }, "Sign in"),
  );
  return h(
    "main",
    { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, title),
    reason ? h("p", { class: "signin__reason", role: "alert" }, reason) : null,
    h("p", {}, "Open the sign-in link you were given, or paste its token here."),
    form,
  );
}

/** Signed in (by Access or a cookie) as someone this inbox does not know: whom to ask. */
export function notAnAgentView(
  message: string,
  signOutUrl: string | undefined,
  onRetry: () => void,
): HTMLElement {
  return h(
    "main",
    { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Not an agent of this inbox"),
    h("p", { class: "signin__reason", role: "alert" }, sentence(message)),
    h(
      "p",
      { class: "signin__actions" },
      h("button", { type: "button", onclick: onRetry }, "Try again"),
      signOutUrl ? h("a", { href: signOutUrl }, "Sign in as someone else") : null,
    ),
  );
}

/** A sign-in the page does not hold (Access, a cookie) ended: loading the page again renews it. */
export function sessionEndedView(title: string, reason: string, onReload: () => void): HTMLElement {
  return h(
    "main",
    { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, title),
    h("p", { class: "signin__reason", role: "alert" }, reason),
    h("button", { type: "button", onclick: onReload }, "Sign in again"),
  );
}

function sentence(text: string): string {
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
