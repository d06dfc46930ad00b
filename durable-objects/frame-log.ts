/**
 * The hub's frame log: every frame's `seq` and the frames kept for replay. Seqs come from
 * memory, out of a block reserved in storage before its first seq goes out, so a hub that
 * restarts (or is evicted) mid-block starts after the block and never hands a seq out twice.
 * Frames are written after they are sent: the sends do not wait for the write to commit.
 */

import type { Audience } from "../src/lib/contracts/hub.ts";

/** Seqs reserved at a time: one storage write per this many frames; a restart skips the rest. */
export const SEQ_BLOCK = 1_000;
/** Frames kept for replay: this many seqs back, and none older than a day. */
const FRAMES_KEPT = 10_000;
const FRAMES_MAX_AGE_MS = 24 * 3_600_000;

interface Stamped {
  seq: number;
  at: number;
  audience: Audience;
  frame: string;
}

export type Replay = { status: "resync"; seq: number } | { status: "frames"; frames: string[] };

export class FrameLog {
  /** The newest seq handed out (or skipped), read from storage once per wake-up. */
  private last: number | null = null;
  /** Every seq up to this one is reserved in storage. */
  private reservedTo = 0;
  /** Stamped and sent, not yet written. */
  private pending: Stamped[] = [];

  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY AUTOINCREMENT,
         at INTEGER NOT NULL, audience TEXT NOT NULL, frame TEXT NOT NULL);
       CREATE TABLE IF NOT EXISTS seq_block (id INTEGER PRIMARY KEY CHECK (id = 1),
         reserved_to INTEGER NOT NULL);`,
    );
  }

  /** The newest seq: nothing sent so far, or after a restart, has a larger one. */
  current(): number {
    if (this.last === null) {
      this.reservedTo =
        this.sql
          .exec<{ reserved_to: number }>("SELECT reserved_to FROM seq_block WHERE id = 1")
          .toArray()[0]?.reserved_to ?? 0;
      // A log written before seqs were reserved in blocks knows its newest seq only here.
      const logged =
        this.sql
          .exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'frames'")
          .toArray()[0]?.seq ?? 0;
      // Any seq of the reserved block may have reached a browser before the restart.
      this.last = Math.max(this.reservedTo, logged);
    }
    return this.last;
  }

  /**
   * The frame for `event` with the next seq, to send now; `write` keeps it for replay. When
   * the block is used up the next one is reserved first, and the runtime holds the sends
   * that follow until that reservation is stored.
   */
  stamp(event: Record<string, unknown>, audience: Audience, now: number): string {
    const seq = this.current() + 1;
    if (seq > this.reservedTo) {
      this.reservedTo = seq + SEQ_BLOCK - 1;
      this.sql.exec(
        `INSERT INTO seq_block (id, reserved_to) VALUES (1, ?)
           ON CONFLICT (id) DO UPDATE SET reserved_to = excluded.reserved_to`,
        this.reservedTo,
      );
    }
    this.last = seq;
    const frame = JSON.stringify({ ...event, seq });
    this.pending.push({ seq, at: now, audience, frame });
    return frame;
  }

  /**
   * Writes the frames stamped since the last call, in seq order, then drops what is out of
   * bounds. Called after a broadcast's sends, in the same turn: no replay can run between.
   */
  write(now: number): void {
    if (this.pending.length === 0) return;
    for (const { seq, at, audience, frame } of this.pending) {
      this.sql.exec(
        "INSERT INTO frames (seq, at, audience, frame) VALUES (?, ?, ?, ?)",
        seq,
        at,
        JSON.stringify(audience),
        frame,
      );
    }
    this.pending = [];
    // Frames are stamped in time order, so the oldest by seq are the only ones that can be
    // out of bounds: looking at a few of those (by the primary key) never scans the table.
    this.sql.exec(
      `DELETE FROM frames WHERE seq IN (SELECT seq FROM frames ORDER BY seq LIMIT 64)
         AND (seq <= ? OR at < ?)`,
      this.current() - FRAMES_KEPT,
      now - FRAMES_MAX_AGE_MS,
    );
  }

  /**
   * The kept frames after `since` that `maySee` lets through, in order; `resync` when
   * `since` is no seq this hub handed out or frames after it are no longer kept.
   */
  replay(since: number, maySee: (audience: Audience) => boolean, now: number): Replay {
    this.write(now);
    const latest = this.current();
    const { first } = this.sql
      .exec<{ first: number | null }>("SELECT min(seq) AS first FROM frames")
      .one();
    if (
      !Number.isInteger(since) ||
      since < 0 ||
      since > latest ||
      (first !== null && since < first - 1)
    ) {
      return { status: "resync", seq: latest };
    }
    const frames: string[] = [];
    for (const row of this.sql.exec<{ audience: string; frame: string }>(
      "SELECT audience, frame FROM frames WHERE seq > ? ORDER BY seq",
      since,
    )) {
      if (maySee(JSON.parse(row.audience) as Audience)) frames.push(row.frame);
    }
    return { status: "frames", frames };
  }
}
