/**
 * JSON Web Key Sets: the public keys of an issuer, fetched from its JWKS URL and kept in
 * isolate memory. A set is refreshed when its Cache-Control max-age runs out (bounded),
 * behind the answer that noticed it, or when a token names a `kid` it lacks, never more
 * than once a minute per URL; while a refresh fails, the last good keys keep working.
 */
import type { AsymmetricAlg } from "./jwt-verify.ts";
import { base64UrlDecode, clip } from "./jwt-verify.ts";

export type KeyLookup =
  | { status: "found"; key: CryptoKey }
  | { status: "unknown-key"; reason: string }
  | { status: "unavailable"; reason: string };

/** How long a set is used without asking again, when the server says nothing (or too little/much). */
export const JWKS_DEFAULT_TTL_MS = 10 * 60_000;
export const JWKS_MIN_TTL_MS = 60_000;
export const JWKS_MAX_TTL_MS = 24 * 3600_000;
/** At most one fetch per URL in this long, however many tokens name unknown keys. */
export const JWKS_REFRESH_INTERVAL_MS = 60_000;
/** Before any key was ever loaded, a failed fetch is tried again after this long. */
const FIRST_LOAD_RETRY_MS = 5_000;
export const JWKS_TIMEOUT_MS = 5_000;
/**
 * Past its max-age a set still signs people in at once while it is refreshed in the
 * background, so a hung key server never makes sign-in wait. Not forever: an isolate
 * that saw no sign-in for a day would otherwise answer once from keys the issuer may
 * have revoked since (a leaked key is rotated away in hours). Past this bound the
 * request waits for the refresh, as a first load does; if that fails the last good keys
 * still answer, the rule for an issuer that is down.
 */
export const JWKS_STALE_MAX_MS = 24 * 3600_000;
const MAX_BYTES = 256 * 1024;
const MAX_KEYS = 50;
/** RSA keys below 2048 bits are refused. */
const RSA_MIN_MODULUS_BYTES = 256;

interface UsableKey {
  id: string;
  kid: string | undefined;
  alg: AsymmetricAlg;
  jwk: JsonWebKey;
  imported?: Promise<CryptoKey | undefined>;
}

interface KeySet {
  /** The last set that loaded; undefined until one has. */
  keys: UsableKey[] | undefined;
  freshUntil: number;
  lastAttemptAt: number;
  loading: Promise<void> | undefined;
  loadingSince: number;
  lastError: string | undefined;
}

const sets = new Map<string, KeySet>();

/**
 * The key for a token's `kid` and `alg` from the set at `url`, loading or refreshing it
 * as allowed; a refresh that need not be waited for runs in `ctx.waitUntil`.
 */
