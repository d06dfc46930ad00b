/**
 * `npm run migrate:chatassignment [-- --remote]`: applies the D1 migrations (ChatAssignment
 * and the tables around it) to the local database that `npm start` and `npm run gateway`
 * use, or with --remote to the Cloudflare database named in wrangler.toml.
 */
import { PERSIST_DIR, wrangler } from "./wrangler.ts";

const remote = process.argv.includes("--remote");
const unknown = process.argv.slice(2).filter((a) => a !== "--remote");
if (unknown.length > 0) {
  console.error(`migrate: unknown argument ${unknown.join(" ")} (only --remote is accepted)`);
  process.exit(2);
}
const target = remote ? ["--remote"] : ["--local", "--persist-to", PERSIST_DIR];
wrangler(["d1", "migrations", "apply", "DB", ...target], false);
