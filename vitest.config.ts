import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/bindings.ts";
import { FILE_BINDINGS, workerdTestFiles } from "./test/workerd-files.ts";

// The Worker's tests run inside workerd against the real local D1, Durable Objects and
// Cache API, one project per file, each with its own WAHA simulator (test/global-setup.ts)
// and its own configuration (test/workerd-files.ts), so files run side by side. Pure logic
// (client library, tools) runs on Node; `wire` drives `wrangler dev` with a raw client.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      globalSetup: ["./test/global-setup.ts"],
      // Refused sign-ins log their reason by design; the tests that care read it themselves.
      onConsoleLog: (log: string) => !log.startsWith("[auth] "),
      // Two cores: two files at a time (vitest would take one less than the cores).
      maxWorkers: 2,
      projects: [
        ...workerdTestFiles().map((file) => ({
          extends: true,
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...TEST_BINDINGS,
                  ...FILE_BINDINGS[file],
                  WAHA_URL: inject("wahaUrls")[file] ?? "",
                  TEST_KEY_SERVER: inject("keyServerUrl"),
                  TEST_MIGRATIONS: migrations,
                },
                // An empty database for replaying migrations step by step.
                d1Databases: ["MIGRATION_DB"],
              },
            })),
          ],
          test: {
            name: `workers:${file.replace(/^test\//, "").replace(/\.test\.ts$/, "")}`,
            include: [file],
            setupFiles: ["./test/apply-migrations.ts"],
            // A rate-limit test may first wait up to 5 s for a fresh window (helpers.ts
            // startOfRateWindow); 5 s in all was too tight on a loaded 2-core machine.
            testTimeout: 20_000,
          },
        })),
        {
          extends: true,
          test: { name: "node", include: ["test/unit/**/*.test.ts"], environment: "node" },
        },
        {
          // The gateway under `wrangler dev`, read with a raw HTTP client: what goes out on the wire.
          extends: true,
          test: {
            name: "wire",
            include: ["test/wire/**/*.test.ts"],
            environment: "node",
            testTimeout: 60_000,
            hookTimeout: 90_000,
          },
        },
      ],
    },
  };
});
