/**
 * Starts a WAHA simulator for every workerd test file (so files run side by side without
 * sharing faults or counters), a second one for each two-number file, and the sign-in
 * tests' key server, and hands their URLs over.
 */
import type { TestProject } from "vitest/node";
import { startSimulator } from "../tools/waha-sim/server.ts";
import { TEST_BINDINGS } from "./bindings.ts";
import { startKeyServer } from "./key-server.ts";
import { TWO_NUMBER_FILES, workerdTestFiles } from "./workerd-files.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Test file → its simulator's URL. */
    wahaUrls: Record<string, string>;
    /** Two-number test file → its second simulator's URL. */
    secondWahaUrls: Record<string, string>;
    keyServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const files = workerdTestFiles();
  // WAHA in a container often advertises a host the gateway cannot reach. Media URLs on it
  // prove every download is rewritten to the number's WAHA origin, never fetched as given.
  // WAHA holds a call up to 10 s for a session that is not WORKING; files that need the wait
  // ask for it (PUT /__sim/config {sessionWaitMs}).
  const simulator = (session: string | undefined) =>
    startSimulator({
      apiKey: TEST_BINDINGS.WAHA_API_KEY,
      webhookHmacKey: TEST_BINDINGS.WAHA_WEBHOOK_HMAC_KEY,
      publicUrl: "http://waha.internal:3000",
      sessionWaitMs: 0,
      ...(session === undefined ? {} : { session }),
    });
  const twoNumberFiles = Object.keys(TWO_NUMBER_FILES);
  const sims = await Promise.all(
    files.map((file) => simulator(TWO_NUMBER_FILES[file]?.[0].session)),
  );
  const seconds = await Promise.all(
    twoNumberFiles.map((file) => simulator(TWO_NUMBER_FILES[file]?.[1].session)),
  );
  const keys = await startKeyServer();
  project.provide("wahaUrls", Object.fromEntries(files.map((f, i) => [f, sims[i]?.url ?? ""])));
  project.provide(
    "secondWahaUrls",
    Object.fromEntries(twoNumberFiles.map((f, i) => [f, seconds[i]?.url ?? ""])),
  );
  project.provide("keyServerUrl", keys.url);
  return async () => {
    await Promise.all([
      ...sims.map((sim) => sim.close()),
      ...seconds.map((sim) => sim.close()),
      keys.close(),
    ]);
  };
}
