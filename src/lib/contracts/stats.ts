/** What the Stats object answers: every counter, added up across isolates. */
export interface StatsSnapshot {
  /** When counting started (ms). */
  since: number;
  counters: Record<string, number>;
  /** Windowed counters: their increase over the last minute. */
  lastMinute: Record<string, number>;
}
