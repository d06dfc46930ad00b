// Counters the control API reports: calls per WAHA endpoint, media downloads in flight, resets, webhooks.

export const ENDPOINTS = [
  "session",
  "server-version",
  "server-status",
  "ping",
  "health",
  "chats",
  "messages",
  "message",
  "file",
  "sendText",
  "sendSeen",
  "unauthorized",
] as const;

export type Endpoint = (typeof ENDPOINTS)[number];

export function isEndpoint(value: unknown): value is Endpoint {
  return typeof value === "string" && (ENDPOINTS as readonly string[]).includes(value);
}

function zeroCalls(): Record<Endpoint, number> {
  return Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<Endpoint, number>;
}

export class Stats {
  private calls = zeroCalls();
  private mediaInFlight = 0;
  private mediaPeak = 0;
  private resets = 0;
  private webhooksSent = 0;

  count(endpoint: Endpoint): void {
    this.calls[endpoint]++;
  }

  mediaStarted(): void {
    this.mediaInFlight++;
    this.mediaPeak = Math.max(this.mediaPeak, this.mediaInFlight);
  }

  mediaEnded(): void {
    this.mediaInFlight = Math.max(0, this.mediaInFlight - 1);
  }

  webhookSent(): void {
    this.webhooksSent++;
  }

  /** Downloads still running keep counting; the peak restarts from them. */
  reset(): void {
    this.calls = zeroCalls();
    this.mediaPeak = this.mediaInFlight;
    this.webhooksSent = 0;
    this.resets++;
  }

  snapshot() {
    return {
      calls: { ...this.calls },
      mediaInFlight: this.mediaInFlight,
      mediaPeak: this.mediaPeak,
      resets: this.resets,
      webhooksSent: this.webhooksSent,
    };
  }
}
