// Counters the control API reports: calls per WAHA endpoint, media downloads and other calls in
// flight (with their peaks), resets,
// webhooks sent and their delivery attempts.

export const ENDPOINTS = [
  "session",
  "session-update",
  "session-restart",
  "server-environment",
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
  "sendImage",
  "sendFile",
  "sendVoice",
  "sendVideo",
  "reaction",
  "lids",
  "qr",
  "contact",
  "contact-picture",
  "picture-file",
  "message-edit",
  "message-delete",
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
  private apiInFlight = 0;
  private apiPeak = 0;
  private resets = 0;
  private webhooksSent = 0;
  private webhookAttempts = 0;
  private webhookFailures = 0;
  private webhookGaveUp = 0;

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

  /** Any other WAHA call, from its arrival to its close. */
  apiStarted(): void {
    this.apiInFlight++;
    this.apiPeak = Math.max(this.apiPeak, this.apiInFlight);
  }

  apiEnded(): void {
    this.apiInFlight = Math.max(0, this.apiInFlight - 1);
  }

  webhookSent(): void {
    this.webhooksSent++;
  }

  /** One POST of a webhook, first or retry; a failure is any answer but 2xx, or none. */
  webhookAttempt(ok: boolean): void {
    this.webhookAttempts++;
    if (!ok) this.webhookFailures++;
  }

  /** A webhook whose retries ran out. */
  webhookDropped(): void {
    this.webhookGaveUp++;
  }

  /** Downloads still running keep counting; the peak restarts from them. */
  /** Files WAHA downloaded from WhatsApp (for downloadMedia=true or a webhook), and their bytes. */
  private whatsappDownloads = 0;
  private whatsappBytes = 0;
  /** Downloads WhatsApp refused: the media was gone there (`expire` with `fromWhatsApp`). */
  private whatsappFailures = 0;

  whatsappFailure(): void {
    this.whatsappFailures++;
  }

  whatsappDownload(bytes: number): void {
    this.whatsappDownloads++;
    this.whatsappBytes += bytes;
  }

  reset(): void {
    this.calls = zeroCalls();
    this.whatsappDownloads = 0;
    this.whatsappBytes = 0;
    this.whatsappFailures = 0;
    this.mediaPeak = this.mediaInFlight;
    this.apiPeak = this.apiInFlight;
    this.webhooksSent = 0;
    this.webhookAttempts = 0;
    this.webhookFailures = 0;
    this.webhookGaveUp = 0;
    this.resets++;
  }

  snapshot(webhookPending = 0) {
    return {
      calls: { ...this.calls },
      mediaInFlight: this.mediaInFlight,
      mediaPeak: this.mediaPeak,
      apiInFlight: this.apiInFlight,
      apiPeak: this.apiPeak,
      resets: this.resets,
      webhooksSent: this.webhooksSent,
      webhookAttempts: this.webhookAttempts,
      webhookFailures: this.webhookFailures,
      webhookGaveUp: this.webhookGaveUp,
      webhookPending,
      whatsappDownloads: this.whatsappDownloads,
      whatsappBytes: this.whatsappBytes,
      whatsappFailures: this.whatsappFailures,
    };
  }
}
