/**
 * A chat's history read from WAHA in whole seconds. WhatsApp stamps messages in seconds and
 * WAHA pages by time (`filter.timestamp.lte`), so a page may stop inside a second: the part
 * of that second it leaves out would land on the wrong side of what is stored, or never be
 * asked for when a burst fills whole pages (the page before the cursor's second was never
 * reached). A read therefore asks at the cursor's second for more until a second older than
 * it is in hand, and the oldest second of a page, perhaps cut short, is left for the next
 * read. The history ends only where WAHA has nothing older (or a short page on NOWEB and
 * GOWS, whose stores list everything asked for); WEBJS lists what WhatsApp Web has loaded
 * (waha/webjs-history.ts).
 * WAHA: src/structures/chats.dto.ts (GetChatMessagesFilter), the engines' getChatMessages
 * (WebjsClientCore.ts getMessages, NOWEB's store getMessagesByJid, GOWS).
 */
import type { ResourceSpec } from "../contracts/resources.ts";
import type { Failure, Result } from "../contracts/result.ts";
import { type StoredMessage, toStoredMessage } from "../store/stored-message.ts";
import { isStoreDisabled } from "./noweb-store.ts";
import type { LoadContext } from "./resource-loaders.ts";
import { isWhatsAppWebRecord, NOT_LOADED_YET } from "./webjs-history.ts";
import { messageSchema, type WahaMessage, wahaPaths } from "./wire.ts";

/** One read of a chat's history: newest first, whole seconds only. */
export interface HistoryPage {
  messages: StoredMessage[];
  /** WAHA has nothing older than these. */
  end: boolean;
  /** The calls ran out before a page's worth came (WhatsApp Web still loading batches). */
  unfinished: boolean;
}

/** Messages kept per chat object for paging (id → time); the oldest seen go first. */
const SEEN_KEPT = 2_000;
/** Asked for past `limit`, for the cursor's own second and the oldest one, left out. */
const SLACK = 20;
/**
 * Most WAHA calls one read makes (one more finds the cursor): WEBJS loads one batch per
 * call, and after WAHA restarts its browser a reader's cursor may be many batches back.
 */
export const MAX_HISTORY_CALLS = 12;

type Failed = { ok: false; failure: Failure };

interface Listed {
  messages: WahaMessage[];
  /** The answer came from WEBJS (WhatsApp Web's raw model rides along). */
  webjs: boolean;
}

async function list(
  ctx: LoadContext,
  jid: string,
  limit: number,
  before?: number,
): Promise<Result<Listed>> {
  const result = await ctx.fetch({
    endpoint: "messages",
    method: "GET",
    path: wahaPaths.messages(ctx.session, jid, limit, before),
  });
  if (!result.ok) return result;
  const body = result.value.body;
  if (!Array.isArray(body)) return invalid("not an array");
  const messages: WahaMessage[] = [];
  for (const raw of body) {
    const parsed = messageSchema.safeParse(raw);
    if (parsed.success) messages.push(parsed.data);
  }
  remember(ctx.seen, messages);
  return { ok: true, value: { messages, webjs: body.some(isWhatsAppWebRecord) } };
}

function invalid(detail: string): Failed {
  return {
    ok: false,
    failure: {
      status: 502,
      error: "upstream-invalid",
      message: `WAHA's messages answer is not as expected: ${detail}`,
    },
  };
}

function remember(seen: Map<string, number>, messages: WahaMessage[]): void {
  for (const m of messages) {
    // Re-inserted so the map drops the messages seen longest ago first.
    seen.delete(m.id);
    seen.set(m.id, m.timestamp);
  }
  for (const id of seen.keys()) {
    if (seen.size <= SEEN_KEPT) break;
    seen.delete(id);
  }
}

function messageNotFound(jid: string, id: string): Failed {
  return {
    ok: false,
    failure: {
      status: 404,
      error: "message-not-found",
      message: `beforeId: chat ${jid} has no message ${id}`,
    },
  };
}

/** beforeId's time: from what this chat's pages showed, else one lookup of that message. */
async function timeOf(ctx: LoadContext, jid: string, id: string): Promise<Result<number>> {
  const known = ctx.seen.get(id);
  if (known !== undefined) return { ok: true, value: known };
  const result = await ctx.fetch({
    endpoint: "message",
    method: "GET",
    path: wahaPaths.message(ctx.session, jid, id, false),
  });
  if (!result.ok) {
    const upstream = result.failure.upstreamStatus;
    // WAHA without its NOWEB store refuses every lookup (400): that is no answer about the id.
    if (isStoreDisabled(result.failure)) return result;
    return upstream === 404 || upstream === 400 ? messageNotFound(jid, id) : result;
  }
  const parsed = messageSchema.safeParse(result.value.body);
  if (!parsed.success) return messageNotFound(jid, id);
  return { ok: true, value: parsed.data.timestamp };
}

/** A read's messages so far, newest first, and how the read ended. */
interface Read {
  messages: WahaMessage[];
  end: boolean;
  unfinished: boolean;
}

