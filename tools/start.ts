/**
 * `npm start`: the whole thing on one machine. Starts the WAHA simulator with its demo
 * chats, applies local migrations, seeds demo agents, runs the gateway on 127.0.0.1:8787
 * and prints sign-in links. Ctrl-C stops everything it started.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { signToken } from "../src/lib/auth.ts";
import type { User } from "../src/lib/types.ts";
import { buildUi } from "./build-ui.ts";
import { startSimulator } from "./waha-sim/server.ts";
import {
  applyLocalMigrations,
  PERSIST_DIR,
  startGateway,
  stopOnExit,
  wrangler,
} from "./wrangler.ts";

const port = Number(process.env.PORT ?? 8787);
const simPort = Number(process.env.SIM_PORT ?? 3000);

/** Demo secrets live in .data/ (git-ignored) so sign-in links survive a restart. */
function demoSecrets(): { jwt: string; apiKey: string; hmac: string } {
  const file = path.join(PERSIST_DIR, "demo-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const secrets = {
    jwt: randomBytes(32).toString("hex"),
    apiKey: randomBytes(16).toString("hex"),
    hmac: randomBytes(32).toString("hex"),
  };
  mkdirSync(PERSIST_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets));
  return secrets;
}

const DEMO_AGENTS = [
  { id: "agent-1", name: "Amira" },
  { id: "agent-2", name: "Bruno" },
];

const secrets = demoSecrets();
const sim = await startSimulator({
  port: simPort,
  apiKey: secrets.apiKey,
  webhookUrl: `http://127.0.0.1:${port}/api/waha/webhook`,
  webhookHmacKey: secrets.hmac,
});

await buildUi();
applyLocalMigrations();
const seed = DEMO_AGENTS.map(
  (a) => `INSERT OR IGNORE INTO agents (id, name) VALUES ('${a.id}', '${a.name}');`,
).join(" ");
wrangler(["d1", "execute", "DB", "--local", "--persist-to", PERSIST_DIR, "--command", seed]);

const gateway = await startGateway({
  port,
  logLevel: "warn",
  vars: {
    WAHA_URL: sim.url,
    WAHA_API_KEY: secrets.apiKey,
    WAHA_WEBHOOK_HMAC_KEY: secrets.hmac,
    JWT_SECRET: secrets.jwt,
    HTTP_LOG: process.env.HTTP_LOG ?? "basic",
  },
});
stopOnExit(gateway.stop, () => void sim.close());
gateway.child.on("exit", (code) => process.exit(code ?? 0));

const users: User[] = [
  { sub: "admin", role: "admin", name: "Admin" },
  ...DEMO_AGENTS.map((a): User => ({ sub: a.id, role: "agent", name: a.name })),
];
console.log(`\nwa-edge is running on ${gateway.url} (WAHA simulator on ${sim.url})\n`);
console.log("Sign in (links valid 12 h):");
for (const user of users) {
  const token = await signToken(user, secrets.jwt, 12 * 3600);
  console.log(`  ${user.name?.padEnd(6)} (${user.role}): ${gateway.url}/#token=${token}`);
}
console.log("\nCtrl-C stops the gateway and the simulator.");
