/**
 * WAHA's own setup, as an admin sees it: what the gateway finds wrong in the session's config
 * (on every engine) and the one apply that writes what it needs, through WAHA's sessions API,
 * keeping whatever else was there. Keys never appear in an answer.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ENGINES, onEngine } from "./engines.ts";
import { call, ORIGIN, sim } from "./helpers.ts";
import { callWith, freshGatewayEachTest, newUser } from "./waha-fixtures.ts";
import { syncWahaClock, withWebhooks } from "./webhook-pump.ts";

freshGatewayEachTest();

const HOOK = `${ORIGIN}/api/waha/webhook`;
const NEEDED = [
  "message.any",
  "message.ack",
  "message.ack.group",
  "message.revoked",
  "message.edited",
  "message.reaction",
  "session.status",
  "call.received",
  "call.accepted",
  "call.rejected",
];

interface Report {
  ok: boolean;
  engine: string | null;
  webhookUrl: string;
  findings: Array<{ code: string; message: string; fix: string; byApply: boolean }>;
  unchecked: Array<{ code: string; message: string }>;
}

async function setup(): Promise<Report> {
  const res = await call("/api/waha/setup", { as: newUser("admin") });
  expect(res.status).toBe(200);
  return res.json<Report>();
}

async function apply(): Promise<Response> {
  return call("/api/waha/setup/apply", { method: "POST", as: newUser("admin") });
}

/** The session's config straight from WAHA (the simulator), as an operator would set it. */
async function wahaConfig(): Promise<Record<string, unknown>> {
  const res = await sim.waha("/api/sessions/default");
  return ((await res.json()) as { config: Record<string, unknown> }).config;
}

async function putWahaConfig(config: unknown): Promise<void> {
  const res = await fetch(`${env.WAHA_URL}/api/sessions/default`, {
    method: "PUT",
    headers: { "X-Api-Key": env.WAHA_API_KEY, "Content-Type": "application/json" },
    body: JSON.stringify({ config }),
  });
  expect(res.status).toBe(200);
}

const codes = (report: Report) => report.findings.map((f) => f.code).sort();

describe("who may see WAHA's setup", () => {
  it("answers 403 to agents and users, for the check and for the apply", async () => {
    for (const role of ["agent", "user"] as const) {
      expect((await call("/api/waha/setup", { as: newUser(role) })).status).toBe(403);
      const res = await call("/api/waha/setup/apply", { method: "POST", as: newUser(role) });
      expect(res.status).toBe(403);
    }
    expect((await sim.stats()).calls["session-update"]).toBe(0);
  });
});

for (const engine of ENGINES) {
  describe(`a session without the gateway's webhook on ${engine}`, () => {
    onEngine(engine);

    it("is reported with the webhook missing and the engine's own setting, each with its fix", async () => {
      const report = await setup();
      expect(report.ok).toBe(false);
      expect(report.engine).toBe(engine);
      expect(report.webhookUrl).toBe(HOOK);
      const expected = ["webhook-missing"];
      if (engine === "WEBJS") expected.push("webjs-tags-events-off");
      if (engine === "NOWEB") expected.push("noweb-store-off");
      expect(codes(report)).toEqual(expected.sort());
      for (const finding of report.findings) {
        expect(finding.message.length).toBeGreaterThan(10);
        expect(finding.fix.length).toBeGreaterThan(10);
        expect(finding.byApply).toBe(true);
      }
      expect(report.unchecked).toEqual([]);
    });

    it("is set up by one apply: nothing left to fix, and WAHA keeps the webhook, events and key", async () => {
      const res = await apply();
      expect(res.status).toBe(200);
      const report = await res.json<Report>();
      expect(report).toMatchObject({ ok: true, findings: [] });
      const config = await wahaConfig();
      expect(config.webhooks).toEqual([
        { url: HOOK, events: NEEDED, hmac: { key: env.WAHA_WEBHOOK_HMAC_KEY } },
      ]);
      if (engine === "WEBJS") expect(config.webjs).toEqual({ tagsEventsOn: true });
      if (engine === "NOWEB") expect(config.noweb).toMatchObject({ store: { enabled: true } });
      expect((await sim.stats()).calls["session-update"]).toBe(1);
    });
  });
}

