// Command line: starts the WAHA simulator from environment variables and stops it on SIGINT/SIGTERM.
import { isTier } from "./config.ts";
import { buildDemoChats } from "./data.ts";
import { type SimOptions, startSimulator } from "./server.ts";

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a whole number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const tier = process.env.SIM_TIER ?? "CORE";
if (!isTier(tier)) {
  console.error(`SIM_TIER must be CORE or PLUS, got "${tier}"`);
  process.exit(2);
}

const options: SimOptions = {
  port: envNumber("SIM_PORT", 3000),
  apiKey: process.env.WAHA_API_KEY || "sim-key",
  session: process.env.WAHA_SESSION || "default",
  filesLifetimeSec: envNumber("WHATSAPP_FILES_LIFETIME", 180),
  tier,
  log: process.env.SIM_LOG === "1",
};
if (process.env.SIM_WEBHOOK_URL) options.webhookUrl = process.env.SIM_WEBHOOK_URL;
if (process.env.WAHA_WEBHOOK_HMAC_KEY) options.webhookHmacKey = process.env.WAHA_WEBHOOK_HMAC_KEY;

const sim = await startSimulator(options);
console.log(
  `WAHA simulator on ${sim.url} (session ${options.session}, ${buildDemoChats().length} chats)`,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await sim.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
