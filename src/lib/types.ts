/** Types shared by the Hono app, its middleware and routes. */
import type { Config } from "./config.ts";

export type Role = "admin" | "user" | "agent";

export interface User {
  sub: string;
  role: Role;
  name?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    requestId: string;
    user: User;
    /** When the bearer token stops being valid (ms since the epoch). */
    tokenExpiresAt: number;
  };
}
