/**
 * How WAHA says no: its NestJS error bodies, read for the message a browser is told and for
 * the session status a "not WORKING" refusal names.
 */

/**
 * WAHA's refusal of a call that needs the session in another status: 422
 * `{error, session, status, expected: [...]}`, after waiting up to 10 s (5 s when the
 * session is not running) for it. The session's status, or undefined for any other 422.
 * WAHA: src/core/abc/manager.abc.ts (waitUntilStatus), src/nestjs/pipes/SessionPipe.ts.
 */
export function notWorking(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== "object" || body === null) return undefined;
    const { status, expected } = body as { status?: unknown; expected?: unknown };
    return typeof status === "string" && Array.isArray(expected) ? status : undefined;
  } catch {
    return undefined;
  }
}

/** WAHA's (NestJS) error bodies: `{message: string | string[]}` or `{error: {message}}`. */
export function wahaMessage(text: string, fallback: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null) {
      const { message, error } = body as { message?: unknown; error?: unknown };
      if (typeof message === "string") return message.slice(0, 300);
      if (Array.isArray(message)) return message.map(String).join("; ").slice(0, 300);
      if (typeof error === "string") return error.slice(0, 300);
      if (typeof error === "object" && error !== null && "message" in error) {
        return String(error.message).slice(0, 300);
      }
    }
  } catch {
    // not JSON; fall through
  }
  return fallback || "error";
}