describe("applying the recommended setup", () => {
  it("keeps the rest of the config: other webhooks, the gateway's own retries and headers, metadata", async () => {
    const crm = { url: "http://crm.example/hook", events: ["message"] };
    await putWahaConfig({
      metadata: { team: "sales" },
      ignore: { status: true },
      webhooks: [
        crm,
        {
          url: HOOK,
          events: ["message", "message.any", "message.ack"],
          hmac: { key: "an-old-key-0123456789" },
          retries: { attempts: 5, delaySeconds: 1 },
          customHeaders: [{ name: "X-Team", value: "sales" }],
        },
        { url: `${HOOK}/`, events: ["session.status"] },
      ],
    });
    const before = await setup();
    expect(codes(before)).toEqual(
      [
        "webhook-events-missing",
        "webhook-hmac-mismatch",
        "webhook-message-twice",
        "webhook-twice",
        "webjs-tags-events-off",
      ].sort(),
    );
    expect((await apply()).status).toBe(200);
    const config = await wahaConfig();
    expect(config).toMatchObject({ metadata: { team: "sales" }, ignore: { status: true } });
    expect(config.webhooks).toEqual([
      crm,
      {
        url: HOOK,
        events: [
          "message.any",
          "message.ack",
          ...NEEDED.filter((e) => e !== "message.any" && e !== "message.ack"),
        ],
        hmac: { key: env.WAHA_WEBHOOK_HMAC_KEY },
        retries: { attempts: 5, delaySeconds: 1 },
        customHeaders: [{ name: "X-Team", value: "sales" }],
      },
    ]);
    expect((await setup()).ok).toBe(true);
  });

  it("lets WAHA's webhooks reach the gateway afterwards, signed with the gateway's key", async () => {
    await sim.control("config", { mailboxOrigins: [ORIGIN] }, "PUT");
    await syncWahaClock();
    try {
      await withWebhooks(async () => {
        // The restart WAHA makes for the new config is announced through the new webhook.
        expect((await apply()).status).toBe(200);
      });
      const stats = await sim.stats();
      expect(stats.webhookAttempts).toBeGreaterThanOrEqual(2);
      expect(stats.webhookFailures).toBe(0);
      const report = await setup();
      expect(report.ok).toBe(true);
    } finally {
      await sim.control("config", { mailboxOrigins: [] }, "PUT");
    }
  });

  it("answers 409 without calling WAHA when the gateway has no HMAC key to give it", async () => {
    const report = await callWith({ WAHA_WEBHOOK_HMAC_KEY: "" }, "/api/waha/setup", {
      as: newUser("admin"),
    });
    expect((await report.json<Report>()).findings.map((f) => f.code)).toContain(
      "gateway-hmac-key-unset",
    );
    const res = await callWith({ WAHA_WEBHOOK_HMAC_KEY: "" }, "/api/waha/setup/apply", {
      method: "POST",
      as: newUser("admin"),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "gateway-hmac-key-unset" });
    expect((await sim.stats()).calls["session-update"]).toBe(0);
  });

  it("answers 409 session-missing for a session WAHA does not have", async () => {
    const vars = { WAHA_SESSION: "shop" };
    const report = await callWith(vars, "/api/waha/setup", { as: newUser("admin") });
    expect(await report.json()).toMatchObject({
      ok: false,
      findings: [{ code: "session-missing", byApply: false }],
    });
    const res = await callWith(vars, "/api/waha/setup/apply", {
      method: "POST",
      as: newUser("admin"),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "session-missing" });
  });
});

