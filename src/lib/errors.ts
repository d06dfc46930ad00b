/**
 * The one error shape, `{error: "<kebab-code>", message?}`, and the handler that turns
 * anything thrown in a route into it.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "./contracts/api.ts";
import type { Failure } from "./contracts/result.ts";
import type { AppEnv } from "./types.ts";

/** Builds the JSON error response; `retryAfterMs` becomes a whole-second Retry-After. */
export function errorResponse(
  status: ContentfulStatusCode,
  error: string,
  message?: string,
  retryAfterMs?: number,
): Response {
  const headers = new Headers({ "Content-Type": "application/json; charset=UTF-8" });
  if (retryAfterMs !== undefined)
    headers.set("Retry-After", String(retryAfterSeconds(retryAfterMs)));
  const body: ErrorBody = message === undefined ? { error } : { error, message };
  return new Response(JSON.stringify(body), { status, headers });
}

export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** An HTTPException that carries the JSON error response. */
export function apiError(
  status: ContentfulStatusCode,
  error: string,
  message?: string,
  retryAfterMs?: number,
): HTTPException {
  return new HTTPException(status, {
    message: message ?? error,
    res: errorResponse(status, error, message, retryAfterMs),
  });
}

/** The error a browser gets for a call to WAHA that failed. */
export function failureError(failure: Failure): HTTPException {
  return apiError(failure.status, failure.error, failure.message, failure.retryAfterMs);
}

/** `app.onError`: known errors keep their answer; anything else is logged and hidden. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof HTTPException) {
    const res = err.getResponse();
    if (res.headers.get("Content-Type")?.startsWith("application/json")) return res;
    return errorResponse(err.status as ContentfulStatusCode, kebab(res.statusText), err.message);
  }
  const requestId = c.get("requestId");
  console.error(
    JSON.stringify({
      level: "error",
      requestId,
      method: c.req.method,
      path: c.req.path,
      error: err.name,
      message: err.message,
      stack: err.stack,
    }),
  );
  return errorResponse(500, "internal-error", `request ${requestId} failed; see the logs`);
}

function kebab(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "error"
  );
}
