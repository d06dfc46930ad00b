/**
 * `npm start`: the whole thing on one machine. Builds the inbox, starts two simulated
 * WhatsApp numbers (Sales on a WAHA Core, Support on a WAHA Plus, each with its own demo
 * chats; `SIM_NUMBERS=1` runs one number as before), applies local migrations, seeds demo
 * agents, runs the gateway on 127.0.0.1:8787 and prints sign-in links. Ctrl-C stops
 * everything it started.
 */
import type { User } from "../src/lib/types.ts";
import { buildUi } from "./build-ui.ts";
import { demoSecrets } from "./demo-secrets.ts";
import { startStack, TWO_NUMBERS } from "./stack.ts";
import { PERSIST_DIR, stopOnExit } from "./wrangler.ts";

const severalNumbers = process.env.SIM_NUMBERS !== "1";

/** `numbers`: the numbers an agent works; absent, every number. */
const DEMO_AGENTS: Array<{ id: string; name: string; numbers?: string[] }> = [
  { id: "agent-1", name: "Amira" },
  { id: "agent-2", name: "Bruno" },
  ...(severalNumbers ? [{ id: "agent-3", name: "Chiara", numbers: ["support"] }] : []),
];

const sql = (text: string) => `'${text.replaceAll("'", "''")}'`;

await buildUi();
const stack = await startStack({
  port: Number(process.env.PORT ?? 8787),
  simPort: Number(process.env.SIM_PORT ?? 3000),
  persistTo: PERSIST_DIR,
  secrets: demoSecrets(),
  // Worker console lines (HTTP_LOG request lines, [wa media]) need "log" to be printed.
  logLevel: "log",
  vars: { HTTP_LOG: process.env.HTTP_LOG ?? "basic" },
  ...(severalNumbers ? { numbers: TWO_NUMBERS } : {}),
  seedSql: DEMO_AGENTS.map((a) =>
    a.numbers
      ? `INSERT OR IGNORE INTO agents (id, name, numbers) VALUES (${sql(a.id)}, ${sql(a.name)}, ${sql(JSON.stringify(a.numbers))});`
      : `INSERT OR IGNORE INTO agents (id, name) VALUES (${sql(a.id)}, ${sql(a.name)});`,
  ).join(" "),
});
stopOnExit(() => void stack.stop());
stack.gateway.child.on("exit", (code) => process.exit(code ?? 0));

const users: Array<User & { works?: string }> = [
  { sub: "admin", role: "admin", name: "Admin" },
  ...DEMO_AGENTS.map((a) => ({
    sub: a.id,
    role: "agent" as const,
    name: a.name,
    ...(severalNumbers ? { works: a.numbers ? a.numbers.join(", ") : "every number" } : {}),
  })),
];
const { url } = stack.gateway;
const sims = Object.entries(stack.sims).map(([id, sim]) => `${id} on ${sim.url}`);
console.log(`\nwa-edge is running on ${url} (WAHA simulator ${sims.join(", ")})\n`);
console.log("Sign in (links valid 12 h):");
for (const { works, ...user } of users) {
  const token = await stack.token(user, 12 * 3600);
  const what = works ? `${user.role}, ${works}` : user.role;
  console.log(`  ${user.name?.padEnd(6)} (${what}): ${url}/#token=${token}`);
}
console.log("\nCtrl-C stops the gateway and the simulators.");
