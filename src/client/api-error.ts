/**
 * The gateway's JSON error `{error, message?}` as a thrown value, with the HTTP status and
 * the Retry-After delay that callers need to decide when to ask again.
 */
import { retryAfterMs } from "./retry-after.ts";
import type { ErrorBody } from "./types.ts";

export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The gateway's kebab-case code, e.g. `media-busy`; `network-error` for status 0. */
    readonly code: string,
    message: string,
    /** From `Retry-After`, when the answer carried one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Builds the error for a non-2xx answer, reading its JSON body when there is one. */
export async function apiErrorFrom(res: Response, now: number): Promise<ApiError> {
  let code = `http-${res.status}`;
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body: unknown = await res.json();
    if (isErrorBody(body)) {
      code = body.error;
      message = body.message ?? body.error;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status says enough.
  }
  return new ApiError(res.status, code, message, retryAfterMs(res.headers.get("Retry-After"), now));
}

/**
 * Whether the gateway itself never answered: no HTTP answer at all, or a 5xx that is not
 * its JSON (a proxy's or the platform's page while the Worker restarts). Unlike the
 * gateway's own refusals, such a call may have done nothing, or everything.
 */
export function noGatewayAnswer(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || (error.status >= 500 && error.code === `http-${error.status}`);
}

export function networkError(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(0, "network-error", `the gateway did not answer: ${reason}`);
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== "object" || body === null) return false;
  const { error, message } = body as Record<string, unknown>;
  return typeof error === "string" && (message === undefined || typeof message === "string");
}
