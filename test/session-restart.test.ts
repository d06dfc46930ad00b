/**
 * A SILENT session restarted by the gateway (this file: WAHA_AUTO_RESTART=on, at most 3 an
 * hour): WAHA's restart is asked for at once, then after WAHA_SILENCE_MS doubling while no
 * webhook comes, never more than the hourly cap; a webhook ends it and the restarts stop.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliver } from "./events.ts";
import { call, json, sim } from "./helpers.ts";
import { advance, freshGatewayEachTest, newUser } from "./waha-fixtures.ts";

freshGatewayEachTest();

const ANA = "15550100001@c.us";
const SILENCE_MS = 120_000;
const HOUR_MS = 3_600_000;
const watch = () => env.SESSION_WATCH.get(env.SESSION_WATCH.idFromName("default"));

async function restarts(): Promise<number> {
  return (await sim.stats()).calls["session-restart"] ?? 0;
}

/** A send WAHA takes while its webhooks are off, and the window passing without any. */
async function goSilent(): Promise<void> {
  const res = await call("/api/wa/send-text", {
    ...json({ jid: ANA, text: "is anyone listening?" }),
    as: newUser("admin"),
  });
  expect(res.status).toBe(200);
  advance(SILENCE_MS);
}

async function silent(): Promise<boolean> {
  const res = await call("/api/waha/session", { as: newUser("user") });
  return (await res.json<{ silent: boolean }>()).silent;
}

describe("automatic restarts of a SILENT session", () => {
  it("restart it through WAHA at once, then with doubling waits, at most 3 in an hour", async () => {
    await goSilent();
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(1);
    // WAHA's restart sent its STARTING and WORKING to nowhere: still silent, and no restart
    // again before WAHA_SILENCE_MS.
    expect(await silent()).toBe(true);
    advance(SILENCE_MS - 1_000);
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(1);
    advance(1_000);
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(2);
    advance(2 * SILENCE_MS);
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(3);
    // The cap: nothing more until the first restart is an hour old.
    advance(4 * SILENCE_MS);
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(3);
    const stats = await call("/api/waha/monitoring/stats", { as: newUser("admin") });
    expect(await stats.json()).toMatchObject({
      session: { silent: true, autoRestarts: 3, autoRestart: { on: true, lastHour: 3, max: 3 } },
    });
    advance(HOUR_MS - 7 * SILENCE_MS);
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(4);
  });

  it("stop when a webhook arrives: the session is no longer SILENT", async () => {
    await goSilent();
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(1);
    const res = await deliver(
      "session.status",
      { name: "default", status: "WORKING" },
      { wait: true },
    );
    expect(res.status).toBe(200);
    expect(await silent()).toBe(false);
    advance(HOUR_MS);
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(1);
  });

  it("are what brings the webhooks back when WAHA's restart heals them", async () => {
    await goSilent();
    await runDurableObjectAlarm(watch());
    expect(await restarts()).toBe(1);
    // The restart's own session.status (as WAHA sends it once its webhooks work again).
    const res = await deliver(
      "session.status",
      { name: "default", status: "STARTING" },
      { wait: true },
    );
    expect(res.status).toBe(200);
    expect(await silent()).toBe(false);
  });
});
