/**
 * The one way a request reaches WAHA: on WAHA_URL's origin only, with `X-Api-Key`, and
 * never following a redirect, so the key goes nowhere else and nothing a redirect points
 * at is ever served or cached as WAHA's answer.
 */

export interface WahaTarget {
  /** WAHA_URL, without a trailing slash. */
  url: string;
  apiKey: string;
}

/** WAHA answered 3xx. `locationOrigin` is all that is logged of where it pointed. */
export class WahaRedirectError extends Error {
  override readonly name = "WahaRedirectError";
  constructor(
    readonly status: number,
    readonly locationOrigin: string | null,
  ) {
    super(
      `WAHA answered ${status} redirecting to ${locationOrigin ?? "nowhere"}; redirects are never followed`,
    );
  }
}

/** A URL outside WAHA_URL's origin was about to be fetched. */
export class WahaOriginError extends Error {
  override readonly name = "WahaOriginError";
}

function originOf(location: string | null, base: string): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).origin;
  } catch {
    return "(unparsable)";
  }
}

/**
 * Fetches `pathOrUrl` (a path on WAHA_URL, or a full URL already on its origin) with the
 * API key. A 3xx answer throws WahaRedirectError after its body is dropped.
 */
export async function wahaFetch(
  target: WahaTarget,
  pathOrUrl: string,
  init: RequestInit = {},
): Promise<Response> {
  const url = pathOrUrl.startsWith("/") ? `${target.url}${pathOrUrl}` : pathOrUrl;
  if (new URL(url).origin !== new URL(target.url).origin) {
    throw new WahaOriginError(`refusing to fetch outside WAHA_URL's origin`);
  }
  const headers = new Headers(init.headers);
  headers.set("X-Api-Key", target.apiKey);
  const res = await fetch(url, { ...init, headers, redirect: "manual" });
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new WahaRedirectError(res.status, originOf(res.headers.get("Location"), url));
  }
  return res;
}
