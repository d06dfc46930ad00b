/** Types shared by the Hono app, its middleware and routes. */
import type { User } from "./auth/user.ts";
import type { Config } from "./config.ts";
import type { Me } from "./contracts/api.ts";
import type { WaNumber } from "./waha/numbers.ts";

export type { User } from "./auth/user.ts";
export type { Role } from "./contracts/api.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    requestId: string;
    user: User;
    /** When the bearer token stops being valid (ms since the epoch). */
    tokenExpiresAt: number;
    /** How the request signed in, and where the inbox's Sign out goes for it. */
    signIn: Pick<Me, "via" | "signOutUrl">;
    /** The WhatsApp number a chat-scoped request is for (middleware/number.ts). */
    number: WaNumber;
  };
}
