/** A page's state in one place: every change is an action through a pure reducer, and views hear the result once per batch. */

export type Reducer<S, A> = (state: S, action: A) => S;
export type Listener<S> = (state: S) => void;

export class Store<S, A> {
  readonly #reduce: Reducer<S, A>;
  readonly #schedule: (run: () => void) => void;
  readonly #listeners = new Set<Listener<S>>();
  #state: S;
  #scheduled = false;

  /**
   * `schedule` runs the listeners later (default: a microtask), so a burst of frames and
   * answers in one task is drawn once, and always before the browser paints.
   */
  constructor(
    initial: S,
    reduce: Reducer<S, A>,
    // Called bare: browsers refuse queueMicrotask with another `this`.
    schedule: (run: () => void) => void = (run) => queueMicrotask(run),
  ) {
    this.#state = initial;
    this.#reduce = reduce;
    this.#schedule = schedule;
  }

  get state(): S {
    return this.#state;
  }

  /** Answers whether the state changed (an action the reducer ignored changes nothing). */
  dispatch(action: A): boolean {
    const next = this.#reduce(this.#state, action);
    if (next === this.#state) return false;
    this.#state = next;
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(() => this.flush());
    }
    return true;
  }

  subscribe(listener: Listener<S>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Draws what is pending now: for code that reads the screen right after a change (scrolling to a row). */
  flush(): void {
    if (!this.#scheduled) return;
    this.#scheduled = false;
    for (const listener of this.#listeners) listener(this.#state);
  }
}
