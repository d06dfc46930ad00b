/**
 * WAHA's own setup against the real WAHA: the check names what a fresh session lacks, one
 * Apply writes it through WAHA's sessions API, and WAHA's signed webhooks then reach the
 * gateway; a WORKING session whose webhooks stop is found SILENT and restarted through
 * WAHA's restart endpoint. The phone is the Baileys stand-in, so the session works.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../tools/wrangler.ts";
import { type Frames, openFrames } from "./frames.ts";
import { ME } from "./phone.ts";
import { json, type RealStack, startRealStack } from "./stack.ts";

let stack: RealStack;
let frames: Frames;
let standIn: string;

interface Setup {
  ok: boolean;
  findings: Array<{ code: string; byApply: boolean }>;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const wahaSession = async () =>
  json<{ status: string; config: Record<string, unknown> | null }>(
    await stack.wahaCall("/api/sessions/default"),
  );

beforeAll(async () => {
  const port = await freePort();
  standIn = `http://127.0.0.1:${port}`;
  stack = await startRealStack({
    preload: path.resolve("test/real-waha/baileys-stand-in.cjs"),
    wahaEnv: { BAILEYS_STAND_IN_PORT: String(port), BAILEYS_STAND_IN_ME: ME },
    gatewayVars: { WAHA_AUTO_RESTART: "on", WAHA_SILENCE_MS: "10000" },
  });
  frames = await openFrames(stack);
});

afterAll(() => {
  frames?.close();
  stack?.stop();
});

describe("WAHA's setup, on the real WAHA", () => {
  it("names what a fresh session lacks; Apply writes it, and WAHA's signed webhooks then arrive", async () => {
    const before = await json<Setup>(await stack.call("/api/waha/setup"));
    expect(before.ok).toBe(false);
    expect(before.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["webhook-missing", "noweb-store-off"]),
    );
    const applied = await stack.call("/api/waha/setup/apply", { method: "POST" });
    expect(applied.status).toBe(200);
    const after = await json<Setup>(applied);
    expect(after.findings.filter((f) => f.byApply)).toEqual([]);
    const { config } = await wahaSession();
    const hooks = (config?.webhooks ?? []) as Array<{ url: string; events: string[] }>;
    expect(hooks.map((h) => h.url)).toEqual([`${stack.gateway.url}/api/waha/webhook`]);
    expect(hooks[0]?.events).toContain("message.any");
    expect(hooks[0]?.events).not.toContain("message");
    expect(config?.noweb).toMatchObject({ store: { enabled: true } });

    expect((await stack.wahaCall("/api/sessions/default/start", { method: "POST" })).status).toBe(
      201,
    );
    await frames.next((f) => f.type === "session.status" && f.status === "WORKING");
  });

  it("finds a WORKING session whose webhooks stopped SILENT and restarts it through WAHA", async () => {
    // WAHA loses its webhooks (here: taken out of its config; WAHA restarts the session).
    const { config } = await wahaSession();
    const put = await stack.wahaCall("/api/sessions/default", {
      method: "PUT",
      body: JSON.stringify({ config: { ...config, webhooks: [] } }),
    });
    expect(put.status).toBe(200);
    await until(wahaSession, (s) => s.status === "WORKING");
    // The gateway last heard STOPPED (WAHA's restart, its last webhook): its own status read
    // tells it WORKING again within the status cache's 10 s.
    await until(
      async () => json<{ status: string }>(await stack.call("/api/waha/session")),
      (s) => s.status === "WORKING",
    );
    const sockets = await json<number>(await fetch(`${standIn}/sockets`));
    const sent = await stack.sendText("15551230009@c.us", "anyone there?", "real-silent-1");
    expect(sent.status).toBe(200);
    // No echo within WAHA_SILENCE_MS (10 s): SILENT, and the gateway restarts the session.
    const silent = await until(
      async () => json<{ silent?: boolean }>(await stack.call("/api/waha/session")),
      (s) => s.silent === true,
    );
    expect(silent).toMatchObject({ silent: true });
    await until(
      async () => json<number>(await fetch(`${standIn}/sockets`)),
      (n) => n > sockets,
    );
    const metrics = await (await stack.call("/metrics")).text();
    expect(metrics).toMatch(/wa_edge_session_auto_restarts_total\S* [1-9]/);
  });
});
