import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseTtl, verifyToken } from "../../src/lib/auth/tokens.ts";

const SECRET = "token-tool-test-secret-0123456789";

function token(...args: string[]) {
  return spawnSync(process.execPath, ["tools/token.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, JWT_SECRET: SECRET },
  });
}

describe("npm run token", () => {
  it("prints a token the gateway accepts, with the given claims and lifetime", async () => {
    const run = token("--role", "agent", "--sub", "agent-1", "--name", "Ann", "--ttl", "2h");
    expect(run.status).toBe(0);
    const printed = run.stdout.trim();
    const result = await verifyToken(printed, SECRET);
    expect(result).toMatchObject({
      ok: true,
      user: { sub: "agent-1", role: "agent", name: "Ann" },
    });
    const payload = JSON.parse(Buffer.from(printed.split(".")[1] ?? "", "base64url").toString());
    expect(payload.exp - payload.iat).toBe(7200);
    expect((await verifyToken(printed, "another-secret-0123456789")).ok).toBe(false);
  });

  it("refuses an unknown role or a missing sub, naming the flag", () => {
    const role = token("--role", "boss", "--sub", "x");
    expect(role.status).toBe(2);
    expect(role.stderr).toContain("--role must be one of admin, user, agent");
    const sub = token("--role", "admin");
    expect(sub.status).toBe(2);
    expect(sub.stderr).toContain("--sub is required");
  });

  it("reads durations in seconds, minutes, hours and days", () => {
    expect([
      parseTtl("90s"),
      parseTtl("15m"),
      parseTtl("1h"),
      parseTtl("7d"),
      parseTtl("30"),
    ]).toEqual([90, 900, 3600, 604800, 30]);
    expect(() => parseTtl("soon")).toThrow(/--ttl/);
  });
});
