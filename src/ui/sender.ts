/**
 * Sending from the page: each draft gets a clientId and a place in the send tracker at
 * once, then goes to the gateway in its chat's order (send-queue.ts), again and again
 * under the same clientId while the gateway does not answer (never sent twice); a retry
 * goes through the outbox when the gateway holds the send, or repeats the request.
 */
import type { ApiClient } from "../client/api-client.ts";
import { ApiError, noGatewayAnswer } from "../client/api-error.ts";
import { chatRef } from "../client/inbox-frames.ts";
import { type Delivery, SendQueue } from "../client/send-queue.ts";
import { newClientId, type PendingSend, type SendTracker } from "../client/send-tracker.ts";
import type { Chat, Message, SendAnswer } from "../client/types.ts";
import type { Draft } from "./composer.ts";
import { describeError } from "./format.ts";

export class Sender {
  readonly #api: ApiClient;
  readonly #tracker: SendTracker;
  /** WAHA took a send now, or did not (`queued`): news about WAHA for the header. */
  readonly #onAnswer: (status: SendAnswer["status"]) => void;
  readonly #queue: SendQueue;

  constructor(
    api: ApiClient,
    tracker: SendTracker,
    onAnswer: (status: SendAnswer["status"]) => void,
  ) {
    this.#api = api;
    this.#tracker = tracker;
    this.#onAnswer = onAnswer;
    this.#queue = new SendQueue({
      deliver: (clientId) => this.#deliver(clientId),
      onWaiting: (clientId) => tracker.waiting(clientId),
    });
  }

  /** The texts a page before this one could not send go first, oldest first. */
  resume(): void {
    for (const pending of this.#tracker.restore())
      this.#queue.push(queueOf(pending), pending.clientId);
  }

  /** The gateway answered something: sends that got no answer go again now. */
  gatewayAnswered(): void {
    this.#queue.gatewayAnswered();
  }

  stop(): void {
    this.#queue.stop();
  }

  /** The network is back: sends that got no answer go again now. */
  retryNow(): void {
    this.#queue.retryNow();
  }

  send(chat: Chat, draft: Draft, now = Date.now()): void {
    const replyTo = draft.replyTo
      ? { id: draft.replyTo.id, body: draft.replyTo.body, fromMe: draft.replyTo.fromMe }
      : null;
    const pending = this.#tracker.add({
      clientId: newClientId(),
      jid: chat.id,
      number: chat.number,
      kind: draft.file ? "media" : "text",
      body: draft.text === "" ? null : draft.text,
      replyTo,
      file: draft.file ? { name: draft.file.name, type: draft.file.type, blob: draft.file } : null,
      createdAt: now,
    });
    this.#queue.push(queueOf(pending), pending.clientId);
  }

  retry(clientId: string): void {
    const pending = this.#tracker.get(clientId);
    if (!pending) return;
    this.#tracker.retrying(clientId);
    const canResend = pending.kind === "text" || pending.file?.blob !== undefined;
    if (!pending.inOutbox && canResend) {
      this.#queue.push(queueOf(pending), clientId);
      return;
    }
    void this.#attempt(pending, async () => {
      try {
        return await this.#api.retryOutbox(clientId, pending.number);
      } catch (error) {
        // Not (or no longer) failed in the outbox: it is queued there, or never got there.
        if (error instanceof ApiError && error.status === 409)
          return { clientId, status: "queued" };
        if (error instanceof ApiError && error.status === 404 && canResend)
          return this.#submit(pending);
        throw error;
      }
    });
  }

  /** Our reaction to a message ("" takes it back). */
  react(chat: Chat, message: Message, reaction: string): Promise<unknown> {
    return this.#api.react(chat.id, message.id, reaction, chat.number);
  }

  #submit(pending: PendingSend): Promise<SendAnswer> {
    const options = {
      clientId: pending.clientId,
      replyTo: pending.replyTo?.id,
      number: pending.number,
    };
    const file = pending.file;
    if (pending.kind === "media" && file?.blob) {
      return this.#api.sendMedia(pending.jid, file.blob, file.name, {
        ...options,
        ...(pending.body ? { caption: pending.body } : {}),
      });
    }
    return this.#api.sendText(pending.jid, pending.body ?? "", options);
  }

  /** One send of the queue; a send the gateway's outbox took over meanwhile is its to send. */
  async #deliver(clientId: string): Promise<Delivery> {
    const pending = this.#tracker.get(clientId);
    if (!pending || pending.inOutbox) return "answered";
    const answered = await this.#attempt(pending, () => this.#submit(pending), true);
    return answered ? "answered" : "unanswered";
  }

  /**
   * Answers whether the gateway answered. With `waitForGateway`, a send it did not answer is
   * left as it was, for the queue to send again; otherwise that fails too.
   */
  async #attempt(
    pending: PendingSend,
    call: () => Promise<SendAnswer>,
    waitForGateway = false,
  ): Promise<boolean> {
    try {
      const answer = await call();
      // The header first, so it never says "connected" beside a reply WAHA did not take.
      this.#onAnswer(answer.status);
      this.#tracker.answered(pending.clientId, answer);
      return true;
    } catch (error) {
      if (waitForGateway && noGatewayAnswer(error)) return false;
      // WAHA's own refusal leaves a failed entry in the outbox (retried there); a bad
      // request or an answer that never came does not.
      const inOutbox =
        error instanceof ApiError &&
        error.status >= 400 &&
        error.code !== "invalid-request" &&
        error.code !== "waha-plus-required" &&
        error.code !== "payload-too-large" &&
        error.status !== 401 &&
        error.status !== 403 &&
        error.status !== 429;
      this.#tracker.failed(pending.clientId, describeError(error), inOutbox);
      return true;
    }
  }
}

/** Sends keep their order within their chat: one queue per number and jid. */
function queueOf(pending: PendingSend): string {
  return chatRef(pending.number, pending.jid);
}

/** The message a send became, shown until the gateway's own copy arrives. */
export function sentMessage(pending: PendingSend, id: string, now = Date.now()): Message {
  const file = pending.file;
  return {
    id,
    timestamp: Math.floor(now / 1000),
    from: "me",
    fromMe: true,
    to: pending.jid,
    body: pending.body,
    hasMedia: pending.kind === "media",
    media:
      pending.kind === "media"
        ? {
            url: `/api/wa/media?${new URLSearchParams({
              ...(pending.number ? { number: pending.number } : {}),
              jid: pending.jid,
              id,
            })}`,
            mimetype: file?.type || null,
            filename: file?.name ?? null,
          }
        : null,
    ack: 1,
    ackName: "SERVER",
    replyTo: pending.replyTo,
    reactions: [],
    editedAt: null,
    revokedAt: null,
  };
}
