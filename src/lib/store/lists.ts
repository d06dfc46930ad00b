/**
 * The inbox's lists, answered from the message store. WAHA is asked only to fill what
 * the store has not seen (the chat list at first, a chat's newest page on first open),
 * to reconcile at most every WA_STORE_RECONCILE_MS (one cheap call, shared by every
 * browser through the resource objects), and for pages older than what is stored. When
 * WAHA fails, whatever is stored is answered all the same.
 */
import { scopedAgent } from "../auth/access.ts";
import type { Config } from "../config.ts";
import type { Failure, Result } from "../contracts/result.ts";
import { chatOwner } from "../db.ts";
import { resolveChat } from "../ids/resolve-chat.ts";
import { type Audience, broadcastAll, chatAudience, type Fanout } from "../realtime/broadcast.ts";
import { parseLabels } from "../team/labels.ts";
import { wakeSnoozed } from "../team/status.ts";
import type { User } from "../types.ts";
import { ACK_NAMES } from "../waha/acks.ts";
import { invalidateMessages, readCached } from "../waha/cached-reads.ts";
import { isStoreDisabled, storeDisabledFailure } from "../waha/noweb-store.ts";
import type { WaNumber } from "../waha/numbers.ts";
import type { ListedChat } from "../waha/resource-loaders.ts";
import { reportUnannounced } from "../waha/session-silence.ts";
import {
  type BrowserMessage,
  type ChatSummary,
  rowToBrowser,
  storedToBrowser,
} from "./browser-shapes.ts";
import { storedAcks } from "./changes.ts";
import {
  type ChatListFilter,
  countStoredChats,
  listStoredChats,
  markChatChecked,
  storeChatList,
} from "./chats.ts";
import { applyEarlyInChat } from "./early-changes.ts";
import { chatState, pageMessages, storedMessage, storePage } from "./messages.ts";
import type { StoredMessage } from "./stored-message.ts";

/** Where the browser fetches a contact's picture: the gateway's avatar route. */
export function avatarPath(number: string, jid: string): string {
  return `/api/wa/avatar?number=${encodeURIComponent(number)}&jid=${encodeURIComponent(jid)}`;
}

/**
 * A chat's first page from WAHA, and the page a reconcile compares with: a browser's page
 * (50) and the oldest second, which a full page may cut and the store leaves out.
 */
export const FILL_PAGE = 70;
/** At most this many @lid chats of WAHA's list are asked about per reconcile. */
const LID_LOOKUPS = 10;

const reconciled = new Map<string, number>();

function settingKey(number: string): string {
  return `chats_reconciled_at:${number}`;
}

async function chatsReconciledAt(db: D1Database, number: string): Promise<number> {
  const cached = reconciled.get(number);
  if (cached !== undefined) return cached;
  const row = await db
    .prepare("SELECT value FROM settings WHERE key = ?")
    .bind(settingKey(number))
    .first<{ value: string }>();
  const at = row ? Number(row.value) : 0;
  reconciled.set(number, at);
  return at;
}

async function markChatsReconciled(db: D1Database, number: string, at: number): Promise<void> {
  reconciled.set(number, at);
  await db
    .prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(settingKey(number), String(at))
    .run();
}

/** WAHA's chat list into the store, lids mapped where known (a few new ones asked). */
async function reconcileChats(env: Env, wa: WaNumber, now: number): Promise<Failure | null> {
  const answer = await readCached(env, wa, { kind: "chats" });
  if (!answer.ok) return answer.failure;
  const number = wa.id;
  // Mappings already known cost nothing; a lid not asked about yet waits for a later
  // reconcile, as filing it under the lid now would list the person twice once mapped.
  const budget = { left: LID_LOOKUPS };
  const chats: ListedChat[] = [];
  for (const chat of answer.value) {
    const jid = await resolveChat(env, wa, chat.jid, now, budget);
    if (jid !== null) chats.push({ ...chat, jid });
  }
  await storeChatList(env.DB, number, chats);
  await markChatsReconciled(env.DB, number, now);
  return null;
}

