/**
 * Prints a signed JWT for testing: npm run token -- --role agent --sub agent-1
 * [--name "Ann"] [--ttl 1h]. The secret is JWT_SECRET from the environment or .dev.vars,
 * else the demo secret `npm start` made.
 */
import { parseArgs } from "node:util";
import { signToken } from "../src/lib/auth/sign-token.ts";
import { parseTtl } from "../src/lib/auth/tokens.ts";
import type { Role } from "../src/lib/types.ts";
import { readDemoSecrets } from "./demo-secrets.ts";
import { readDevVars } from "./dev-vars.ts";

const ROLES: readonly Role[] = ["admin", "user", "agent"];

function fail(message: string): never {
  console.error(`token: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    role: { type: "string" },
    sub: { type: "string" },
    name: { type: "string" },
    ttl: { type: "string", default: "1h" },
  },
});
const role = values.role as Role | undefined;
if (!role || !ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(", ")}`);
if (!values.sub) fail("--sub is required (the user or agent id)");
const secret = process.env.JWT_SECRET ?? readDevVars().JWT_SECRET ?? readDemoSecrets()?.jwt;
if (!secret)
  fail("JWT_SECRET is not set (environment or .dev.vars), and npm start has not run here");

let ttl: number;
try {
  ttl = parseTtl(values.ttl);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const user = values.name ? { sub: values.sub, role, name: values.name } : { sub: values.sub, role };
console.log(await signToken(user, secret, ttl));
