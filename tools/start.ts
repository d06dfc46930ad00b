/**
 * `npm start`: the whole thing on one machine. Builds the inbox, starts the WAHA
 * simulator with its demo chats, applies local migrations, seeds demo agents, runs the
 * gateway on 127.0.0.1:8787 and prints sign-in links. Ctrl-C stops everything it started.
 */
import type { User } from "../src/lib/types.ts";
import { buildUi } from "./build-ui.ts";
import { demoSecrets } from "./demo-secrets.ts";
import { startStack } from "./stack.ts";
import { PERSIST_DIR, stopOnExit } from "./wrangler.ts";

const DEMO_AGENTS = [
  { id: "agent-1", name: "Amira" },
  { id: "agent-2", name: "Bruno" },
];

await buildUi();
const stack = await startStack({
  port: Number(process.env.PORT ?? 8787),
  simPort: Number(process.env.SIM_PORT ?? 3000),
  persistTo: PERSIST_DIR,
  secrets: demoSecrets(),
  // Worker console lines (HTTP_LOG request lines, [wa media]) need "log" to be printed.
  logLevel: "log",
  vars: { HTTP_LOG: process.env.HTTP_LOG ?? "basic" },
  seedSql: DEMO_AGENTS.map(
    (a) => `INSERT OR IGNORE INTO agents (id, name) VALUES ('${a.id}', '${a.name}');`,
  ).join(" "),
});
stopOnExit(() => void stack.stop());
stack.gateway.child.on("exit", (code) => process.exit(code ?? 0));

const users: User[] = [
  { sub: "admin", role: "admin", name: "Admin" },
  ...DEMO_AGENTS.map((a): User => ({ sub: a.id, role: "agent", name: a.name })),
];
const { url } = stack.gateway;
console.log(`\nwa-edge is running on ${url} (WAHA simulator on ${stack.sim.url})\n`);
console.log("Sign in (links valid 12 h):");
for (const user of users) {
  const token = await stack.token(user, 12 * 3600);
  console.log(`  ${user.name?.padEnd(6)} (${user.role}): ${url}/#token=${token}`);
}
console.log("\nCtrl-C stops the gateway and the simulator.");
