/**
 * Starts the WAHA simulator and the sign-in tests' key server once for every test file
 * and hands their URLs over.
 */
import type { TestProject } from "vitest/node";
import { startSimulator } from "../tools/waha-sim/server.ts";
import { TEST_BINDINGS } from "./bindings.ts";
import { startKeyServer } from "./key-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    wahaUrl: string;
    keyServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sim = await startSimulator({
    apiKey: TEST_BINDINGS.WAHA_API_KEY,
    webhookHmacKey: TEST_BINDINGS.WAHA_WEBHOOK_HMAC_KEY,
    // WAHA in a container often advertises a host the gateway cannot reach. Media URLs
    // on it prove every download is rewritten to WAHA_URL's origin, never fetched as given.
    publicUrl: "http://waha.internal:3000",
  });
  const keys = await startKeyServer();
  project.provide("wahaUrl", sim.url);
  project.provide("keyServerUrl", keys.url);
  return async () => {
    await Promise.all([sim.close(), keys.close()]);
  };
}
