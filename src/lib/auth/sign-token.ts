/**
 * Signing an HS256 token for a user: what the token tool, the demo stack and the tests hand
 * the gateway. Kept apart from the checks (tokens.ts) so Node tools import it without the
 * Worker's bindings.
 */
import { sign } from "hono/jwt";
import type { User } from "./user.ts";

/** Signs a token for `user` valid `ttlSeconds`; used by the token tool, demo and tests. */
export function signToken(user: User, secret: string, ttlSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ ...user, iat: now, exp: now + ttlSeconds }, secret, "HS256");
}
