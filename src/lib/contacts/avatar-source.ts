/**
 * Where a contact's profile picture comes from: WAHA's profile-picture call names a URL on
 * WhatsApp's picture CDN (or nothing, when the person has no picture or hides it), and the
 * bytes are fetched from there, without WAHA's key. The saved name is read from WAHA's
 * contacts API alongside, where the engine keeps one.
 * WAHA: src/api/contacts.controller.ts (getProfilePicture → {profilePictureURL}, get),
 * src/core/abc/session.abc.ts (getContactProfilePicture), engines' fetchContactProfilePicture
 * (NOWEB: Baileys profilePictureUrl, null on item-not-found / not-authorized).
 */
import type { Failure, Result } from "../contracts/result.ts";
import { callWaha } from "../waha/client.ts";
import type { WaNumber } from "../waha/numbers.ts";
import { wahaPaths } from "../waha/wire.ts";

/** Larger than any profile picture WhatsApp serves (640 px JPEG); more is refused. */
export const AVATAR_MAX_BYTES = 1_048_576;

export type AvatarLoad =
  | { kind: "picture"; bytes: ArrayBuffer; mimetype: string; savedName: string | null }
  | { kind: "none"; savedName: string | null };

/**
 * Where the picture is fetched from: WhatsApp's CDN (https, `*.whatsapp.net`) as named, and
 * anything else only as its path on WAHA_URL's origin (a WAHA behind a proxy or in a
 * container names hosts the gateway cannot reach; media URLs are rewritten the same way).
 * Never with WAHA's key.
 */
export function pictureFetchUrl(raw: string, wahaUrl: string): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username !== "" || url.password !== "") return null;
  if (url.protocol === "https:" && url.hostname.endsWith(".whatsapp.net")) return url;
  if (url.pathname.split("/").some((seg) => seg === ".." || seg === ".")) return null;
  return new URL(`${url.pathname}${url.search}`, new URL(wahaUrl).origin);
}

function upstream(message: string): Failure {
  return { status: 502, error: "avatar-upstream", message, retryAfterMs: 30_000 };
}

async function savedName(env: Env, wa: WaNumber, jid: string): Promise<string | null> {
  const answer = await callWaha(env, wa, {
    endpoint: "contact",
    method: "GET",
    path: wahaPaths.contact(wa.session, jid),
  });
  if (!answer.ok || typeof answer.value.body !== "object" || answer.value.body === null)
    return null;
  const name = (answer.value.body as { name?: unknown }).name;
  return typeof name === "string" && name.trim() !== "" ? name.trim().slice(0, 200) : null;
}

/** One look at WAHA for the contact `jid` (a person, or a group's picture). */
export async function loadAvatar(env: Env, wa: WaNumber, jid: string): Promise<Result<AvatarLoad>> {
  const answer = await callWaha(env, wa, {
    endpoint: "contact-picture",
    method: "GET",
    path: wahaPaths.profilePicture(wa.session, jid),
  });
  if (!answer.ok) return answer;
  const body = answer.value.body as { profilePictureURL?: unknown } | null;
  const name = jid.endsWith("@g.us") ? null : await savedName(env, wa, jid);
  const raw = body?.profilePictureURL;
  if (typeof raw !== "string" || raw === "")
    return { ok: true, value: { kind: "none", savedName: name } };
  const url = pictureFetchUrl(raw, wa.url);
  if (!url) return { ok: false, failure: upstream("WAHA named a picture URL that cannot be read") };
  let res: Response;
  try {
    res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    return { ok: false, failure: upstream(`the picture could not be fetched: ${String(err)}`) };
  }
  // An expired CDN link (WhatsApp signs them for a while): treated as no picture until the TTL.
  if (res.status === 404 || res.status === 403 || res.status === 410) {
    await res.body?.cancel();
    return { ok: true, value: { kind: "none", savedName: name } };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return { ok: false, failure: upstream(`the picture's host answered ${res.status}`) };
  }
  const bytes = await res.arrayBuffer();
  if (bytes.byteLength === 0 || bytes.byteLength > AVATAR_MAX_BYTES) {
    return { ok: true, value: { kind: "none", savedName: name } };
  }
  const type = res.headers.get("Content-Type") ?? "";
  const mimetype = /^image\/[a-z0-9.+-]+$/i.test(type.split(";")[0]?.trim() ?? "")
    ? (type.split(";")[0]?.trim() ?? "image/jpeg")
    : "image/jpeg";
  return { ok: true, value: { kind: "picture", bytes, mimetype, savedName: name } };
}
