/** Set-up shared by the media tests: calls into the real app, simulator messages, log capture. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import app from "../src/index.ts";
import type { Role } from "../src/lib/types.ts";
import { ORIGIN, sim, tokenFor } from "./helpers.ts";

export const CHAT = "15550001111@c.us";

export interface SimMessage {
  id: string;
  media?: { url: string | null } | null;
}

export interface GetOptions {
  vars?: Record<string, string>;
  headers?: Record<string, string>;
  role?: Role;
  sub?: string;
}

/** Calls the real app with some config values replaced; the body is left unread. */
export async function open(
  jid: string,
  id: string,
  opts: GetOptions = {},
): Promise<{ res: Response; ctx: ExecutionContext }> {
  const headers = new Headers(opts.headers);
  headers.set("Authorization", `Bearer ${await tokenFor(opts.role ?? "admin", opts.sub)}`);
  const ctx = createExecutionContext();
  const url = `${ORIGIN}/api/wa/media?jid=${encodeURIComponent(jid)}&id=${encodeURIComponent(id)}`;
  const res = await app.fetch(new Request(url, { headers }), { ...env, ...opts.vars }, ctx);
  return { res, ctx };
}

/** Calls the real app and waits for its waitUntil work, with the body read. */
export async function get(jid: string, id: string, opts: GetOptions = {}): Promise<Response> {
  const { res, ctx } = await open(jid, id, opts);
  // Read the body before waiting, so streamed answers can finish.
  const body = await res.arrayBuffer().catch(() => null);
  await waitOnExecutionContext(ctx);
  return new Response(res.status === 304 ? null : body, res);
}

export async function newMessage(media?: {
  kind: string;
  size?: number;
  missing?: boolean;
  mimetype?: string;
}): Promise<SimMessage> {
  return sim.control<SimMessage>(
    "messages",
    media ? { chatId: CHAT, media } : { chatId: CHAT, body: "hi" },
  );
}

/** The bytes WAHA itself serves for a message's media. */
export async function upstreamBytes(id: string): Promise<Uint8Array> {
  const msg = await (
    await sim.waha(`/api/default/chats/${CHAT}/messages/${id}?downloadMedia=true`)
  ).json<SimMessage>();
  const url = msg.media?.url;
  if (!url) throw new Error(`message ${id} has no media url`);
  const res = await sim.waha(new URL(url).pathname);
  return new Uint8Array(await res.arrayBuffer());
}

/** Captures console.log lines per test; `mediaLogs(word)` picks `[wa media] <word> …`. */
export function captureLogs(): { lines: string[]; media: (word: string) => string[] } {
  const captured = { lines: [] as string[] };
  beforeEach(async () => {
    await sim.reset();
    captured.lines = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      captured.lines.push(String(line));
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return {
    get lines() {
      return captured.lines;
    },
    media: (word: string) => captured.lines.filter((l) => l.startsWith(`[wa media] ${word} `)),
  };
}
