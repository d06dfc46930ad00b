/**
 * Contacts: `GET /api/wa/avatar?number&jid`, a contact's profile picture through the
 * gateway. The edge cache answers first; a miss asks the contact's ContactAvatar object,
 * which asks WAHA at most once per WA_AVATAR_TTL_MS. No picture is a 404 that stays cooled
 * down (no WAHA call) until the same TTL is over.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod/mini";
import { canAccessChat, chatOwner } from "../lib/db.ts";
import { apiError, errorResponse, failureError } from "../lib/errors.ts";
import { chatJidSchema } from "../lib/ids/id-schemas.ts";
import type { AppEnv } from "../lib/types.ts";
import { parseInput } from "../lib/validate.ts";
import { requestNumber } from "../middleware/number.ts";

const avatarQuery = z.object({
  jid: chatJidSchema,
  number: z.optional(z.string().check(z.maxLength(64, { error: "must be at most 64 characters" }))),
});

/**
 * Whether the user may see the chat's face and summary: its owner and staff, and any agent
 * while the chat is unassigned and agents may take such chats.
 */
export async function maySeeSummary(c: Context<AppEnv>, number: string, jid: string) {
  if (await canAccessChat(c.env.DB, c.var.user, number, jid)) return true;
  return (
    c.var.config.WA_AGENTS_TAKE_UNASSIGNED === "on" &&
    (await chatOwner(c.env.DB, number, jid)) === null
  );
}

function cacheKey(origin: string, number: string, jid: string): string {
  return `${origin}/__avatar/${encodeURIComponent(number)}/${encodeURIComponent(jid)}`;
}

function pictureResponse(
  bytes: ArrayBuffer,
  mimetype: string,
  freshForMs: number,
  cache: string,
): Response {
  return new Response(bytes, {
    headers: {
      "Content-Type": mimetype,
      "Content-Length": String(bytes.byteLength),
      "Cache-Control": `private, max-age=${Math.max(0, Math.floor(freshForMs / 1000))}`,
      "X-Cache-Status": cache,
    },
  });
}

export const contacts = new Hono<AppEnv>().get("/wa/avatar", async (c) => {
  const query = parseInput(avatarQuery, c.req.query());
  const number = (await requestNumber(c)).id;
  if (!(await maySeeSummary(c, number, query.jid))) {
    throw apiError(403, "forbidden", "this chat is not assigned to you");
  }
  const key = cacheKey(new URL(c.req.url).origin, number, query.jid);
  const hit = await caches.default.match(key);
  if (hit) {
    const headers = new Headers(hit.headers);
    headers.set("X-Cache-Status", "HIT");
    headers.set("Cache-Control", "private, max-age=86400");
    const left = Number(hit.headers.get("X-Fresh-Until")) - Date.now();
    if (left > 0) headers.set("Cache-Control", `private, max-age=${Math.floor(left / 1000)}`);
    headers.delete("X-Fresh-Until");
    return new Response(hit.body, { headers });
  }
  const stub = c.env.CONTACT_AVATAR.get(c.env.CONTACT_AVATAR.idFromName(`${number}:${query.jid}`));
  const answer = await stub.read(number, query.jid);
  if (answer.kind === "failed") throw failureError(answer.failure);
  if (answer.kind === "none") {
    return errorResponse(
      404,
      "avatar-not-found",
      "WhatsApp has no profile picture for this contact (or it is hidden)",
      answer.freshForMs,
    );
  }
  if (answer.freshForMs >= 1_000) {
    // The edge keeps it for the rest of the TTL: most repeats never reach the object.
    const seconds = Math.floor(answer.freshForMs / 1000);
    const stored = new Response(answer.bytes, {
      headers: {
        "Content-Type": answer.mimetype,
        "Cache-Control": `max-age=${seconds}`,
        "X-Fresh-Until": String(Date.now() + answer.freshForMs),
      },
    });
    c.executionCtx.waitUntil(caches.default.put(key, stored));
  }
  return pictureResponse(answer.bytes, answer.mimetype, answer.freshForMs, answer.cache);
});
