/**
 * Points the Worker under test at this file's own WAHA simulator (a two-number file: at its
 * two, as WAHA_NUMBERS, test/two-numbers.ts). Files with the same
 * bindings share a vitest project, but each still runs in its own workerd with its own
 * simulator (test/global-setup.ts); the project hands over every file's URL and this sets
 * the one for the file about to run, before the Worker reads its config.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { TWO_NUMBER_FILES } from "./two-numbers.ts";

const file = expect.getState().testPath ?? "";
const url = env.TEST_WAHA_URLS[file];
if (url === undefined) throw new Error(`no WAHA simulator for ${file}`);
const two = Object.entries(TWO_NUMBER_FILES).find(([name]) => file.endsWith(`/${name}`))?.[1];
if (two) {
  const urls = [url, env.TEST_SECOND_WAHA_URLS[file] ?? ""];
  env.WAHA_NUMBERS = JSON.stringify(
    two.map((n, i) => ({ ...n, url: urls[i], apiKey: env.WAHA_API_KEY })),
  );
  // WAHA_NUMBERS replaces the one number's values, which must then be unset.
  env.WAHA_URL = "";
  env.WAHA_API_KEY = "";
  env.WAHA_WEBHOOK_HMAC_KEY = "";
} else {
  env.WAHA_URL = url;
}
