/** Webhook deliveries claimed once: the keys that make a replay change nothing. */

/**
 * Statements that claim webhook keys (a request id, the envelope's id) until `expiresAt`,
 * to run first in the batch that applies the event: a key claimed before and not expired
 * fails the whole batch with a UNIQUE error (`isDuplicateClaim`), so a duplicate changes
 * nothing and claims nothing. Expired claims are swept a few at a time so the table stays
 * small without a cron.
 */
export function claimWebhookKeys(
  db: D1Database,
  keys: string[],
  now: number,
  expiresAt: number,
): D1PreparedStatement[] {
  const marks = keys.map(() => "?").join(", ");
  return [
    db
      .prepare(
        "DELETE FROM webhook_receipts WHERE key IN (SELECT key FROM webhook_receipts WHERE expires_at <= ? LIMIT 50)",
      )
      .bind(now),
    ...(keys.length > 0
      ? [
          db
            .prepare(`DELETE FROM webhook_receipts WHERE key IN (${marks}) AND expires_at <= ?`)
            .bind(...keys, now),
        ]
      : []),
    ...keys.map((key) =>
      db
        .prepare("INSERT INTO webhook_receipts (key, expires_at) VALUES (?, ?)")
        .bind(key, expiresAt),
    ),
  ];
}

/** The error a batch fails with when one of its webhook keys was claimed already. */
export function isDuplicateClaim(err: unknown): boolean {
  return (
    err instanceof Error && err.message.includes("UNIQUE constraint failed: webhook_receipts.key")
  );
}

/** Gives claimed webhook keys back, so a delivery whose effects failed can be retried. */
export async function releaseWebhookKeys(db: D1Database, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .prepare(`DELETE FROM webhook_receipts WHERE key IN (${keys.map(() => "?").join(", ")})`)
    .bind(...keys)
    .run();
}
