// When a send's echo reaches the webhook against its answer: a setting tests pick (no Node APIs here,
// so workerd tests may import it).

/**
 * When WAHA's own `message.any` for a message sent through its API reaches the webhook,
 * against the HTTP answer: `with` (as WAHA does: the engine's event and the answer leave
 * together, in either order), `before` (delivered before the answer is sent), `after`
 * (once the answer is out, `echoDelayMs` later), `none` (never: lost, or webhooks off).
 */
export type SendEcho = "with" | "before" | "after" | "none";

export function isSendEcho(value: unknown): value is SendEcho {
  return value === "with" || value === "before" || value === "after" || value === "none";
}
