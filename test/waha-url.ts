/**
 * Points the Worker under test at this file's own WAHA simulator. Files with the same
 * bindings share a vitest project, but each still runs in its own workerd with its own
 * simulator (test/global-setup.ts); the project hands over every file's URL and this sets
 * the one for the file about to run, before the Worker reads its config.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";

const file = expect.getState().testPath ?? "";
const url = env.TEST_WAHA_URLS[file];
if (url === undefined) throw new Error(`no WAHA simulator for ${file}`);
env.WAHA_URL = url;
