/** Timeouts and retries of WAHA calls (this file's config: 150 ms a call, 2 retries). */
import { describe, expect, it } from "vitest";
import { call, sim } from "./helpers.ts";
import { freshGatewayEachTest, newUser, simCalls } from "./waha-fixtures.ts";

freshGatewayEachTest();

async function stats() {
  const res = await call("/api/waha/monitoring/stats", { as: newUser("admin") });
  return res.json<{ upstream: { calls: number; errors: number; timeouts: number } }>();
}

describe("timeouts and retries", () => {
  it("gives a hanging WAHA up after WAHA_REQUEST_TIMEOUT_MS and retries a GET WAHA_MAX_RETRIES times", async () => {
    await sim.control("faults", { endpoint: "session", hang: true });
    const res = await call("/api/waha/session", { as: newUser() });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: "upstream-timeout",
      message: "WAHA did not answer session within 150 ms (after 3 attempts)",
    });
    expect(await simCalls("session")).toEqual({ session: 3 });
    expect((await stats()).upstream).toMatchObject({ calls: 3, errors: 3, timeouts: 3 });
  });
});