/**
 * Newest first, in whole seconds. An answer cut by its `limit` stops inside its oldest
 * second having listed that second's *first* messages (WAHA sorts newest first, and keeps
 * same-second ones in the order they came), so the rest, newer, would land below them: that
 * second is left for the next read, unless it is all there is (a burst bigger than the
 * answer, kept so the read moves on). An answer short of its limit is whole: on WEBJS its
 * oldest second can only lack older messages of WhatsApp Web's next batch, which a later
 * read puts below.
 */
function wholeSeconds(messages: WahaMessage[], cut: boolean): WahaMessage[] {
  const oldest = messages.at(-1)?.timestamp;
  if (!cut || oldest === undefined || messages.every((m) => m.timestamp === oldest)) {
    return messages;
  }
  return messages.filter((m) => m.timestamp > oldest);
}

/**
 * WAHA's messages at or before `second` (newest first; none given: the newest), until `want`
 * messages older than it are in hand in whole seconds, WAHA has nothing more, or the calls
 * run out. Each call asks from the top for twice as many, never by offset: WEBJS lists what
 * WhatsApp Web has loaded, one more batch per call, and an older batch lands *inside* a
 * crowded second, so offsets would skip or repeat messages. WEBJS's 500 for a time WhatsApp
 * Web has not loaded yet is asked again (each ask loads a batch).
 */
async function walk(
  ctx: LoadContext,
  jid: string,
  second: number | undefined,
  want: number,
  from: Listed,
): Promise<Result<Read>> {
  let messages = from.messages;
  let webjs = from.webjs;
  let cut = true;
  let limit = Math.max(want + SLACK, 2 * messages.length);
  for (let call = 0; call < MAX_HISTORY_CALLS; call++) {
    const got = await list(ctx, jid, limit, second);
    if (!got.ok) {
      if (got.failure.error === NOT_LOADED_YET) continue;
      if (messages.length === 0) return got;
      break;
    }
    webjs ||= got.value.webjs;
    const listed = got.value.messages;
    const seen = new Set(messages.map((m) => m.id));
    const fresh = listed.some((m) => !seen.has(m.id));
    const shown = new Set(listed.map((m) => m.id));
    // The newest answer's order; anything it no longer reaches stays, after it.
    messages = [...listed, ...messages.filter((m) => !shown.has(m.id))];
    cut = listed.length >= limit;
    // All there is at or before the second: the start of the chat. A store (NOWEB, GOWS)
    // lists all it has; WEBJS has said so only when another batch brought nothing.
    if (!cut && (!webjs || !fresh)) {
      return { ok: true, value: { messages, end: true, unfinished: false } };
    }
    const top = second ?? Number.POSITIVE_INFINITY;
    const settled = wholeSeconds(messages, cut).filter((m) => m.timestamp < top).length;
    if (settled >= want) {
      return {
        ok: true,
        value: { messages: wholeSeconds(messages, cut), end: false, unfinished: false },
      };
    }
    limit *= 2;
  }
  return {
    ok: true,
    value: { messages: wholeSeconds(messages, cut), end: false, unfinished: true },
  };
}

/**
 * The newest messages: one page, its oldest second left out when the page is cut (a burst
 * filling the page is walked until its second is whole). A short page is the whole chat on
 * NOWEB and GOWS; on WEBJS, with `findStart`, it is asked again to learn whether it is (the
 * first fill; a reconcile of a chat whose start is known needs not).
 */
async function newest(
  ctx: LoadContext,
  jid: string,
  limit: number,
  findStart: boolean,
): Promise<Result<HistoryPage>> {
  const got = await list(ctx, jid, limit);
  if (!got.ok) return got;
  const { messages, webjs } = got.value;
  const oldest = messages.at(-1)?.timestamp;
  if (oldest === undefined) return done(ctx, jid, { messages: [], end: true, unfinished: false });
  if (messages.length < limit) {
    if (!webjs) return done(ctx, jid, { messages, end: true, unfinished: false });
    if (!findStart) return done(ctx, jid, { messages, end: false, unfinished: false });
    const walked = await walk(ctx, jid, undefined, limit, got.value);
    return walked.ok ? done(ctx, jid, walked.value) : walked;
  }
  if (messages.some((m) => m.timestamp > oldest)) {
    return done(ctx, jid, {
      messages: wholeSeconds(messages, true),
      end: false,
      unfinished: false,
    });
  }
  const walked = await walk(ctx, jid, oldest, limit, got.value);
  return walked.ok ? done(ctx, jid, walked.value) : walked;
}

function done(ctx: LoadContext, jid: string, read: Read): Result<HistoryPage> {
  const messages = read.messages.map(
    (m): StoredMessage => ({ ...toStoredMessage(m, ctx.now), jid }),
  );
  return { ok: true, value: { ...read, messages } };
}

/**
 * A chat's messages, newest first. With `beforeId`: the cursor's second whole, and at least
 * `limit` messages older than it in whole seconds (fewer only where the history ends).
 */
export async function loadHistory(
  spec: ResourceSpec & { kind: "messages" },
  ctx: LoadContext,
): Promise<Result<HistoryPage>> {
  const { jid, limit, beforeId } = spec;
  if (beforeId === null) return newest(ctx, jid, limit, spec.findStart === true);
  const time = await timeOf(ctx, jid, beforeId);
  if (!time.ok) return time;
  const walked = await walk(ctx, jid, time.value, limit, { messages: [], webjs: false });
  return walked.ok ? done(ctx, jid, walked.value) : walked;
}
