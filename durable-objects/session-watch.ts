/**
 * SessionWatch: one per WhatsApp number (its WAHA session; the object's name is the
 * number's id). It tells a session that says WORKING while its webhooks
 * have stopped (a known WAHA failure: sends go out, nothing comes back) from one that is only
 * quiet. Evidence: a send WAHA took that no webhook at all followed within WAHA_SILENCE_MS
 * (its `message.any` echo, an ack, anything), or a reconcile that found messages no webhook
 * announced. Any webhook ends it. With WAHA_AUTO_RESTART=on a SILENT session is restarted
 * through WAHA, at once and then with doubling waits, at most WAHA_AUTO_RESTART_MAX an hour.
 */
import { DurableObject } from "cloudflare:workers";
import { type Config, loadConfig } from "../src/lib/config.ts";
import type { SilenceReason, SilenceState } from "../src/lib/contracts/watch.ts";
import { count, flushMetrics } from "../src/lib/monitoring/metrics.ts";
import { broadcast, EVERYONE } from "../src/lib/realtime/broadcast.ts";
import { callWaha } from "../src/lib/waha/client.ts";
import { DEFAULT_NUMBER, numberById, type WaNumber } from "../src/lib/waha/numbers.ts";
import { forgetSilence } from "../src/lib/waha/session-silence.ts";
import { wahaPaths } from "../src/lib/waha/wire.ts";
import { alarmBy } from "./alarm-by.ts";

const HOUR_MS = 3_600_000;
/**
 * Sends and webhooks are timed by different isolates: a webhook this much before a send
 * started still counts as following it (it proves webhooks flowed at that moment).
 */
const CLOCK_SLACK_MS = 1_000;

/** Sends WAHA took that no webhook has followed yet: the oldest and the newest start. */
interface Waiting {
  since: number;
  latest: number;
}

