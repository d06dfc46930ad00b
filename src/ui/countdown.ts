/** Text that counts down to a moment ("Try again in 29 s"), then hands over to `onDone`. */
export interface Countdown {
  cancel(): void;
}

/**
 * Calls `render` with the whole seconds left at once and every second after, and `onDone`
 * when none are left. Ticks on the second boundaries of `until`, so the number never lags.
 */
export function countdown(
  until: number,
  render: (seconds: number) => void,
  onDone: () => void,
  now: () => number = Date.now,
): Countdown {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  const tick = () => {
    if (cancelled) return;
    const left = until - now();
    if (left <= 0) {
      onDone();
      return;
    }
    render(Math.ceil(left / 1000));
    timer = setTimeout(tick, left % 1000 || 1000);
  };
  tick();
  return {
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