/** One number's chats this user may see, newest first, each naming the number. */
export async function chatList(
  env: Env,
  config: Config,
  wa: WaNumber,
  user: User,
  filter: ChatListFilter = {},
  now = Date.now(),
): Promise<Result<ChatSummary[]>> {
  const number = wa.id;
  const due = now - (await chatsReconciledAt(env.DB, number)) >= config.WA_STORE_RECONCILE_MS;
  if (due) {
    const failure = await reconcileChats(env, wa, now);
    if (failure) {
      // A session that is not WORKING is no error of the list: what is stored is the answer.
      if (!sessionDown(failure) && (await countStoredChats(env.DB, number)) === 0) {
        return { ok: false, failure: orStoreOff(failure, "the chat list") };
      }
      // WAHA refused (a 4xx: its NOWEB store off, say): it would refuse again until then.
      if (failure.upstreamStatus !== undefined) await markChatsReconciled(env.DB, number, now);
    }
  }
  // Snoozes that have run out end before the list is read.
  await broadcastAll(env, number, await wakeSnoozed(env.DB, number, now));
  const rows = await listStoredChats(env.DB, number, scopedAgent(user), filter);
  return {
    ok: true,
    value: rows.map((r) => ({
      id: r.jid,
      number,
      avatarUrl: r.avatar === "none" ? null : avatarPath(number, r.jid),
      name: r.name?.trim() || (r.jid.split("@")[0] ?? r.jid),
      unreadCount: r.unread_count,
      lastMessageAt: r.last_message_at ? new Date(r.last_message_at).toISOString() : null,
      preview: r.preview,
      isGroup: r.is_group === 1,
      owner: r.owner,
      status: r.status,
      snoozeUntil: r.snooze_until === null ? null : new Date(r.snooze_until).toISOString(),
      labels: parseLabels(r.labels),
    })),
  };
}

/** WAHA could not be asked because the WhatsApp number is not WORKING (WAHA itself is up). */
function sessionDown(failure: Failure): boolean {
  return failure.sessionStatus !== undefined;
}

/** What a reconcile of a chat filled at `filledAt` expects webhooks to have brought. */
interface Reconcile {
  filledAt: number;
  silenceMs: number;
}

/** WAHA's refusal for want of its NOWEB store, said plainly; any other failure as it is. */
function orStoreOff(failure: Failure, what: string): Failure {
  return isStoreDisabled(failure) ? storeDisabledFailure(what) : failure;
}

/** WEBJS ran out of calls while WhatsApp Web was still loading: the page comes on asking again. */
const HISTORY_LOADING: Failure = {
  status: 503,
  error: "history-loading",
  message:
    "WAHA (WEBJS) is still loading older messages, one WhatsApp Web batch at a time; ask again",
  retryAfterMs: 1_000,
};

/**
 * WAHA's newest page, or its history back from `beforeId`, into the store (whole seconds;
 * see waha/history.ts); the chat is marked complete once WAHA has nothing older. Stored
 * all the same, a read whose calls ran out answers HISTORY_LOADING. On a reconcile, messages
 * newer than the fill and older than the silence window that only this page stored were
 * announced by no webhook: the session's watch hears of them (a WORKING session whose
 * webhooks stopped is SILENT).
 */
async function fetchPage(
  env: Env,
  wa: WaNumber,
  jid: string,
  limit: number,
  beforeId: string | null,
  now: number,
  findStart = false,
  reconcile: Reconcile | null = null,
): Promise<Failure | null> {
  const spec = { kind: "messages", jid, limit, beforeId } as const;
  const answer = await readCached(env, wa, findStart ? { ...spec, findStart } : spec);
  if (!answer.ok) return answer.failure;
  const number = wa.id;
  const { messages, end, unfinished } = answer.value;
  const acks = await storedAcks(
    env.DB,
    number,
    jid,
    messages.map((m) => m.id),
  );
  // History read back goes before what is stored of its seconds, so readers page on to it.
  const placement = beforeId === null ? "after" : "before";
  const fresh = await storePage(env.DB, number, jid, messages, now, end, placement);
  if (reconcile) {
    const missed = fresh
      .map((m) => m.ts * 1000)
      .filter((at) => at > reconcile.filledAt && at <= now - reconcile.silenceMs);
    if (missed.length > 0) await reportUnannounced(env, number, missed.length, Math.max(...missed));
  }
  // Receipts, edits, reactions and deletions kept for messages this page brought.
  await applyEarlyInChat(env.DB, number, jid, now);
  await announceAcks(env, number, jid, messages, acks);
  if (!unfinished) return null;
  // Asked again, WAHA loads on: the unfinished read must not be answered from the cache.
  await invalidateMessages(env, number, jid);
  return HISTORY_LOADING;
}

/**
 * Receipts a WAHA page shows that no webhook brought, said to browsers as webhooks' are. WEBJS
 * sends no group receipts unless the session has `webjs.tagsEventsOn` (off by default), so a
 * group message's status reaches the inbox only this way there.
 * WAHA: src/structures/sessions.dto.ts (WebjsConfig.tagsEventsOn), src/core/engines/webjs/
 * session.webjs.core.ts (TAG_RECEIPT → message.ack.group).
 */