export async function findKey(
  url: string,
  kid: string | undefined,
  alg: AsymmetricAlg,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<KeyLookup> {
  let set = sets.get(url);
  if (!set) {
    set = {
      keys: undefined,
      freshUntil: 0,
      lastAttemptAt: Number.NEGATIVE_INFINITY,
      loading: undefined,
      loadingSince: 0,
      lastError: undefined,
    };
    sets.set(url, set);
  }
  const now = Date.now();
  if (set.keys === undefined || now >= set.freshUntil + JWKS_STALE_MAX_MS) {
    if (mayFetch(set)) await refresh(url, set);
  } else if (now >= set.freshUntil && mayFetch(set)) {
    // Stale but trusted: these keys answer now; the load has its own timeout.
    ctx.waitUntil(loading(url, set));
  }
  if (set.keys === undefined) {
    return { status: "unavailable", reason: set.lastError ?? "no keys loaded yet" };
  }
  let match = pick(set.keys, kid, alg);
  if (match.key === undefined && mayFetch(set)) {
    await refresh(url, set);
    match = pick(set.keys, kid, alg);
  }
  if (match.key === undefined) return { status: "unknown-key", reason: match.reason };
  match.key.imported ??= importKey(match.key);
  const key = await match.key.imported;
  if (!key) return { status: "unknown-key", reason: `key ${clip(kid)} could not be imported` };
  return { status: "found", key };
}

function mayFetch(set: KeySet): boolean {
  if (set.loading) return true;
  const wait = set.keys === undefined ? FIRST_LOAD_RETRY_MS : JWKS_REFRESH_INTERVAL_MS;
  return Date.now() - set.lastAttemptAt >= wait;
}

function pick(
  keys: UsableKey[],
  kid: string | undefined,
  alg: AsymmetricAlg,
): { key: UsableKey; reason?: undefined } | { key?: undefined; reason: string } {
  const candidates = keys.filter((k) => k.alg === alg && (kid === undefined || k.kid === kid));
  const [only] = candidates;
  if (kid === undefined) {
    // Without a kid the key is unambiguous only when the set holds one key for this alg.
    return only && candidates.length === 1
      ? { key: only }
      : { reason: `token has no kid and the set holds ${candidates.length} ${alg} keys` };
  }
  return only ? { key: only } : { reason: `no ${alg} key with kid ${clip(kid)} in the set` };
}

/** The load under way for this URL, started when none is: one at a time per URL. */
function loading(url: string, set: KeySet): Promise<void> {
  // A load started by a request that was cancelled may never settle: past its timeout it
  // no longer counts as under way.
  if (set.loading && Date.now() - set.loadingSince > JWKS_TIMEOUT_MS + 1_000) {
    set.loading = undefined;
  }
  if (set.loading) return set.loading;
  set.loadingSince = Date.now();
  const started: Promise<void> = load(url, set).finally(() => {
    if (set.loading === started) set.loading = undefined;
  });
  set.loading = started;
  return started;
}

/** Waits for the load; a caller never waits longer than the fetch timeout (and a bit). */
async function refresh(url: string, set: KeySet): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, JWKS_TIMEOUT_MS + 1_000);
  });
  try {
    await Promise.race([loading(url, set), giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

async function load(url: string, set: KeySet): Promise<void> {
  set.lastAttemptAt = Date.now();
  try {
    const res = await fetch(url, {
      headers: { Accept: "application/json" },
      // A key server that redirects is misconfigured; its keys are not taken from elsewhere.
      redirect: "manual",
      signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`answered ${res.status}`);
    }
    if (Number(res.headers.get("Content-Length") ?? 0) > MAX_BYTES) {
      await res.body?.cancel();
      throw new Error(`is larger than ${MAX_BYTES} bytes`);
    }
    const text = await res.text();
    if (text.length > MAX_BYTES) throw new Error(`is larger than ${MAX_BYTES} bytes`);
    const keys = parseKeySet(JSON.parse(text));
    if (keys.length === 0) throw new Error("holds no RS256 or ES256 signing key");
    // Keys already imported stay imported.
    const known = new Map((set.keys ?? []).map((k) => [k.id, k]));
    set.keys = keys.map((k) => known.get(k.id) ?? k);
    set.freshUntil = Date.now() + ttlFrom(res.headers.get("Cache-Control"));
    set.lastError = undefined;
  } catch (err) {
    set.lastError = `the key set ${err instanceof SyntaxError ? "is not JSON" : err instanceof Error ? err.message : String(err)}`;
    const kept = set.keys ? "the previous keys stay in use" : "no keys to verify with yet";
    console.log(`[auth] JWKS ${url}: ${set.lastError}; ${kept}`);
  }
}

function ttlFrom(cacheControl: string | null): number {
  const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? "")?.[1];
  if (maxAge === undefined) return JWKS_DEFAULT_TTL_MS;
  return Math.min(JWKS_MAX_TTL_MS, Math.max(JWKS_MIN_TTL_MS, Number(maxAge) * 1000));
}

/** The RS256 and ES256 signing keys of a `{keys: [...]}` document; others are left out. */
export function parseKeySet(doc: unknown): UsableKey[] {
  if (typeof doc !== "object" || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new Error("has no keys array");
  }
  const usable: UsableKey[] = [];
  for (const raw of (doc as { keys: unknown[] }).keys.slice(0, MAX_KEYS)) {
    const key = usableKey(raw);
    if (key) usable.push(key);
  }
  return usable;
}

function usableKey(raw: unknown): UsableKey | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const k = raw as Record<string, unknown>;
  if (k.use !== undefined && k.use !== "sig") return undefined;
  if (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes("verify"))) {
    return undefined;
  }
  const kid = typeof k.kid === "string" && k.kid !== "" ? k.kid : undefined;
  if (k.kty === "RSA" && (k.alg === undefined || k.alg === "RS256")) {
    if (typeof k.n !== "string" || typeof k.e !== "string") return undefined;
    const modulus = base64UrlDecode(k.n);
    if (!modulus || modulus.byteLength < RSA_MIN_MODULUS_BYTES || !base64UrlDecode(k.e)) {
      return undefined;
    }
    return {
      id: `RS256 ${kid} ${k.n} ${k.e}`,
      kid,
      alg: "RS256",
      jwk: { kty: "RSA", n: k.n, e: k.e, ext: true },
    };
  }
  if (k.kty === "EC" && k.crv === "P-256" && (k.alg === undefined || k.alg === "ES256")) {
    if (typeof k.x !== "string" || typeof k.y !== "string") return undefined;
    return {
      id: `ES256 ${kid} ${k.x} ${k.y}`,
      kid,
      alg: "ES256",
      jwk: { kty: "EC", crv: "P-256", x: k.x, y: k.y, ext: true },
    };
  }
  return undefined;
}

async function importKey(key: UsableKey): Promise<CryptoKey | undefined> {
  const algorithm =
    key.alg === "ES256"
      ? { name: "ECDSA", namedCurve: "P-256" }
      : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  try {
    return await crypto.subtle.importKey("jwk", key.jwk, algorithm, false, ["verify"]);
  } catch (err) {
    console.log(`[auth] JWKS key ${clip(key.kid)} was refused by WebCrypto: ${String(err)}`);
    return undefined;
  }
}
