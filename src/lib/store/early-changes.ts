/**
 * Changes to a stored message (receipt, deletion, edit, reaction), from a webhook or kept
 * because they arrived before their message: each applied by one UPDATE and answered with
 * the frame browsers hear. One that finds no message is kept (migrations/0008) and applied
 * when the message is stored, whichever way it comes: a webhook, a send's answer, a page
 * read from WAHA. WhatsApp does not order these after their message: a receipt or WAHA's
 * reaction webhook may overtake the `message.any` of the message it is about.
 */
import type { RealtimeEvent } from "../contracts/api.ts";
import { ACK_NAMES } from "../waha/acks.ts";
import { applyAck, applyEdit, applyReaction, applyRevoke } from "./changes.ts";

export type MessageChange =
  | { kind: "ack"; ack: number }
  | { kind: "revoked" }
  | { kind: "edited"; body: string }
  | { kind: "reaction"; sender: string; text: string };

/** Kept a day: well past any webhook retry or a chat's first fill from WAHA. */
export const EARLY_CHANGE_TTL_MS = 86_400_000;

/** Applies `change` to the message with `key` in `jid`; the frame to send, or null when nothing changed. */
export async function applyChange(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
  change: MessageChange,
  now: number,
): Promise<RealtimeEvent | null> {
  switch (change.kind) {
    case "ack": {
      const changed = await applyAck(db, number, jid, key, change.ack);
      return (
        changed && {
          type: "message.status",
          jid,
          id: changed.id,
          status: ACK_NAMES[change.ack] ?? "UNKNOWN",
        }
      );
    }
    case "revoked": {
      const changed = await applyRevoke(db, number, jid, key, now);
      return changed && { type: "message.revoked", jid, id: changed.id };
    }
    case "edited": {
      const changed = await applyEdit(db, number, jid, key, change.body, now);
      return changed && { type: "message.edited", jid, id: changed.id, body: change.body };
    }
    case "reaction": {
      const changed = await applyReaction(db, number, jid, key, change.sender, change.text);
      return (
        changed && {
          type: "message.reaction",
          jid,
          id: changed.id,
          reaction: change.text,
          from: change.sender,
        }
      );
    }
  }
}

/** What tells two kept changes of one kind apart: every receipt level, one reaction per sender. */
function partOf(change: MessageChange): string {
  if (change.kind === "ack") return String(change.ack);
  if (change.kind === "reaction") return change.sender;
  return "";
}

/**
 * Keeps a change whose message is not stored, in one statement that holds only while the
 * message is still missing; false when the message is there (it was stored meanwhile, or
 * the change simply changed nothing).
 */
export async function keepEarly(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
  change: MessageChange,
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO early_changes (number, jid, key, kind, part, payload, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
       WHERE NOT EXISTS (SELECT 1 FROM messages WHERE number = ?1 AND jid = ?2 AND key = ?3)
       ON CONFLICT (number, jid, key, kind, part) DO UPDATE SET
         payload = excluded.payload, created_at = excluded.created_at`,
    )
    .bind(number, jid, key, change.kind, partOf(change), JSON.stringify(change), now)
    .run();
  return result.meta.changes > 0;
}

/**
 * A change with nowhere to go yet: applied if its message is stored, else kept. Answers the
 * frame when it applied, and whether it was kept.
 */
export async function applyOrKeep(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
  change: MessageChange,
  now: number,
): Promise<{ frame: RealtimeEvent | null; kept: boolean }> {
  const frame = await applyChange(db, number, jid, key, change, now);
  if (frame) return { frame, kept: false };
  if (await keepEarly(db, number, jid, key, change, now)) return { frame: null, kept: true };
  // The message may have been stored between the two statements: once more, now that it is.
  return { frame: await applyChange(db, number, jid, key, change, now), kept: false };
}

export interface EarlyRow {
  key: string;
  kind: MessageChange["kind"];
  payload: string;
}

/** The kept changes of the message with `key`: a statement for the batch that stores it. */
export function earlyChangesStatement(
  db: D1Database,
  number: string,
  jid: string,
  key: string,
): D1PreparedStatement {
  return db
    .prepare(
      "SELECT key, kind, payload FROM early_changes WHERE number = ? AND jid = ? AND key = ?",
    )
    .bind(number, jid, key);
}

/** Kinds in the order they apply: receipts (lowest first), then edits and reactions, a deletion last. */
const ORDER: Record<MessageChange["kind"], number> = { ack: 0, edited: 1, reaction: 2, revoked: 3 };

function parse(row: EarlyRow): MessageChange | null {
  try {
    const change = JSON.parse(row.payload) as MessageChange;
    return change.kind === row.kind ? change : null;
  } catch {
    return null;
  }
}

/** Applies kept changes (rows of `earlyChangesStatement`, or of a chat) and forgets them. */
export async function applyEarly(
  db: D1Database,
  number: string,
  jid: string,
  rows: readonly EarlyRow[],
  now: number,
): Promise<RealtimeEvent[]> {
  if (rows.length === 0) return [];
  const changes = rows
    .map((row) => ({ key: row.key, change: parse(row) }))
    .filter((c): c is { key: string; change: MessageChange } => c.change !== null)
    .sort(
      (a, b) =>
        ORDER[a.change.kind] - ORDER[b.change.kind] ||
        (a.change.kind === "ack" && b.change.kind === "ack" ? a.change.ack - b.change.ack : 0),
    );
  const frames: RealtimeEvent[] = [];
  for (const { key, change } of changes) {
    const frame = await applyChange(db, number, jid, key, change, now);
    if (frame) frames.push(frame);
  }
  const keys = [...new Set(rows.map((r) => r.key))];
  await db.batch(
    keys.map((key) =>
      db
        .prepare("DELETE FROM early_changes WHERE number = ? AND jid = ? AND key = ?")
        .bind(number, jid, key),
    ),
  );
  return frames;
}

/** After a page from WAHA is stored: the kept changes of any message it brought. */
export async function applyEarlyInChat(
  db: D1Database,
  number: string,
  jid: string,
  now: number,
): Promise<RealtimeEvent[]> {
  const { results } = await db
    .prepare(
      `SELECT e.key, e.kind, e.payload FROM early_changes e
       WHERE e.number = ?1 AND e.jid = ?2 AND EXISTS (
         SELECT 1 FROM messages m WHERE m.number = ?1 AND m.jid = ?2 AND m.key = e.key)`,
    )
    .bind(number, jid)
    .all<EarlyRow>();
  return applyEarly(db, number, jid, results, now);
}

/** The daily prune: kept changes whose message never came. */
export async function pruneEarly(db: D1Database, now: number): Promise<number> {
  const result = await db
    .prepare("DELETE FROM early_changes WHERE created_at < ?")
    .bind(now - EARLY_CHANGE_TTL_MS)
    .run();
  return result.meta.changes;
}
