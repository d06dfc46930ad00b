/**
 * The message store's @lid map in D1 (migrations/0006): the phone number WAHA gave for a lid,
 * or none, and when it was asked. Plain SQL with `?` parameters.
 */

export async function lidPhone(
  db: D1Database,
  number: string,
  lid: string,
): Promise<{ pn: string | null; checkedAt: number } | null> {
  const row = await db
    .prepare("SELECT pn, checked_at FROM lids WHERE number = ? AND lid = ?")
    .bind(number, lid)
    .first<{ pn: string | null; checked_at: number }>();
  return row ? { pn: row.pn, checkedAt: row.checked_at } : null;
}

export async function saveLid(
  db: D1Database,
  number: string,
  lid: string,
  pn: string | null,
  now: number,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO lids (number, lid, pn, checked_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (number, lid) DO UPDATE SET pn = excluded.pn, checked_at = excluded.checked_at`,
    )
    .bind(number, lid, pn, now)
    .run();
}
