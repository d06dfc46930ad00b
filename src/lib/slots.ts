/**
 * Slots: a concurrency limiter whose slots are leases. A slot comes back when its holder
 * releases it or when its lease runs out, so a holder that never returns cannot keep it.
 */

export type SlotResult =
  | { status: "granted"; release: () => void }
  | { status: "busy"; active: number };

export class Slots {
  private readonly leases = new Map<number, number>();
  private readonly waiters = new Set<() => void>();
  private nextId = 1;

  /** Leases held right now (expired ones are dropped first). */
  activeCount(now = Date.now()): number {
    for (const [id, expiresAt] of this.leases) {
      if (expiresAt <= now) this.leases.delete(id);
    }
    return this.leases.size;
  }

  pendingCount(): number {
    return this.waiters.size;
  }

  /**
   * Takes a slot of `max`, waiting at most `waitMs` (first come, first served) for one
   * to free up. The slot is leased for `leaseMs`.
   */
  async acquire(max: number, leaseMs: number, waitMs: number): Promise<SlotResult> {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`max: expected a whole number ≥ 1, got ${max}`);
    if (!(leaseMs > 0)) throw new RangeError(`leaseMs: expected a positive number, got ${leaseMs}`);
    if (this.waiters.size === 0) {
      const slot = this.take(max, leaseMs);
      if (slot) return slot;
    }
    let timedOut = false;
    let handle: ReturnType<typeof setTimeout> | undefined;
    const timer = new Promise<void>((resolve) => {
      handle = setTimeout(() => {
        timedOut = true;
        resolve();
      }, waitMs);
    });
    try {
      for (;;) {
        let wake = (): void => {};
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        this.waiters.add(wake);
        await Promise.race([woken, timer]);
        this.waiters.delete(wake);
        const slot = this.take(max, leaseMs);
        if (slot) return slot;
        if (timedOut) return { status: "busy", active: this.activeCount() };
      }
    } finally {
      clearTimeout(handle);
    }
  }

  private take(max: number, leaseMs: number): SlotResult | null {
    const now = Date.now();
    if (this.activeCount(now) >= max) return null;
    const id = this.nextId++;
    this.leases.set(id, now + leaseMs);
    let released = false;
    return {
      status: "granted",
      release: () => {
        if (released) return;
        released = true;
        this.leases.delete(id);
        this.wakeOne();
      },
    };
  }

  private wakeOne(): void {
    const [first] = this.waiters;
    if (first) {
      this.waiters.delete(first);
      first();
    }
  }
}
