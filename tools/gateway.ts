/**
 * `npm run gateway`: the gateway alone against a real WAHA, on $PORT (default 8787).
 * Every config value comes from the environment or .dev.vars; local migrations first.
 */
import { buildUi } from "./build-ui.ts";
import { readDevVars } from "./dev-vars.ts";
import { applyLocalMigrations, CONFIG_NAMES, startGateway, stopOnExit } from "./wrangler.ts";

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`gateway: PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}
const fromFile = readDevVars();
const vars: Record<string, string> = {};
for (const name of CONFIG_NAMES) {
  const value = process.env[name] ?? fromFile[name];
  if (value !== undefined) vars[name] = value;
}
if (!vars.WAHA_URL) {
  console.error("gateway: WAHA_URL is not set (environment or .dev.vars); see .dev.vars.example");
  process.exit(2);
}

await buildUi();
applyLocalMigrations();
const gateway = await startGateway({ port, vars, logLevel: "log" });
stopOnExit(gateway.stop);
console.log(`wa-edge on ${gateway.url} → WAHA ${vars.WAHA_URL}`);
gateway.child.on("exit", (code) => process.exit(code ?? 0));
