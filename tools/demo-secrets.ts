/**
 * The demo's secrets: made once by `npm start` and kept in the data folder (git-ignored),
 * so sign-in links survive a restart and `npm run token` signs what the demo accepts.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PERSIST_DIR } from "./wrangler.ts";

export interface StackSecrets {
  jwt: string;
  apiKey: string;
  hmac: string;
}

export function randomSecrets(): StackSecrets {
  return {
    jwt: randomBytes(32).toString("hex"),
    apiKey: randomBytes(16).toString("hex"),
    hmac: randomBytes(32).toString("hex"),
  };
}

const file = () => path.join(PERSIST_DIR, "demo-secrets.json");

/** The secrets `npm start` made, if it ran here. */
export function readDemoSecrets(): StackSecrets | null {
  return existsSync(file()) ? (JSON.parse(readFileSync(file(), "utf8")) as StackSecrets) : null;
}

/** The demo's secrets, made and saved on first use. */
export function demoSecrets(): StackSecrets {
  const saved = readDemoSecrets();
  if (saved) return saved;
  const secrets = randomSecrets();
  mkdirSync(PERSIST_DIR, { recursive: true });
  writeFileSync(file(), JSON.stringify(secrets));
  return secrets;
}
