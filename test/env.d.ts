import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      MIGRATION_DB: D1Database;
      WAHA_URL: string;
      /** Test file (absolute path) → its simulator's URL; test/waha-url.ts picks one. */
      TEST_WAHA_URLS: Record<string, string>;
      WAHA_API_KEY: string;
      JWT_SECRET: string;
      WAHA_WEBHOOK_HMAC_KEY: string;
      /** The control URL of test/key-server.ts. */
      TEST_KEY_SERVER: string;
    }
  }
}
