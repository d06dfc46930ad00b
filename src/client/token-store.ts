/**
 * Where the page keeps its bearer token: taken from a `#token=` sign-in link, kept in
 * sessionStorage (gone with the tab), and removed from the address bar and history.
 */
const STORAGE_KEY = "wa-edge.token";

export interface TokenStoreDeps {
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url?: string): void };
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
}

export class TokenStore {
  readonly #deps: TokenStoreDeps;

  constructor(deps: TokenStoreDeps) {
    this.#deps = deps;
  }

  /**
   * Moves a token from the URL fragment into storage and rewrites the URL without it,
   * so it is neither bookmarked, shared by copy-paste, nor left in the history.
   */
  adoptFromUrl(): string | undefined {
    const { location, history } = this.#deps;
    const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
    const token = fragment.get("token")?.trim();
    if (!fragment.has("token")) return this.get();
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(
      null,
      "",
      `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`,
    );
    if (token) this.set(token);
    return this.get();
  }

  get(): string | undefined {
    return this.#deps.storage.getItem(STORAGE_KEY) ?? undefined;
  }

  set(token: string): void {
    this.#deps.storage.setItem(STORAGE_KEY, token);
  }

  clear(): void {
    this.#deps.storage.removeItem(STORAGE_KEY);
  }
}