interface Silence {
  since: number;
  reason: SilenceReason;
  detail: string;
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export class SessionWatch extends DurableObject<Env> {
  private config(): Config {
    const loaded = loadConfig(this.env);
    // The Worker refuses every request while its config is invalid; nothing gets here then.
    if (!loaded.ok) throw new Error(`config invalid: ${loaded.errors.join("; ")}`);
    return loaded.config;
  }

  /** The number this object watches: its name (an object from before numbers is `default`'s). */
  private number(): WaNumber {
    const id = this.ctx.id.name ?? DEFAULT_NUMBER;
    const number = numberById(this.config(), id);
    if (number === undefined) throw new Error(`no number ${id} is configured`);
    return number;
  }

  private read<T>(key: string): T | null {
    return this.ctx.storage.kv.get<T>(key) ?? null;
  }

  /** A verified webhook for this session arrived at `at` (ms): webhooks flow. */
  async webhook(at: number): Promise<void> {
    const heard = this.read<number>("heard");
    if (heard === null || at > heard) this.ctx.storage.kv.put("heard", at);
    const waiting = this.read<Waiting>("waiting");
    if (waiting && at >= waiting.since - CLOCK_SLACK_MS) {
      // Sends that started after this webhook still wait for one of their own.
      if (at >= waiting.latest - CLOCK_SLACK_MS) this.ctx.storage.kv.delete("waiting");
      else this.ctx.storage.kv.put("waiting", { since: waiting.latest, latest: waiting.latest });
    }
    const silence = this.read<Silence>("silence");
    if (silence) await this.end(silence);
  }

  /** WAHA took a send that started at `startedAt` (ms): some webhook should follow it. */
  async sendTaken(startedAt: number): Promise<void> {
    const heard = this.read<number>("heard");
    if (heard !== null && heard >= startedAt - CLOCK_SLACK_MS) return;
    const waiting = this.read<Waiting>("waiting");
    const next: Waiting = waiting
      ? { since: Math.min(waiting.since, startedAt), latest: Math.max(waiting.latest, startedAt) }
      : { since: startedAt, latest: startedAt };
    this.ctx.storage.kv.put("waiting", next);
    await alarmBy(this.ctx.storage, next.since + this.config().WAHA_SILENCE_MS);
  }

  /**
   * A reconcile stored `count` messages that no webhook had announced, the newest from
   * `newestAt` (ms). With a webhook heard since then they were lost one by one, not silenced.
   */
  async unannounced(found: number, newestAt: number): Promise<void> {
    const heard = this.read<number>("heard");
    if ((heard !== null && heard >= newestAt) || this.read<Silence>("silence")) return;
    await this.begin(
      "unannounced",
      `${found} message(s) in WAHA, the newest from ${iso(newestAt)}, were announced by no webhook`,
    );
  }

  async state(): Promise<SilenceState> {
    const now = Date.now();
    await this.check(now);
    const c = this.config();
    const silence = this.read<Silence>("silence");
    const restarts = this.restarts(now);
    return {
      silent: silence !== null,
      since: iso(silence?.since),
      reason: silence?.reason ?? null,
      detail: silence?.detail ?? null,
      lastWebhookAt: iso(this.read<number>("heard")),
      waitingSince: iso(this.read<Waiting>("waiting")?.since),
      restarts: {
        auto: c.WAHA_AUTO_RESTART === "on",
        lastHour: restarts.length,
        max: c.WAHA_AUTO_RESTART_MAX,
        lastAt: iso(restarts.at(-1)),
        nextAt:
          silence && c.WAHA_AUTO_RESTART === "on" ? iso(this.nextRestartAt(silence, now)) : null,
      },
    };
  }

  /** A send's deadline, or the next restart while the session stays silent. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    await this.check(now);
    const silence = this.read<Silence>("silence");
    if (silence) await this.maybeRestart(silence, now);
    const next = this.nextWake(Date.now());
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  /** Past a waiting send's deadline with no webhook: SILENT. */
  private async check(now: number): Promise<void> {
    const waiting = this.read<Waiting>("waiting");
    if (!waiting || this.read<Silence>("silence")) return;
    const window = this.config().WAHA_SILENCE_MS;
    if (now < waiting.since + window) return;
    await this.begin(
      "no-echo",
      `a send WAHA took at ${iso(waiting.since)} was followed by no webhook within ${window / 1000} s`,
    );
  }

  private async begin(reason: SilenceReason, detail: string): Promise<void> {
    const now = Date.now();
    this.ctx.storage.kv.put<Silence>("silence", { since: now, reason, detail });
    this.ctx.storage.kv.delete("waiting");
    console.log(`[waha upstream] session SILENT: ${detail}`);
    count("session.silent");
    forgetSilence();
    // Not awaited, as the gate does: it may join a flush another request began.
    void flushMetrics(this.env, this.ctx, true);
    await broadcast(
      this.env,
      this.number().id,
      { type: "session.silent", silent: true, since: new Date(now).toISOString(), reason },
      EVERYONE,
    );
    // A restart runs from the alarm, never inside the request that noticed the silence.
    if (this.config().WAHA_AUTO_RESTART === "on") await alarmBy(this.ctx.storage, now);
  }

  private async end(silence: Silence): Promise<void> {
    this.ctx.storage.kv.delete("silence");
    console.log(
      `[waha upstream] session no longer SILENT: a webhook arrived (silent since ${iso(silence.since)})`,
    );
    forgetSilence();
    await broadcast(
      this.env,
      this.number().id,
      { type: "session.silent", silent: false },
      EVERYONE,
    );
  }

  /** Restart times within the last hour, oldest first. */
  private restarts(now: number): number[] {
    return (this.read<number[]>("restarts") ?? []).filter((t) => t > now - HOUR_MS);
  }

  /**
   * The first restart of a silent spell goes at once; each next one waits WAHA_SILENCE_MS
   * doubling (time for WAHA to start and for a webhook to come); the hourly cap waits for the
   * oldest restart to leave the hour.
   */
  private nextRestartAt(silence: Silence, now: number): number {
    const c = this.config();
    const restarts = this.restarts(now);
    const oldest = restarts[0];
    if (restarts.length >= c.WAHA_AUTO_RESTART_MAX && oldest !== undefined) return oldest + HOUR_MS;
    const spell = restarts.filter((t) => t >= silence.since);
    const last = spell.at(-1);
    if (last === undefined) return silence.since;
    return last + c.WAHA_SILENCE_MS * 2 ** (spell.length - 1);
  }

  private async maybeRestart(silence: Silence, now: number): Promise<void> {
    const c = this.config();
    if (c.WAHA_AUTO_RESTART !== "on" || now < this.nextRestartAt(silence, now)) return;
    this.ctx.storage.kv.put("restarts", [...this.restarts(now), now]);
    count("session.autoRestarts");
    void flushMetrics(this.env, this.ctx, true);
    const number = this.number();
    const answer = await callWaha(this.env, number, {
      endpoint: "session-restart",
      method: "POST",
      path: wahaPaths.restart(number.session),
    });
    console.log(
      answer.ok
        ? `[waha upstream] restarted the SILENT session ${number.session} (${number.id}) through WAHA`
        : `[waha upstream] restarting the SILENT session failed: ${answer.failure.message}`,
    );
  }

  private nextWake(now: number): number | null {
    const silence = this.read<Silence>("silence");
    if (silence) {
      return this.config().WAHA_AUTO_RESTART === "on" ? this.nextRestartAt(silence, now) : null;
    }
    const waiting = this.read<Waiting>("waiting");
    return waiting ? waiting.since + this.config().WAHA_SILENCE_MS : null;
  }
}
