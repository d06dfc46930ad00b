// Everything one simulator instance holds: settings, data, saved files, counters, faults, session
// status and the webhook sender, plus the engine whose shapes it speaks.

import { randomBytes } from "node:crypto";
import {
  DEFAULT_WEBHOOK_RETRIES,
  type DemoSet,
  type SessionStatus,
  type SimConfig,
  type Tier,
  type WebhookRetries,
} from "./config.ts";
import type { EngineShapes, View, WahaMedia } from "./engines/engine.ts";
import { fileUrl, wahaMedia } from "./engines/engine.ts";
import { shapesOf } from "./engines/index.ts";
import { specialFields } from "./engines/special-content.ts";
import { FaultBook } from "./faults.ts";
import { Mailbox } from "./mailbox.ts";
import { mediaContent } from "./media.ts";
import type { Engine, SimMessage } from "./model.ts";
import { type SessionConfig, sessionTargets } from "./session-config.ts";
import { environment } from "./shapes.ts";
import { Stats } from "./stats.ts";
import { Store } from "./store.ts";
import {
  type Delivery,
  type Envelope,
  ulid,
  WebhookSender,
  type WebhookTarget,
} from "./webhook.ts";

export interface EnvelopeOverrides {
  id?: string;
  session?: string;
}

export interface ResetOptions {
  filesLifetimeSec?: number;
  tier?: Tier;
  engine?: Engine;
  demo?: DemoSet;
}

/** How long WAHA's DistinctAck remembers an (id, ack, participant) it has sent. */
const DISTINCT_ACK_MS = 60_000;
const DISTINCT_ACK_MAX = 10_000;

/** WAHA drops an ack it sent within the last minute (rxjs distinct, flushed every 60 s). */
// WAHA: src/core/utils/reactive.ts (DistinctAck)
class DistinctAcks {
  private seen = new Set<string>();
  private flushedAt = Date.now();

