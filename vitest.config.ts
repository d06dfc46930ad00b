import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/bindings.ts";
import { workerdProjects } from "./test/workerd-files.ts";

// The Worker's tests run inside workerd against the real local D1, Durable Objects and
// Cache API: one project per configuration (test/workerd-files.ts), one workerd, storage
// and WAHA simulator per file (test/global-setup.ts), so files run side by side. Pure logic
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
        ...workerdProjects().map((group) => ({
          extends: true,
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...TEST_BINDINGS,
                  ...group.bindings,
                  // Each file's own simulator, set as WAHA_URL by test/waha-url.ts.
                  TEST_WAHA_URLS: Object.fromEntries(
                    group.files.map((file) => [
                      path.join(import.meta.dirname, file),
                      inject("wahaUrls")[file] ?? "",
                    ]),
                  ),
                  // A two-number file's second simulator (test/two-numbers.ts).
                  TEST_SECOND_WAHA_URLS: Object.fromEntries(
                    group.files.map((file) => [
                      path.join(import.meta.dirname, file),
                      inject("secondWahaUrls")[file] ?? "",
                    ]),
                  ),
                  TEST_KEY_SERVER: inject("keyServerUrl"),
                  TEST_MIGRATIONS: migrations,
                },
                // An empty database for replaying migrations step by step.
                d1Databases: ["MIGRATION_DB"],
              },
            })),
          ],
          test: {
            name: group.name,
            include: group.files,
            setupFiles: ["./test/waha-url.ts", "./test/apply-migrations.ts"],
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
