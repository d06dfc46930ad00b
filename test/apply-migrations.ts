import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Storage is isolated per test file; each file starts from the migrated schema, or (a file
// that upgrades an old database) from the schema as it was up to TEST_MIGRATE_UP_TO.
const upTo = env.TEST_MIGRATE_UP_TO;
await applyD1Migrations(
  env.DB,
  upTo === undefined ? env.TEST_MIGRATIONS : env.TEST_MIGRATIONS.filter((m) => m.name <= upTo),
);
