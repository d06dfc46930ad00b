// Everything one simulator instance holds: settings, data, saved files, counters, faults, session status.
import type { SessionStatus, SimConfig, Tier } from "./config.ts";
import { FaultBook } from "./faults.ts";
import type { SimMessage } from "./model.ts";
import { ENGINE, environment, fileUrl, mediaOf, meInfo, type WahaMedia } from "./shapes.ts";
import { Stats } from "./stats.ts";
import { Store } from "./store.ts";
import { type Delivery, deliverWebhook, type Envelope, ulid } from "./webhook.ts";

export interface EnvelopeOverrides {
  id?: string;
  session?: string;
}

export class SimState {
  readonly config: SimConfig;
  readonly store = new Store();
  readonly stats = new Stats();
  readonly faults = new FaultBook();
  readonly startedAt = Date.now();
  sessionStatus: SessionStatus = "WORKING";
  private readonly initial: { filesLifetimeSec: number; tier: Tier };

  constructor(config: SimConfig) {
    this.config = config;
    this.initial = { filesLifetimeSec: config.filesLifetimeSec, tier: config.tier };
  }

  lifetimeMs(): number {
    return this.config.filesLifetimeSec * 1000;
  }

  /** Back to the demo state; webhook settings stay as configured. */
  reset(overrides: { filesLifetimeSec?: number; tier?: Tier } = {}): void {
    this.store.reset();
    this.stats.reset();
    this.faults.clear();
    this.sessionStatus = "WORKING";
    this.config.filesLifetimeSec = overrides.filesLifetimeSec ?? this.initial.filesLifetimeSec;
    this.config.tier = overrides.tier ?? this.initial.tier;
  }

  /** What WAHA does for downloadMedia=true: save the file unless it is still there, then link it. */
  downloadMedia(message: SimMessage, now = Date.now()): WahaMedia | undefined {
    const media = message.media;
    if (!media) return undefined;
    if (media.missing) return mediaOf(message, null);
    this.store.ensureSaved(message.id, now, this.lifetimeMs());
    return mediaOf(message, fileUrl(this.config.publicUrl, this.config.session, message));
  }

  envelope(event: string, payload: unknown, overrides: EnvelopeOverrides = {}): Envelope {
    const envelope: Envelope = {
      id: overrides.id ?? `evt_${ulid()}`,
      timestamp: Date.now(),
      session: overrides.session ?? this.config.session,
      metadata: {},
      engine: ENGINE,
      event,
      payload,
      environment: environment(this.config.tier),
    };
    if (this.sessionStatus === "WORKING") envelope.me = meInfo();
    return envelope;
  }

  /** Sends one webhook if a URL is configured; undefined when there is nowhere to send it. */
  async emit(
    event: string,
    payload: unknown,
    overrides: EnvelopeOverrides = {},
  ): Promise<Delivery | undefined> {
    const url = this.config.webhookUrl;
    if (!url) return undefined;
    const target = this.config.webhookHmacKey
      ? { url, hmacKey: this.config.webhookHmacKey }
      : { url };
    this.stats.webhookSent();
    return deliverWebhook(target, this.envelope(event, payload, overrides));
  }
}
