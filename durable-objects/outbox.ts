/**
 * Outbox: one per chat of a number (named `<number>\n<jid>`). Every send a browser asks for (text, media, reaction) is an
 * entry in D1's outbox table; this object sends a chat's entries one at a time, oldest
 * first, so they reach WhatsApp in the order they were written. A send WAHA took is
 * answered at once; one it could not confirm waits its turn and is retried by alarm
 * while WAHA is back within moments (through the gate, so an open circuit costs WAHA
 * nothing). After a timeout the message may have gone out: WAHA's chat is searched for
 * it before it is sent again. A 4xx from WAHA is its answer: the entry fails at once.
 * Entries older than WA_OUTBOX_MAX_AGE_MS are given up. Media bytes wait here.
 */
import { DurableObject } from "cloudflare:workers";
import { backoffDelay } from "../src/lib/backoff.ts";
import { type Config, loadConfig } from "../src/lib/config.ts";
import type { OutboxAnswer, OutboxRequest } from "../src/lib/contracts/outbox.ts";
import type { Failure, Result } from "../src/lib/contracts/result.ts";
import { chatOwner } from "../src/lib/db.ts";
import {
  claimHead,
  claimHeadStatement,
  getOutbox,
  insertOutbox,
  markSentStatement,
  type OutboxRow,
  updateOutbox,
} from "../src/lib/outbox/db.ts";
import {
  findSent,
  gaveUp,
  plusOrAnswer,
  type SendOutcome,
  sendRequest,
} from "../src/lib/outbox/requests.ts";
import { recordReaction, recordSent } from "../src/lib/outbox/sent-message.ts";
import { broadcastAll, chatAudience, type Fanout } from "../src/lib/realtime/broadcast.ts";
import { rowToBrowser, storedToBrowser } from "../src/lib/store/browser-shapes.ts";
import { storedMessage } from "../src/lib/store/messages.ts";
import { callWaha, RunCaller, type WahaAnswer, type WahaRequest } from "../src/lib/waha/client.ts";
import { DEFAULT_NUMBER, numberById, type WaNumber } from "../src/lib/waha/numbers.ts";
import { watchedCall } from "../src/lib/waha/session-silence.ts";
import { createMediaTable, forgetMedia, keepMedia, mediaOf } from "./outbox-media.ts";

/**
 * Retries while WAHA is away: 1 s doubling to 3 s, so a WAHA that is back is used within
 * seconds. While the circuit is open these cost WAHA nothing (the gate refuses them).
 */
const RETRY = { baseMs: 1_000, capMs: 3_000, jitter: 0.2 };

const clientIdConflict: Failure = {
  status: 409,
  error: "client-id-conflict",
  message: "clientId: already used for another send (another user, chat or kind); use a new one",
};

