import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/bindings.ts";

// Two projects: the Worker's tests run inside workerd against the real local D1,
// Durable Objects and Cache API; pure logic (client library, tools) runs on Node.
// Both talk to one WAHA simulator that test/global-setup.ts starts on 127.0.0.1, beside
// a key server (JWKS, Cloudflare Access certs) for the sign-in tests.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      globalSetup: ["./test/global-setup.ts"],
      // Refused sign-ins log their reason by design; the tests that care read it themselves.
      onConsoleLog: (log: string) => !log.startsWith("[auth] "),
      // Test files share the simulator, whose faults and counters are global.
      fileParallelism: false,
      projects: [
        {
          extends: true,
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...TEST_BINDINGS,
                  WAHA_URL: inject("wahaUrl"),
                  TEST_KEY_SERVER: inject("keyServerUrl"),
                  TEST_MIGRATIONS: migrations,
                },
                // An empty database for replaying migrations step by step.
                d1Databases: ["MIGRATION_DB"],
              },
            })),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/unit/**", "test/wire/**"],
            setupFiles: ["./test/apply-migrations.ts"],
          },
        },
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