describe("what the check tells", () => {
  it("names a webhook without a key, and one whose key WAHA hides, as things apply fixes", async () => {
    await putWahaConfig({
      webhooks: [{ url: HOOK, events: NEEDED }],
      webjs: { tagsEventsOn: true },
    });
    expect(codes(await setup())).toEqual(["webhook-hmac-missing"]);
    await putWahaConfig({
      webhooks: [{ url: HOOK, events: NEEDED, hmac: { key: "********" } }],
      webjs: { tagsEventsOn: true },
    });
    const hidden = await setup();
    expect(codes(hidden)).toEqual(["webhook-hmac-unverified"]);
    expect(hidden.findings[0]?.byApply).toBe(true);
  });

  it('counts "*" as asking for message twice', async () => {
    await putWahaConfig({
      webhooks: [{ url: HOOK, events: ["*"], hmac: { key: env.WAHA_WEBHOOK_HMAC_KEY } }],
      webjs: { tagsEventsOn: true },
    });
    expect(codes(await setup())).toEqual(["webhook-message-twice"]);
  });

  it("sees a global webhook to the gateway in WAHA's environment, and a short files lifetime", async () => {
    await sim.control(
      "config",
      {
        filesLifetimeSec: 60,
        environment: {
          WHATSAPP_HOOK_URL: HOOK,
          WHATSAPP_HOOK_EVENTS: NEEDED.join(","),
          WHATSAPP_HOOK_HMAC_KEY: env.WAHA_WEBHOOK_HMAC_KEY,
        },
      },
      "PUT",
    );
    await putWahaConfig({ webjs: { tagsEventsOn: true } });
    const global = await setup();
    expect(codes(global)).toEqual(["files-lifetime-short"]);
    expect(global.findings[0]?.byApply).toBe(false);
    // Apply does not add a second webhook beside the global one.
    expect((await apply()).status).toBe(200);
    expect((await wahaConfig()).webhooks).toBeUndefined();
    await putWahaConfig({
      webhooks: [{ url: HOOK, events: NEEDED, hmac: { key: env.WAHA_WEBHOOK_HMAC_KEY } }],
      webjs: { tagsEventsOn: true },
    });
    const twice = await setup();
    expect(codes(twice)).toEqual(["files-lifetime-short", "webhook-twice"]);
    expect(twice.findings.every((f) => !f.byApply)).toBe(true);
  });

  it("says what it could not check when WAHA hides its environment", async () => {
    await sim.control("faults", { endpoint: "server-environment", status: 403 });
    const report = await setup();
    expect(report.unchecked.map((u) => u.code)).toEqual(["environment-unreadable"]);
  });

  it("uses WAHA_WEBHOOK_URL when WAHA reaches the gateway by another address", async () => {
    const url = "http://host.docker.internal:8787/api/waha/webhook";
    const res = await callWith({ WAHA_WEBHOOK_URL: url }, "/api/waha/setup", {
      as: newUser("admin"),
    });
    const report = await res.json<Report>();
    expect(report.webhookUrl).toBe(url);
    expect(report.findings[0]?.message).toContain(url);
  });

  it("never shows WAHA's API key or the HMAC key, though WAHA's answers hold both", async () => {
    await putWahaConfig({
      webhooks: [{ url: HOOK, events: ["message"], hmac: { key: "another-key-0123456789" } }],
    });
    await sim.control(
      "config",
      { environment: { WHATSAPP_HOOK_HMAC_KEY: "global-key-0123" } },
      "PUT",
    );
    for (const res of [await call("/api/waha/setup", { as: newUser("admin") }), await apply()]) {
      const text = await res.text();
      for (const secret of [
        env.WAHA_API_KEY,
        env.WAHA_WEBHOOK_HMAC_KEY,
        "another-key-0123456789",
        "global-key-0123",
      ]) {
        expect(text).not.toContain(secret);
      }
    }
  });
});