async function announceAcks(
  env: Env,
  number: string,
  jid: string,
  page: StoredMessage[],
  before: Map<string, number | null>,
): Promise<void> {
  const frames: Fanout = [];
  let audience: Audience | null = null;
  for (const m of page) {
    const was = before.get(m.id);
    // Only messages stored before (new ones are no news) that the page moved forward, as
    // storePage does; an error is left to the webhook that says so.
    if (was === undefined || m.ack === null || m.ack < 0 || m.ack <= (was ?? -2)) continue;
    audience ??= chatAudience(await chatOwner(env.DB, number, jid));
    frames.push({
      event: { type: "message.status", jid, id: m.id, status: ACK_NAMES[m.ack] ?? "UNKNOWN" },
      audience,
    });
  }
  await broadcastAll(env, number, frames);
}

/**
 * A chat's messages, newest first; with `beforeId`, the `limit` older than it. Filled
 * from WAHA on first open and reconciled when due; a page the store cannot fill reads
 * WAHA's history back from the oldest stored message, until WAHA has nothing older (a
 * short page from WAHA is no sign of that on WEBJS). A browser takes a short page for the
 * start of the chat, so one is answered only there (or while WAHA cannot be asked).
 */
export async function messagePage(
  env: Env,
  config: Config,
  wa: WaNumber,
  jid: string,
  limit: number,
  beforeId: string | null,
  now = Date.now(),
): Promise<Result<BrowserMessage[]>> {
  const number = wa.id;
  const db = env.DB;
  const state = await chatState(db, number, jid);
  if (beforeId === null) {
    // A chat never filled is due at once, unless WAHA refused to fill it a moment ago.
    const due = now - (state?.reconciledAt ?? 0) >= config.WA_STORE_RECONCILE_MS;
    if (due) {
      const findStart = !(state?.complete ?? false);
      const filledAt = state?.filledAt ?? null;
      const reconcile = filledAt === null ? null : { filledAt, silenceMs: config.WAHA_SILENCE_MS };
      const failure = await fetchPage(env, wa, jid, FILL_PAGE, null, now, findStart, reconcile);
      // WAHA refused (a 4xx: its NOWEB store off, say): not asked again before the next reconcile.
      if (failure?.upstreamStatus !== undefined && state)
        await markChatChecked(db, number, jid, now);
      if (failure && state?.filledAt == null) {
        const stored = await pageMessages(db, number, jid, limit);
        if (stored.length === 0 && !sessionDown(failure))
          return { ok: false, failure: orStoreOff(failure, `chat ${jid}`) };
        return { ok: true, value: stored.map((row) => rowToBrowser(row, number)) };
      }
    }
  }
  const cursor = beforeId === null ? null : await storedMessage(db, number, jid, beforeId);
  if (beforeId !== null && !cursor) return unstoredCursor(env, wa, jid, limit, beforeId);
  const before = cursor ?? undefined;
  let rows = await pageMessages(db, number, jid, limit, before);
  const complete = (await chatState(db, number, jid))?.complete ?? false;
  const oldest = rows.at(-1) ?? cursor;
  if (rows.length < limit && !complete && oldest) {
    // Past the stored horizon: WAHA's history back from the oldest stored message, asked
    // with WAHA's own id for it (GOWS adds us to our group messages' ids).
    const failure = await fetchPage(env, wa, jid, limit, oldest.waha_id, now);
    if (!failure || failure === HISTORY_LOADING) {
      rows = await pageMessages(db, number, jid, limit, before);
    }
    // A short page would read as the chat's start: an older page still loading says so
    // instead (the newest page answers what there is). Without its store WAHA has no history
    // to give: what is stored is all there is.
    if (failure === HISTORY_LOADING && cursor && rows.length < limit) return { ok: false, failure };
    if (failure && failure !== HISTORY_LOADING && rows.length === 0 && cursor) {
      if (!isStoreDisabled(failure)) return { ok: false, failure };
    }
  }
  return { ok: true, value: rows.map((row) => rowToBrowser(row, number)) };
}

/**
 * A cursor the store does not have (another gateway's, or pruned): WAHA's history (or its
 * 404 message-not-found) is answered as it is and not stored, so the store never holds a
 * gap that a later page from a stored cursor would skip.
 */
async function unstoredCursor(
  env: Env,
  wa: WaNumber,
  jid: string,
  limit: number,
  beforeId: string,
): Promise<Result<BrowserMessage[]>> {
  const answer = await readCached(env, wa, { kind: "messages", jid, limit, beforeId });
  if (!answer.ok) return { ok: false, failure: orStoreOff(answer.failure, `beforeId ${beforeId}`) };
  // Chronological as the store would keep it, then what came before the cursor, newest first.
  const chronological = answer.value.messages
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.ts - b.m.ts || a.i - b.i)
    .map(({ m }) => m);
  const at = chronological.findIndex((m) => m.id === beforeId || m.wahaId === beforeId);
  return {
    ok: true,
    value: chronological
      .slice(0, Math.max(at, 0))
      .reverse()
      .slice(0, limit)
      .map((m) => storedToBrowser(m, wa.id)),
  };
}
