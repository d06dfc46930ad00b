/**
 * Time and timers for the client library. Everything that waits takes a Scheduler, so
 * the timing logic runs under fake clocks in unit tests and on the real ones in a page.
 */
export type Cancel = () => void;

export interface Scheduler {
  now(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): Cancel;
}

/** The page's clock. Reads the globals at call time, so fake timers installed later apply. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const id = globalThis.setTimeout(fn, Math.max(0, ms));
    return () => globalThis.clearTimeout(id);
  },
};
