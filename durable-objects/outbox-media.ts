/**
 * The files an Outbox keeps for its media sends until WAHA has them: in the object's own
 * SQLite, in parts under the storage's row limit.
 */

/** Media bytes are kept in parts under the storage's row limit. */
const PART_BYTES = 1_000_000;

export function createMediaTable(sql: SqlStorage): void {
  sql.exec(
    `CREATE TABLE IF NOT EXISTS media (client_id TEXT NOT NULL, part INTEGER NOT NULL,
       data BLOB NOT NULL, PRIMARY KEY (client_id, part))`,
  );
}

export function keepMedia(sql: SqlStorage, clientId: string, data: ArrayBuffer): void {
  const bytes = new Uint8Array(data);
  for (let part = 0; part * PART_BYTES < bytes.length || part === 0; part++) {
    sql.exec(
      "INSERT OR REPLACE INTO media (client_id, part, data) VALUES (?, ?, ?)",
      clientId,
      part,
      bytes.subarray(part * PART_BYTES, (part + 1) * PART_BYTES),
    );
  }
}

/** The file kept for an entry, or null. */
export function mediaOf(sql: SqlStorage, clientId: string): Uint8Array | null {
  const parts = sql
    .exec<{ data: ArrayBuffer }>(
      "SELECT data FROM media WHERE client_id = ? ORDER BY part",
      clientId,
    )
    .toArray()
    .map((r) => new Uint8Array(r.data));
  if (parts.length === 0) return null;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function forgetMedia(sql: SqlStorage, clientId: string): void {
  sql.exec("DELETE FROM media WHERE client_id = ?", clientId);
}
