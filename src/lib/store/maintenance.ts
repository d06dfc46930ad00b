/**
 * The daily Cron Trigger: stored messages older than WA_STORE_RETENTION_DAYS go (their
 * archived media with them), a bounded number per run so one run never holds D1 for long,
 * and so do outbox entries done with for a day, webhook receipts past their time and
 * archived media older than WA_MEDIA_ARCHIVE_DAYS.
 */
import type { Config } from "../config.ts";
import { archiveKey, forgetArchived, pruneArchive } from "../media/archive.ts";
import { pruneOutbox } from "../outbox/db.ts";
import { archiveSent } from "../team/reports.ts";
import { pruneEarly } from "./early-changes.ts";
import { pruneMessages } from "./search.ts";

/** Batches of 5,000 per run at most: a backlog shrinks over a few days. */
const MAX_BATCHES = 20;

export interface Pruned {
  messages: number;
  outbox: number;
  receipts: number;
  early: number;
  /** Archived media past WA_MEDIA_ARCHIVE_DAYS. */
  archived: number;
}

export async function runMaintenance(env: Env, config: Config, now = Date.now()): Promise<Pruned> {
  const cutoff = Math.floor(now / 1000) - config.WA_STORE_RETENTION_DAYS * 86_400;
  let messages = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const { deleted, media } = await pruneMessages(env.DB, cutoff);
    await forgetArchived(
      env,
      media.map((m) => archiveKey(m.number, m.jid, m.id)),
    );
    messages += deleted;
    if (deleted === 0) break;
  }
  // Reports count sent messages after the outbox has forgotten them.
  await archiveSent(env.DB);
  const outbox = await pruneOutbox(env.DB, now - 86_400_000);
  const receipts = (
    await env.DB.prepare("DELETE FROM webhook_receipts WHERE expires_at <= ?").bind(now).run()
  ).meta.changes;
  const early = await pruneEarly(env.DB, now);
  const archived = await pruneArchive(env.MEDIA_ARCHIVE, config.WA_MEDIA_ARCHIVE_DAYS, now);
  console.log(
    `[maintenance] pruned messages=${messages} outbox=${outbox} receipts=${receipts} early=${early} archived=${archived}`,
  );
  return { messages, outbox, receipts, early, archived };
}
