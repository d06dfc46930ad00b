// Command line: starts the WAHA simulator from environment variables and stops it on SIGINT/SIGTERM.
import { isDemoSet, isRetryPolicy, isTier } from "./config.ts";
import { isEngine } from "./model.ts";
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

function envChoice<T extends string>(
  name: string,
  fallback: T,
  valid: (value: unknown) => value is T,
  choices: string,
): T {
  const raw = process.env[name] || fallback;
  if (!valid(raw)) {
    console.error(`${name} must be ${choices}, got "${raw}"`);
    process.exit(2);
  }
  return raw;
}

const tier = envChoice("SIM_TIER", "CORE", isTier, "CORE or PLUS");
const engine = envChoice("SIM_ENGINE", "WEBJS", isEngine, "WEBJS, NOWEB or GOWS");
const demo = envChoice("SIM_DEMO", "basic", isDemoSet, "basic, full or support");
const policy = envChoice(
  "SIM_WEBHOOK_RETRY_POLICY",
  "constant",
  isRetryPolicy,
  "constant, linear or exponential",
);

const options: SimOptions = {
  port: envNumber("SIM_PORT", 3000),
  apiKey: process.env.WAHA_API_KEY || "sim-key",
  session: process.env.WAHA_SESSION || "default",
  filesLifetimeSec: envNumber("WHATSAPP_FILES_LIFETIME", 180),
  tier,
  engine,
  demo,
  webhookRetries: {
    attempts: envNumber("SIM_WEBHOOK_RETRIES", 15),
    delayMs: envNumber("SIM_WEBHOOK_RETRY_DELAY_MS", 2_000),
    policy,
  },
  log: process.env.SIM_LOG === "1",
};
if (process.env.SIM_WEBHOOK_URL) options.webhookUrl = process.env.SIM_WEBHOOK_URL;
if (process.env.WAHA_WEBHOOK_HMAC_KEY) options.webhookHmacKey = process.env.WAHA_WEBHOOK_HMAC_KEY;

const sim = await startSimulator(options);
console.log(`WAHA simulator on ${sim.url} (session ${options.session}, ${engine}, ${demo} demo)`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await sim.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
