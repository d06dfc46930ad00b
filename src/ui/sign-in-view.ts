/** The sign-in screen: paste a token (or open a `#token=` sign-in link instead). */
import { h } from "./dom.ts";

export function signInView(
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
    h("h1", { id: "signin-title" }, "wa-edge inbox"),
    reason ? h("p", { class: "signin__reason", role: "alert" }, reason) : null,
    h("p", {}, "Open the sign-in link you were given, or paste its token here."),
    form,
  );
}
