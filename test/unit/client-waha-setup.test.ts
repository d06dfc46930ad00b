import { describe, expect, it } from "vitest";
import { parseRealtimeEvent } from "../../src/client/realtime-events.ts";
import { sessionSummary } from "../../src/client/session-summary.ts";
import type { SetupReport } from "../../src/client/types.ts";
import { setupView } from "../../src/client/waha-setup.ts";

function report(over: Partial<SetupReport> = {}): SetupReport {
  return {
    ok: false,
    session: "default",
    engine: "WEBJS",
    webhookUrl: "https://inbox.example/api/waha/webhook",
    findings: [
      {
        code: "webhook-missing",
        message: "No webhook posts here.",
        fix: "Apply it.",
        byApply: true,
      },
      {
        code: "files-lifetime-short",
        message: "Files go after 60 s.",
        fix: "Set WHATSAPP_FILES_LIFETIME.",
        byApply: false,
      },
    ],
    unchecked: [],
    ...over,
  };
}

describe("the admin's view of WAHA's setup", () => {
  it("shows nothing while WAHA is set up as the inbox needs it", () => {
    expect(setupView(report({ ok: true, findings: [] })).show).toBe(false);
    expect(setupView(null).show).toBe(false);
  });

  it("lists each finding with its fix, and offers Apply when one apply fixes some of them", () => {
    const view = setupView(report());
    expect(view).toMatchObject({
      show: true,
      heading: "WAHA's setup needs 2 changes (1 fixed by Apply):",
      canApply: true,
    });
    expect(view.items).toEqual([
      { code: "webhook-missing", text: "No webhook posts here.", fix: "Apply it." },
      {
        code: "files-lifetime-short",
        text: "Files go after 60 s.",
        fix: "Set WHATSAPP_FILES_LIFETIME.",
      },
    ]);
  });

  it("offers no Apply when nothing it could write would help, and says what was not checked", () => {
    const findings = report().findings.filter((f) => !f.byApply);
    const view = setupView(
      report({ findings, unchecked: [{ code: "engine-unknown", message: "Engine unknown." }] }),
    );
    expect(view).toMatchObject({ canApply: false, notes: ["Engine unknown."] });
    expect(view.heading).toBe("WAHA's setup needs one change:");
  });

  it("confirms an apply that left nothing to fix, and names what is left by hand", () => {
    expect(setupView(report({ ok: true, findings: [] }), true)).toMatchObject({
      show: true,
      heading: "WAHA is set up as the inbox needs it.",
      canApply: false,
    });
    const left = report().findings.filter((f) => !f.byApply);
    expect(setupView(report({ findings: left }), true).heading).toBe(
      "Applied. WAHA still needs one change made by hand:",
    );
  });

  it("reads the gateway's session.silent frames", () => {
    expect(
      parseRealtimeEvent('{"type":"session.silent","silent":true,"reason":"no-echo","seq":4}'),
    ).toEqual({
      type: "session.silent",
      silent: true,
      reason: "no-echo",
    });
    expect(parseRealtimeEvent('{"type":"session.silent","silent":"yes"}')).toBeUndefined();
  });
});

describe("the monitoring page's word on WAHA's webhooks", () => {
  const quiet = {
    silent: false,
    silentSince: null,
    reason: null,
    lastWebhookAt: "2026-03-14T10:00:00.000Z",
    silentSpells: 2,
    autoRestarts: 1,
    autoRestart: { on: true, lastHour: 1, max: 3 },
  };
  const time = (iso: string) => iso.slice(11, 16);

  it("says SILENT, why and since when, and the restarts left this hour", () => {
    expect(
      sessionSummary(
        { ...quiet, silent: true, silentSince: "2026-03-14T10:05:00.000Z", reason: "no-echo" },
        time,
      ),
    ).toEqual({
      value: "SILENT",
      note: "a send got no webhook back since 10:05; 1 of 3 automatic restarts this hour",
      tone: "bad",
    });
  });

  it("says webhooks flow, with the last one and how often the session went silent", () => {
    expect(sessionSummary(quiet, time)).toEqual({
      value: "flowing",
      note: "last webhook 10:00; found silent 2×, restarted 1×",
      tone: "good",
    });
  });
});
