import { defineConfig } from "vitest/config";

// The gateway (`wrangler dev`) against the real WAHA, inside the loopback-only network
// namespace `npm run test:waha` makes (tools/test-waha.ts); never run by `npm test` alone.
export default defineConfig({
  test: {
    include: ["test/real-waha/**/*.test.ts"],
    environment: "node",
    // One WAHA at a time: each file starts its own, and they are heavy.
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
