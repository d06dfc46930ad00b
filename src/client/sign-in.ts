/**
 * Signing in without a link: behind Cloudflare Access, or with a token in a cookie the
 * business's own app set, the browser already carries a credential. Asking `/api/me`
 * with it tells the page whether it is signed in, and as whom.
 */
import { type ApiError, apiErrorFrom, networkError } from "./api-error.ts";
import type { Me, NotAnAgentBody } from "./types.ts";

export type AmbientSignIn =
  | { status: "signed-in"; me: Me }
  /** Nothing signs this browser in: the page asks for a link or a token. */
  | { status: "signed-out" }
  /** A real person whom the inbox does not know; `message` says whom to ask. */
  | ({ status: "not-an-agent" } & Pick<NotAnAgentBody, "message" | "signOutUrl">)
  | { status: "failed"; error: ApiError };

export async function probeSignIn(
  fetchFn: (input: string, init?: RequestInit) => Promise<Response> = (input, init) =>
    globalThis.fetch(input, init),
  now: () => number = Date.now,
): Promise<AmbientSignIn> {
  let res: Response;
  try {
    res = await fetchFn("/api/me", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  } catch (err) {
    return { status: "failed", error: networkError(err) };
  }
  if (res.ok) return { status: "signed-in", me: (await res.json()) as Me };
  if (res.status === 401) return { status: "signed-out" };
  if (res.status === 403) {
    const body = (await res
      .clone()
      .json()
      .catch(() => undefined)) as Record<string, unknown> | undefined;
    if (body?.error === "not-an-agent") {
      const message = typeof body.message === "string" ? body.message : "you are not an agent here";
      return typeof body.signOutUrl === "string"
        ? { status: "not-an-agent", message, signOutUrl: body.signOutUrl }
        : { status: "not-an-agent", message };
    }
  }
  return { status: "failed", error: await apiErrorFrom(res, now()) };
}

/**
 * Why a sign-in link's token was refused, as far as the page can tell without the key:
 * not a token at all (a link cut short when copied), or past its `exp`.
 */
export function linkTokenProblem(token: string, now: number): "malformed" | "expired" | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return "malformed";
  let claims: unknown;
  try {
    claims = JSON.parse(atob((parts[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return "malformed";
  }
  if (typeof claims !== "object" || claims === null) return "malformed";
  const exp = (claims as Record<string, unknown>).exp;
  return typeof exp === "number" && exp * 1000 <= now ? "expired" : undefined;
}

/** What the page says about a sign-in link the gateway refused. */
export function refusedLinkText(token: string | undefined, now: number): string {
  switch (token === undefined || token === "" ? "malformed" : linkTokenProblem(token, now)) {
    case "malformed":
      return "This sign-in link is not valid: it may have been cut short when it was copied. Open the whole link, or ask for a new one.";
    case "expired":
      return "This sign-in link has expired. Ask for a new one.";
    default:
      return "This sign-in link was refused: it may have been withdrawn. Ask for a new one.";
  }
}
