/**
 * Starts a WAHA simulator for every workerd test file (so files run side by side without
 * sharing faults or counters) and the sign-in tests' key server, and hands their URLs over.
 */
import type { TestProject } from "vitest/node";
import { startSimulator } from "../tools/waha-sim/server.ts";
import { TEST_BINDINGS } from "./bindings.ts";
import { startKeyServer } from "./key-server.ts";
import { workerdTestFiles } from "./workerd-files.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Test file → its simulator's URL. */
    wahaUrls: Record<string, string>;
    keyServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const files = workerdTestFiles();
  const sims = await Promise.all(
    files.map(() =>
      startSimulator({
        apiKey: TEST_BINDINGS.WAHA_API_KEY,
        webhookHmacKey: TEST_BINDINGS.WAHA_WEBHOOK_HMAC_KEY,
        // WAHA in a container often advertises a host the gateway cannot reach. Media URLs
        // on it prove every download is rewritten to WAHA_URL's origin, never fetched as given.
        publicUrl: "http://waha.internal:3000",
        // WAHA holds a call up to 10 s for a session that is not WORKING; files that need
        // the wait ask for it (PUT /__sim/config {sessionWaitMs}).
        sessionWaitMs: 0,
      }),
    ),
  );
  const keys = await startKeyServer();
  project.provide("wahaUrls", Object.fromEntries(files.map((f, i) => [f, sims[i]?.url ?? ""])));
  project.provide("keyServerUrl", keys.url);
  return async () => {
    await Promise.all([...sims.map((sim) => sim.close()), keys.close()]);
  };
}
