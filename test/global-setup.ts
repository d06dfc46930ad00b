/** Starts the WAHA simulator once for every test file and hands its URL over. */
import type { TestProject } from "vitest/node";
import { startSimulator } from "../tools/waha-sim/server.ts";
import { TEST_BINDINGS } from "./bindings.ts";

declare module "vitest" {
  export interface ProvidedContext {
    wahaUrl: string;
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
  project.provide("wahaUrl", sim.url);
  return () => sim.close();
}