  fresh(key: string, now = Date.now()): boolean {
    if (now - this.flushedAt >= DISTINCT_ACK_MS || this.seen.size >= DISTINCT_ACK_MAX) {
      this.seen.clear();
      this.flushedAt = now;
    }
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

export interface StatusPoint {
  status: SessionStatus;
  timestamp: number;
}

export class SimState {
  readonly config: SimConfig;
  readonly store: Store;
  readonly stats = new Stats();
  readonly faults = new FaultBook();
  readonly sender: WebhookSender;
  readonly startedAt = Date.now();
  sessionStatus: SessionStatus = "WORKING";
  /** The last three statuses, as session.status carries them. */
  statuses: StatusPoint[];
  /** The session's own config (PUT /api/sessions/{session}): its webhooks, metadata, engine settings. */
  sessionConfig: SessionConfig = {};
  /** When the API last sent something (WAHA's @Activity), for the session's timestamps. */
  lastActivityMs: number | undefined;
  private qr: string | undefined;
  private acks = new DistinctAcks();
  private groupAcks = new DistinctAcks();
  /** Webhooks for a receiver the simulator cannot reach (webhookUrl `mailbox:`). */
  readonly mailbox = new Mailbox();
  private readonly initial: Required<ResetOptions> &
    Pick<
      SimConfig,
      | "sendEcho"
      | "echoDelayMs"
      | "sessionWaitMs"
      | "webjsTagsEventsOn"
      | "nowebStoreEnabled"
      | "webjsLoadBatch"
    >;

  constructor(config: SimConfig) {
    this.config = config;
    this.store = new Store(config.engine, config.demo, () => this.now());
    this.statuses = this.startingStatuses();
    this.sender = new WebhookSender(
      {
        attempt: (ok) => this.stats.webhookAttempt(ok),
        gaveUp: () => this.stats.webhookDropped(),
      },
      this.mailbox,
      (url) => this.config.mailboxOrigins.some((origin) => url.startsWith(`${origin}/`)),
    );
    this.initial = {
      filesLifetimeSec: config.filesLifetimeSec,
      tier: config.tier,
      engine: config.engine,
      demo: config.demo,
      sendEcho: config.sendEcho,
      echoDelayMs: config.echoDelayMs,
      sessionWaitMs: config.sessionWaitMs,
      webjsTagsEventsOn: config.webjsTagsEventsOn,
      nowebStoreEnabled: config.nowebStoreEnabled,
      webjsLoadBatch: config.webjsLoadBatch,
    };
  }

  /** The simulator's clock: real time moved by `clockOffsetMs`, for tests that move theirs. */
  now(): number {
    return Date.now() + this.config.clockOffsetMs;
  }

  /**
   * The session's `webjs.tagsEventsOn` and `noweb.store.enabled`: as a PUT of the session's
   * config set them, else the simulator's settings standing for a config that does not say.
   */
  tagsEventsOn(): boolean {
    const webjs = this.sessionConfig.webjs as { tagsEventsOn?: unknown } | undefined;
    return typeof webjs?.tagsEventsOn === "boolean"
      ? webjs.tagsEventsOn
      : this.config.webjsTagsEventsOn;
  }

  nowebStore(): boolean {
    const noweb = this.sessionConfig.noweb as { store?: { enabled?: unknown } } | undefined;
    const enabled = noweb?.store?.enabled;
    return typeof enabled === "boolean" ? enabled : this.config.nowebStoreEnabled;
  }

  get engine(): EngineShapes {
    return shapesOf(this.config.engine);
  }

  view(): View {
    return { session: this.config.session, publicUrl: this.config.publicUrl, store: this.store };
  }

  lifetimeMs(): number {
    return this.config.filesLifetimeSec * 1000;
  }

  private startingStatuses(): StatusPoint[] {
    return [
      { status: "STARTING", timestamp: this.startedAt },
      { status: "WORKING", timestamp: this.startedAt },
    ];
  }

  /** Back to the demo state; webhook settings stay as configured, pending retries are dropped. */
  reset(overrides: ResetOptions = {}): void {
    this.config.filesLifetimeSec = overrides.filesLifetimeSec ?? this.initial.filesLifetimeSec;
    this.config.tier = overrides.tier ?? this.initial.tier;
    this.config.engine = overrides.engine ?? this.initial.engine;
    this.config.demo = overrides.demo ?? this.initial.demo;
    this.config.sendEcho = this.initial.sendEcho;
    this.config.echoDelayMs = this.initial.echoDelayMs;
    this.config.sessionWaitMs = this.initial.sessionWaitMs;
    this.config.environment = {};
    this.config.webjsTagsEventsOn = this.initial.webjsTagsEventsOn;
    this.config.nowebStoreEnabled = this.initial.nowebStoreEnabled;
    this.config.webjsLoadBatch = this.initial.webjsLoadBatch;
    this.store.reset(this.config.engine, this.config.demo);
    this.stats.reset();
    this.faults.clear();
    this.sender.cancelAll();
    this.mailbox.clear();
    this.sessionStatus = "WORKING";
    this.statuses = this.startingStatuses();
    this.lastActivityMs = undefined;
    this.sessionConfig = {};
    this.qr = undefined;
    this.acks = new DistinctAcks();
    this.groupAcks = new DistinctAcks();
  }

  /** What WAHA does for downloadMedia=true: save the file unless it is still there, then link it. */
  downloadMedia(m: SimMessage, now = Date.now()): WahaMedia | null {
    const engine = this.engine;
    const base = engine.fileBase(m);
    if (!m.media) return null;
    if (m.media.missing) {
      this.stats.whatsappFailure();
      return wahaMedia(m, null, base);
    }
    // A file saved anew is one WAHA had to download from WhatsApp.
    if (this.store.ensureSaved(m.key, now, this.lifetimeMs())) {
      this.stats.whatsappDownload(mediaContent(m.id, m.media).length);
    }
    return wahaMedia(m, fileUrl(this.view(), base, m), base);
  }

  /** A message as the engine shapes it; media only when downloaded (else null, as WAHA sets). */
  shape(m: SimMessage, download: boolean, now = Date.now()) {
    const shaped = this.engine.message(
      m,
      download ? this.downloadMedia(m, now) : null,
      this.view(),
    );
    return m.revoked ? shaped : { ...shaped, ...specialFields(m, this.engine.name) };
  }

  envelope(event: string, payload: unknown, overrides: EnvelopeOverrides = {}): Envelope {
    const engine = this.engine;
    return {
      id: overrides.id ?? `evt_${ulid()}`,
      timestamp: this.now(),
      event,
      session: overrides.session ?? this.config.session,
      // WAHA puts the session config's metadata as it is: absent when the config has none.
      // WAHA: src/core/abc/manager.abc.ts (populateSessionInfo)
      ...(this.sessionConfig.metadata ? { metadata: { ...this.sessionConfig.metadata } } : {}),
      me: this.sessionStatus === "WORKING" ? engine.me() : null,
      payload,
      engine: engine.name,
      environment: environment(this.config.tier, engine),
    };
  }

  /**
   * Sends one event to every webhook that wants it: the simulator's own (`webhookUrl`, which
   * gets each event the simulator raises, once) unless `sessionOnly`, and each of the session's
   * config webhooks that lists the event. One envelope (one id) for all of them, as WAHA builds
   * it once per event. Answers the first delivery; undefined when there is nowhere to send it.
   */
  // WAHA: src/core/manager.core.ts (getWebhooks: the session's webhooks and the global one),
  // src/core/abc/manager.abc.ts (populateSessionInfo: id and metadata per event).
  async emit(
    event: string,
    payload: unknown,
    overrides: EnvelopeOverrides = {},
    sessionOnly = false,
  ): Promise<Delivery | undefined> {
    const targets: Array<{ target: WebhookTarget; retries: WebhookRetries }> = [];
    const url = this.config.webhookUrl;
    if (url && !sessionOnly) {
      const target = this.config.webhookHmacKey
        ? { url, hmacKey: this.config.webhookHmacKey }
        : { url };
      targets.push({ target, retries: { ...this.config.webhookRetries } });
    }
    for (const hook of sessionTargets(this.sessionConfig, DEFAULT_WEBHOOK_RETRIES)) {
      if (!hook.events.has(event)) continue;
      const target = hook.hmacKey
        ? { url: hook.url, hmacKey: hook.hmacKey, headers: hook.headers }
        : { url: hook.url, headers: hook.headers };
      targets.push({ target, retries: hook.retries });
    }
    if (targets.length === 0) return undefined;
    const envelope = this.envelope(event, payload, overrides);
    const deliveries = await Promise.all(
      targets.map(({ target, retries }) => {
        this.stats.webhookSent();
        return this.sender.send(target, envelope, retries);
      }),
    );
    return deliveries[0];
  }

  /** The pairing code's value, like WhatsApp's `2@…,…,…,…`: a ref and three base64 keys. */
  qrValue(): string {
    this.qr ??= [
      `2@${randomBytes(48).toString("base64")}`,
      randomBytes(32).toString("base64"),
      randomBytes(32).toString("base64"),
      randomBytes(32).toString("base64"),
    ].join(",");
    return this.qr;
  }

  /** False for an ack WAHA would not send again (same id, ack and participant within a minute). */
  freshAck(group: boolean, payload: Record<string, unknown>): boolean {
    const key = `${String(payload.id)}-${String(payload.ack)}-${String(payload.participant)}`;
    return (group ? this.groupAcks : this.acks).fresh(key);
  }

  /**
   * A new session status, or undefined when WAHA sends none: a WORKING right after WORKING.
   */
  // WAHA: src/core/abc/session.abc.ts (status$: distinctUntilChanged on WORKING, last 3 kept)
  setSessionStatus(status: SessionStatus) {
    const repeat = status === "WORKING" && this.sessionStatus === "WORKING";
    // A session that starts again opens WhatsApp Web anew: nothing older is loaded yet.
    if (status === "WORKING" && !repeat) this.store.unloadAll();
    this.sessionStatus = status;
    // Every new wait for a scan shows a new code.
    if (status === "SCAN_QR_CODE") this.qr = undefined;
    if (repeat) return undefined;
    this.statuses = [...this.statuses, { status, timestamp: Date.now() }].slice(-3);
    return { name: this.config.session, status, statuses: this.statuses };
  }
}