export class Outbox extends DurableObject<Env> {
  /** One send at a time per chat, whoever asks (a browser, the alarm). */
  private turn: Promise<unknown> = Promise.resolve();
  /** The chat's jid, once known. */
  private chat: string | null = null;
  /** While draining: the runs of WAHA calls (one gate lease each) its sends go through. */
  private runs: RunCaller | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    createMediaTable(ctx.storage.sql);
  }

  private config(): Config {
    const loaded = loadConfig(this.env);
    if (!loaded.ok) throw new Error(`config invalid: ${loaded.errors.join("; ")}`);
    return loaded.config;
  }

  /** The number this object sends for: the first line of its name (`default` before numbers). */
  private number(): WaNumber {
    const id = this.ctx.id.name?.split("\n")[0] ?? DEFAULT_NUMBER;
    const number = numberById(this.config(), id);
    if (number === undefined) throw new Error(`no number ${id} is configured`);
    return number;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turn.then(work, work);
    this.turn = next.catch(() => undefined);
    return next;
  }

  /** A send a browser asked for; the same clientId again answers what became of it. */
  submit(request: OutboxRequest): Promise<OutboxAnswer> {
    return this.exclusive(async () => {
      const config = this.config();
      const number = this.number().id;
      const now = Date.now();
      await this.remember(request.jid);
      const added = await insertOutbox(
        this.env.DB,
        number,
        {
          client_id: request.clientId,
          jid: request.jid,
          sender: request.sender,
          kind: request.kind,
          body: request.body,
          target: request.target,
          media_mimetype: request.media?.mimetype ?? null,
          media_name: request.media?.filename ?? null,
        },
        now,
      );
      if (added && request.media)
        keepMedia(this.ctx.storage.sql, request.clientId, request.media.data);
      if (!added) {
        // A clientId is its sender's, for one chat and one kind of send: never another's answer.
        const taken = await getOutbox(this.env.DB, number, request.clientId);
        if (
          taken &&
          (taken.jid !== request.jid ||
            taken.sender !== request.sender ||
            taken.kind !== request.kind)
        ) {
          return { status: "failed", clientId: request.clientId, failure: clientIdConflict };
        }
      }
      // Only the oldest waiting entry may go; a later one waits for its turn.
      const head = added
        ? await claimHead(this.env.DB, number, request.jid, now, request.clientId)
        : null;
      if (head) {
        const outcome = await this.attempt(head, config);
        if (outcome?.kind === "rejected") {
          return { status: "failed", clientId: request.clientId, failure: outcome.failure };
        }
        if (outcome?.kind === "sent") {
          return {
            status: "sent",
            clientId: request.clientId,
            id: outcome.id,
            message: outcome.message ?? null,
          };
        }
      } else if (added) {
        await this.wakeSoon(0);
      }
      const row = await getOutbox(this.env.DB, number, request.clientId);
      return this.answerOf(number, row, request.clientId);
    });
  }

  /** The answer for an entry as it stands; a sent one carries its stored message, so a repeat
   * of the request gets what the first got. */
  private async answerOf(
    number: string,
    row: OutboxRow | null,
    clientId: string,
  ): Promise<OutboxAnswer> {
    if (!row) return { status: "queued", clientId };
    if (row.status === "sent") {
      const stored = row.message_id
        ? await storedMessage(this.env.DB, number, row.jid, row.message_id)
        : null;
      return {
        status: "sent",
        clientId,
        id: row.message_id,
        message: stored && rowToBrowser(stored, number),
      };
    }
    if (row.status === "failed") {
      return {
        status: "failed",
        clientId,
        failure: {
          status: 502,
          error: "upstream-rejected",
          message: row.error ?? "WAHA refused it",
        },
      };
    }
    return { status: "queued", clientId };
  }

  /** An entry put back in the queue: it goes now if it is the oldest waiting. */
  kick(clientId: string): Promise<OutboxAnswer> {
    return this.exclusive(async () => {
      const config = this.config();
      const number = this.number().id;
      const row = await getOutbox(this.env.DB, number, clientId);
      if (!row) return { status: "queued", clientId };
      await this.remember(row.jid);
      const head = await claimHead(this.env.DB, number, row.jid, Date.now(), clientId);
      if (head) {
        const outcome = await this.attempt(head, config);
        if (outcome?.kind === "rejected")
          return { status: "failed", clientId, failure: outcome.failure };
      } else {
        await this.wakeSoon(0);
      }
      return this.answerOf(number, await getOutbox(this.env.DB, number, clientId), clientId);
    });
  }

  /** WAHA is back (the gate's circuit closed): what waits goes now, not at its next retry. */
  wake(): Promise<void> {
    return this.drain();
  }

  override alarm(): Promise<void> {
    return this.drain();
  }

  /** Sends what is waiting, in order, until WAHA turns one away for now. */
  private drain(): Promise<void> {
    return this.exclusive(async () => {
      const config = this.config();
      const take = async () =>
        claimHead(this.env.DB, this.number().id, await this.jid(), Date.now());
      this.runs = new RunCaller(this.env, this.number());
      try {
        let head = await take();
        while (head) {
          const outcome = await this.attempt(head, config, true);
          if (outcome === null) return;
          head =
            outcome.kind === "sent" && outcome.next !== undefined ? outcome.next : await take();
        }
      } finally {
        const runs = this.runs;
        this.runs = null;
        await runs.end();
      }
    });
  }

  /** One call to WAHA: while draining, in the drain's runs; a single send on its own. A send
   * WAHA took is reported to the session's watch, which expects a webhook to follow. */
  private call(request: WahaRequest): Promise<Result<WahaAnswer>> {
    const number = this.number();
    return watchedCall(this.env, number.id, request, () =>
      this.runs ? this.runs.call(request) : callWaha(this.env, number, request),
    );
  }

  private async jid(): Promise<string> {
    this.chat ??= (await this.ctx.storage.get<string>("jid")) ?? null;
    return this.chat ?? "";
  }

  /** The chat this object sends for, kept for the alarm (written once, not per send). */
  private async remember(jid: string): Promise<void> {
    if (this.chat === jid) return;
    this.chat = jid;
    await this.ctx.storage.put("jid", jid);
  }

  /** `afterMs`: at the earliest (the session is not WORKING: the gate wakes us when it is). */
  private async wakeSoon(attempts: number, afterMs = 0): Promise<void> {
    const at =
      Date.now() + Math.max(afterMs, attempts === 0 ? 0 : backoffDelay(attempts - 1, RETRY));
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** One try of the head entry; answers how it ended, or null while it waits for a retry. */
  private async attempt(
    row: OutboxRow,
    config: Config,
    takeNext = false,
  ): Promise<Exclude<SendOutcome, { kind: "retry" }> | null> {
    const number = this.number().id;
    const db = this.env.DB;
    await this.remember(row.jid);
    const now = Date.now();
    if (now - row.created_at > config.WA_OUTBOX_MAX_AGE_MS) {
      const hours = (config.WA_OUTBOX_MAX_AGE_MS / 3_600_000).toFixed(1);
      const outcome = {
        kind: "rejected" as const,
        failure: gaveUp(`WAHA did not take it within ${hours} h`),
      };
      await this.finish(row, number, outcome);
      return outcome;
    }
    const { attempts } = row;
    let outcome: SendOutcome;
    try {
      const found =
        row.ambiguous === 1
          ? await findSent(this.env, this.number(), row, (request) => this.call(request))
          : null;
      outcome = found ?? (await this.send(row, number, takeNext));
    } catch (err) {
      console.error(
        `[outbox] ${row.kind} ${row.client_id} failed inside the gateway: ${err instanceof Error ? err.stack : String(err)}`,
      );
      outcome = {
        kind: "retry",
        ambiguous: true,
        reason: err instanceof Error ? err.message : String(err),
      };
    }
    if (outcome.kind === "retry") {
      await updateOutbox(
        db,
        number,
        row.client_id,
        {
          status: "queued",
          ambiguous: outcome.ambiguous || row.ambiguous === 1,
          error: outcome.reason,
        },
        Date.now(),
      );
      if (attempts === 1) await this.tell(row, { status: "queued" });
      await this.wakeSoon(attempts, outcome.afterMs);
      return null;
    }
    await this.finish(row, number, outcome);
    return outcome;
  }

  private async finish(
    row: OutboxRow,
    number: string,
    outcome: Exclude<SendOutcome, { kind: "retry" }>,
  ): Promise<void> {
    const now = Date.now();
    if (outcome.kind === "sent") {
      if (!outcome.recorded) {
        await updateOutbox(
          this.env.DB,
          number,
          row.client_id,
          { status: "sent", messageId: outcome.id, error: null },
          now,
        );
      }
      await this.tell(
        row,
        { status: "sent", ...(outcome.id ? { id: outcome.id } : {}) },
        outcome.owner,
        outcome.frames,
      );
    } else {
      await updateOutbox(
        this.env.DB,
        number,
        row.client_id,
        { status: "failed", error: outcome.failure.message },
        now,
      );
      await this.tell(row, { status: "failed", error: outcome.failure.message });
    }
    // A failed file stays for a retry from the browser; a sent one is done with.
    if (outcome.kind === "sent") {
      forgetMedia(this.ctx.storage.sql, row.client_id);
    }
  }

  /** `owner`: the chat's owner when the caller already knows it; `before`: frames that go
   * out ahead of the status, in the same call. */
  private async tell(
    row: OutboxRow,
    change: { status: "queued" | "sent" | "failed"; id?: string; error?: string },
    owner?: string | null,
    before: Fanout = [],
  ): Promise<void> {
    const assigned =
      owner !== undefined ? owner : await chatOwner(this.env.DB, this.number().id, row.jid);
    await broadcastAll(this.env, this.number().id, [
      ...before,
      {
        event: { type: "outbox.status", clientId: row.client_id, jid: row.jid, ...change },
        audience: chatAudience(assigned, row.sender),
      },
    ]);
  }

  /** WAHA's request for an entry, or why it cannot be sent. */
  private async request(row: OutboxRow, number: string): Promise<WahaRequest | Failure> {
    const target = row.target
      ? await storedMessage(this.env.DB, number, row.jid, row.target)
      : null;
    const media = row.kind === "media" ? mediaOf(this.ctx.storage.sql, row.client_id) : null;
    return sendRequest(row, this.number(), target, media);
  }

  /** `takeNext`: the chat's next entry is taken in the batch that marks this one sent. */
  private async send(row: OutboxRow, number: string, takeNext: boolean): Promise<SendOutcome> {
    const request = await this.request(row, number);
    if (!("endpoint" in request)) return { kind: "rejected", failure: request };
    const answer = await this.call(request);
    if (!answer.ok) {
      const { failure } = answer;
      if (failure.upstreamStatus !== undefined)
        return { kind: "rejected", failure: plusOrAnswer(failure) };
      // Only a call the gate held back (open circuit, no slot, the session not WORKING) or
      // WAHA refused for its session surely sent nothing; after a timeout or a cut
      // connection the message may be in WhatsApp already.
      const unsent =
        failure.error === "upstream-unavailable" ||
        failure.error === "upstream-busy" ||
        failure.error === "session-not-working";
      return {
        kind: "retry",
        ambiguous: !unsent,
        reason: failure.message,
        ...(failure.sessionStatus !== undefined && failure.retryAfterMs !== undefined
          ? { afterMs: failure.retryAfterMs }
          : {}),
      };
    }
    if (row.kind === "reaction") {
      await recordReaction(this.env, number, row.jid, row.target ?? "", row.body ?? "");
      return { kind: "sent", id: null };
    }
    const recorded = await recordSent(
      this.env,
      number,
      {
        jid: row.jid,
        text: row.body,
        answer: answer.value.body,
        replyTo: row.target,
        media:
          row.kind === "media"
            ? {
                mimetype: row.media_mimetype ?? "application/octet-stream",
                filename: row.media_name ?? "file",
              }
            : null,
      },
      (id, batch) => {
        batch.add("marked-sent", markSentStatement(this.env.DB, number, row.client_id, id));
        if (takeNext)
          batch.add("next", claimHeadStatement(this.env.DB, number, row.jid, Date.now()));
      },
    );
    if (!recorded) return { kind: "sent", id: null };
    return {
      kind: "sent",
      id: recorded.message.id,
      message: storedToBrowser(recorded.message, number),
      owner: recorded.owner,
      recorded: true,
      frames: recorded.frames,
      ...(takeNext ? { next: recorded.results.first<OutboxRow>("next") ?? null } : {}),
    };
  }
}
