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
      /** A two-number file's numbers (test/two-numbers.ts), set by test/waha-url.ts. */
      WAHA_NUMBERS?: string;
      /** Test file (absolute path) → its second simulator's URL ("" for one-number files). */
      TEST_SECOND_WAHA_URLS: Record<string, string>;
      /** Migrations up to this name ("0009_…" sorts before it) are applied before the file. */
      TEST_MIGRATE_UP_TO?: string;
      /** The control URL of test/key-server.ts. */
      TEST_KEY_SERVER: string;
    }
  }
}
