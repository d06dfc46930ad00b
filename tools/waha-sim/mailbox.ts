// Webhooks for a receiver the simulator cannot reach over HTTP (a Worker under test in workerd
// has no port): with webhookUrl `mailbox:` each delivery attempt waits here, signed as WAHA
// signs it, until the test takes it, hands it to the gateway and reports the gateway's status.
// Retries, timeouts and the order of answer and echo then behave as over HTTP.

export interface Letter {
  id: number;
  /** Where WAHA meant to post it: `mailbox:`, or a webhook URL the mailbox stands in for. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface Waiting extends Letter {
  answer(status: number, retryAfterMs: number): void;
}

/** An attempt nobody took or answered within this long counts as no answer (WAHA's own timeout). */
const ANSWER_TIMEOUT_MS = 10_000;
/** Attempts waiting at once, at most: the simulator stays bounded. */
const MAX_WAITING = 1_000;

export const MAILBOX_URL = "mailbox:";

export class Mailbox {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly untaken: number[] = [];
  private readonly takers = new Set<() => void>();

  /** One delivery attempt: resolves with the receiver's status (0: none came in time). */
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; retryAfterMs: number }> {
    if (this.waiting.size >= MAX_WAITING) return Promise.resolve({ status: 0, retryAfterMs: 0 });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(0, 0), ANSWER_TIMEOUT_MS);
      const settle = (status: number, retryAfterMs: number) => {
        clearTimeout(timer);
        if (!this.waiting.delete(id)) return;
        resolve({ status, retryAfterMs });
      };
      this.waiting.set(id, { id, url, headers, body, answer: settle });
      this.untaken.push(id);
      for (const wake of this.takers) wake();
    });
  }

  /** The attempts not yet taken, oldest first; waits up to `waitMs` for one if there is none. */
  async take(waitMs: number): Promise<Letter[]> {
    if (this.untaken.length === 0 && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.takers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, waitMs);
        this.takers.add(wake);
      });
    }
    const ids = this.untaken.splice(0);
    return ids.flatMap((id) => {
      const letter = this.waiting.get(id);
      return letter ? [{ id, url: letter.url, headers: letter.headers, body: letter.body }] : [];
    });
  }

  /** The receiver's answer to attempt `id`; false when it is no longer waiting. */
  answer(id: number, status: number, retryAfterMs = 0): boolean {
    const letter = this.waiting.get(id);
    if (!letter) return false;
    letter.answer(status, retryAfterMs);
    return true;
  }

  /** Every attempt still waiting ends unanswered (reset, close). */
  clear(): void {
    for (const letter of [...this.waiting.values()]) letter.answer(0, 0);
    this.untaken.length = 0;
  }
}
