/**
 * Sending through the outbox (this file's config: 300 ms a WAHA call, give up after
 * 10 min): sent at once when WAHA takes it, queued and sent in order when WAHA is back,
 * never twice, WAHA's refusals answered as they are.
 */

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getAssignment } from "../src/lib/db.ts";
import { wahaGate } from "../src/lib/waha/client.ts";
import { connect } from "./events.ts";
import { call, json, resetAssignmentData, sim, theNumber } from "./helpers.ts";
import { advance, useClock } from "./waha-fixtures.ts";
import { syncWahaClock, webhooksOn, withWebhooks } from "./webhook-pump.ts";

const ANA = "15550100001@c.us";
const BEA = "15550100002@c.us";
const admin = { role: "admin" as const, sub: "admin-1" };

// The clock runs an hour ahead: alarms the outbox sets fire only when a test runs them.
beforeAll(useClock);
afterAll(() => vi.useRealTimers());
beforeEach(async () => {
  advance(3_600_000);
  await sim.reset();
  await resetAssignmentData();
  // As deployed: WAHA's webhooks on, so each send's message.any reaches the gateway too.
  await webhooksOn();
  // A retry an earlier test left waiting is not this test's.
  for (const jid of [ANA, BEA]) {
    await runInDurableObject(outboxOf(jid), (_outbox, state) => state.storage.deleteAlarm());
  }
});

const outboxOf = (jid: string) => env.OUTBOX.get(env.OUTBOX.idFromName(`default\n${jid}`));

async function sendText(
  text: string,
  clientId?: string,
  jid = ANA,
  as: { role: "admin" | "agent"; sub: string } = admin,
) {
  return withWebhooks(() =>
    call("/api/wa/send-text", {
      ...json({ jid, text, ...(clientId ? { clientId } : {}) }),
      as,
    }),
  );
}

/** Runs an object's alarm while WAHA's webhooks flow. */
function alarm(stub: Parameters<typeof runDurableObjectAlarm>[0]): Promise<boolean> {
  return withWebhooks(() => runDurableObjectAlarm(stub));
}

async function simCalls(name: string): Promise<number> {
  return (await sim.stats()).calls[name] ?? 0;
}

const sentTexts = (jid = ANA) => sim.ownTexts(jid);

describe("while WAHA takes sends", () => {
  it("answers 200 sent with the message id, stores and announces it, and sets firstResponseAt", async () => {
    const socket = await connect("admin");
    const res = await sendText("Hello from the outbox", "client-aaaaaaaa");
    expect(res.status).toBe(200);
    const body = await res.json<{ id: string; status: string; clientId: string }>();
    expect(body).toMatchObject({ status: "sent", clientId: "client-aaaaaaaa" });
    expect(body.id).toMatch(/^true_15550100001@c\.us_/);
    expect(await socket.next()).toMatchObject({
      type: "message.new",
      jid: ANA,
      message: { id: body.id, body: "Hello from the outbox", fromMe: true },
    });
    expect(await socket.next()).toMatchObject({
      type: "outbox.status",
      status: "sent",
      id: body.id,
    });
    expect((await getAssignment(env.DB, "default", ANA))?.firstResponseAt).not.toBeNull();
    const page = await call(`/api/wa/messages?jid=${ANA}&limit=5`, { as: admin });
    expect((await page.json<Array<{ id: string }>>()).map((m) => m.id)).toContain(body.id);
  });

  it("sends a clientId once, however often the browser asks", async () => {
    const first = await (await sendText("only once", "client-bbbbbbbb")).json();
    const again = await (await sendText("only once", "client-bbbbbbbb")).json();
    expect(again).toEqual(first);
    expect(await simCalls("sendText")).toBe(1);
    expect((await sentTexts()).filter((t) => t === "only once")).toHaveLength(1);
  });
});

describe("while WAHA is down", () => {
  it("queues with 202, lists the send, and delivers it in order when WAHA is back", async () => {
    await sim.control("faults", { endpoint: "sendText", status: 503 });
    const socket = await connect("admin");
    const answers = [];
    for (const [i, text] of ["first", "second", "third"].entries()) {
      answers.push(await sendText(text, `client-order-${i}`));
    }
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(await answers[0]?.json()).toEqual({ clientId: "client-order-0", status: "queued" });
    // Only the oldest went to WAHA; the others wait their turn.
    expect(await simCalls("sendText")).toBe(1);
    const listed = await (await call("/api/wa/outbox", { as: admin })).json<
      Array<{ clientId: string; status: string }>
    >();
    expect(listed.map((e) => e.status)).toEqual(["queued", "queued", "queued"]);
    expect(await socket.next()).toMatchObject({ type: "outbox.status", status: "queued" });

    await sim.control("faults", undefined, "DELETE");
    expect(await alarm(outboxOf(ANA))).toBe(true);
    expect((await sentTexts()).slice(-3)).toEqual(["first", "second", "third"]);
    expect(await simCalls("sendText")).toBe(4);
    expect(await (await call("/api/wa/outbox", { as: admin })).json()).toEqual([]);
  });

  it("sends what waited as soon as WAHA's circuit closes, not at each chat's next retry", async () => {
    await sim.control("faults", { status: 503 });
    const queued = [await sendText("waiting here"), await sendText("and here", undefined, BEA)];
    expect(queued.map((r) => r.status)).toEqual([202, 202]);
    // WAHA keeps failing: the circuit opens.
    await call("/api/waha/session", { as: admin });
    await call("/api/waha/session", { as: admin });
    expect((await (await call("/api/waha/session", { as: admin })).json()) as object).toMatchObject(
      {
        error: "upstream-unavailable",
      },
    );

    await sim.control("faults", undefined, "DELETE");
    advance(30_000);
    // One good call closes the circuit; no outbox alarm is run here.
    expect((await call("/api/waha/session", { as: admin })).status).toBe(200);
    await withWebhooks(() =>
      vi.waitFor(
        async () => {
          expect(await sentTexts()).toContain("waiting here");
          expect(await sentTexts(BEA)).toContain("and here");
        },
        { timeout: 5_000, interval: 50 },
      ),
    );
    expect(await (await call("/api/wa/outbox", { as: admin })).json()).toEqual([]);
  });

  it("probes WAHA with the longest-waiting send as soon as the cool-off ends, not at its chat's next retry", async () => {
    await sim.control("faults", { status: 503 });
    expect((await sendText("waited longest")).status).toBe(202);
    expect((await sendText("waited less", undefined, BEA)).status).toBe(202);
    // WAHA keeps failing: the circuit opens.
    await call("/api/waha/session", { as: admin });
    await call("/api/waha/session", { as: admin });
    expect((await call("/api/waha/session", { as: admin })).status).toBe(503);

    await sim.control("faults", undefined, "DELETE");
    advance(30_000);
    // Nobody calls and no outbox alarm is run: the gate's own alarm at the cool-off's end.
    expect(await alarm(wahaGate(env, theNumber()))).toBe(true);
    await withWebhooks(() =>
      vi.waitFor(
        async () => {
          expect(await sentTexts()).toContain("waited longest");
          // The probe got through: the circuit closed and woke the other chat too.
          expect(await sentTexts(BEA)).toContain("waited less");
        },
        { timeout: 5_000, interval: 50 },
      ),
    );
  });

  it("drains a queue longer than one gate lease's run in order, every WAHA call counted, no slot left held", async () => {
    const texts = ["one", "two", "three", "four", "five", "six"];
    await sim.control("faults", { status: 503 });
    for (const [i, text] of texts.entries()) {
      expect((await sendText(text, `client-run-${i}`)).status).toBe(202);
    }
    await sim.control("faults", undefined, "DELETE");
    const counted = async () => {
      const res = await call("/api/waha/monitoring/stats", { as: admin });
      const { upstream } = await res.json<{
        upstream: { byEndpoint: Record<string, { calls: number }> };
      }>();
      const { sendText: sends, messages } = upstream.byEndpoint;
      return (sends?.calls ?? 0) + (messages?.calls ?? 0);
    };
    const wahaCalls = async () => (await simCalls("sendText")) + (await simCalls("messages"));
    const before = { counted: await counted(), waha: await wahaCalls() };
    const socket = await connect("admin");

    expect(await alarm(outboxOf(ANA))).toBe(true);
    // WAHA's list cannot order messages sent within one second; the sends' own frames can:
    // each went out only after WAHA had answered the one before.
    const sent: string[] = [];
    while (sent.length < texts.length) {
      const frame = await socket.next();
      if (frame.type === "outbox.status" && frame.status === "sent")
        sent.push(String(frame.clientId));
    }
    expect(sent).toEqual(texts.map((_, i) => `client-run-${i}`));
    const made = (await wahaCalls()) - before.waha;
    // Six sends and the search for the first (its 503 may have been sent): two runs of calls.
    expect(made).toBe(7);
    expect((await sentTexts()).filter((t) => texts.includes(t)).sort()).toEqual([...texts].sort());
    await vi.waitFor(async () => expect((await counted()) - before.counted).toBe(made), {
      timeout: 2_000,
      interval: 50,
    });
    const gate = wahaGate(env, theNumber());
    expect((await gate.snapshot()).api.active).toBe(0);
  });

  it("looks in WAHA for an entry cut off mid-send (its object restarted) before sending it again", async () => {
    await sim.control("faults", { endpoint: "sendText", status: 503 });
    expect((await sendText("cut off", "client-cut-off")).status).toBe(202);
    await sim.control("faults", undefined, "DELETE");
    // As the row stands when the object dies between taking the entry and WAHA's answer.
    await env.DB.prepare(
      "UPDATE outbox SET status = 'sending', ambiguous = 0 WHERE client_id = 'client-cut-off'",
    ).run();
    const searchesBefore = await simCalls("messages");
    expect(await alarm(outboxOf(ANA))).toBe(true);
    expect(await simCalls("messages")).toBe(searchesBefore + 1);
    expect((await sentTexts()).filter((t) => t === "cut off")).toHaveLength(1);
  });

  it("looks for a send whose answer was lost in WAHA before sending it again", async () => {
    // WAHA's clock and this one must agree for the search: real time in this test.
    vi.useRealTimers();
    await syncWahaClock();
    // WAHA takes the message, then the connection drops before its answer.
    await sim.control("faults", { endpoint: "sendText", resetAfterBytes: 0, times: 1 });
    const res = await sendText("did it arrive?", "client-cccccccc");
    expect(res.status).toBe(202);
    // The retry may have run by itself already; either way it must not send again.
    await alarm(outboxOf(ANA));
    expect(await simCalls("sendText")).toBe(1);
    expect((await sentTexts()).filter((t) => t === "did it arrive?")).toHaveLength(1);
    const again = await (await sendText("did it arrive?", "client-cccccccc")).json();
    expect(again).toMatchObject({ status: "sent", id: expect.stringMatching(/^true_/) });
    useClock();
  });

  it("gives a send up after WA_OUTBOX_MAX_AGE_MS and says so", async () => {
    await sim.control("faults", { endpoint: "sendText", status: 503 });
    expect((await sendText("too late", "client-dddddddd")).status).toBe(202);
    const socket = await connect("admin");
    advance(600_001);
    await syncWahaClock();
    expect(await alarm(outboxOf(ANA))).toBe(true);
    expect(await socket.next()).toMatchObject({
      type: "outbox.status",
      clientId: "client-dddddddd",
      status: "failed",
    });
    const listed = await (await call("/api/wa/outbox", { as: admin })).json<
      Array<{ status: string }>
    >();
    expect(listed).toMatchObject([{ status: "failed" }]);
  });
});

describe("a clientId belongs to its sender and chat", () => {
  it("answers 409 client-id-conflict to another agent reusing a clientId in its own chat, and sends nothing for it", async () => {
    await resetAssignmentData(
      env.DB.prepare(
        "INSERT INTO chat_assignments (jid, assigned_to) VALUES (?, 'agent-a'), (?, 'agent-b')",
      ).bind(ANA, BEA),
    );
    const a = { role: "agent" as const, sub: "agent-a" };
    const b = { role: "agent" as const, sub: "agent-b" };
    const first = await sendText("for Ana only", "client-shared-1", ANA, a);
    expect(first.status).toBe(200);
    const reused = await sendText("for Bea", "client-shared-1", BEA, b);
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ error: "client-id-conflict" });
    expect(await sentTexts(BEA)).not.toContain("for Ana only");
    // The same sender reusing it for another chat is refused as well.
    const elsewhere = await sendText("again for Bea", "client-shared-1", BEA, admin);
    expect(elsewhere.status).toBe(409);
    expect(await simCalls("sendText")).toBe(1);
  });
});

describe("a session that is not WORKING", () => {
  it("queues a send WAHA refuses with 422 for its session, never fails it, and sends it once the session is WORKING", async () => {
    // The gateway has not heard of the restart (its webhook is not here yet): WAHA answers 422.
    await sim.control("config", { webhookUrl: null }, "PUT");
    await sim.control("session", { status: "STARTING" });
    const res = await sendText("sent after the restart", "client-restart-1");
    expect(res.status).toBe(202);
    const listed = await (await call("/api/wa/outbox", { as: admin })).json<
      Array<{ status: string }>
    >();
    expect(listed).toMatchObject([{ status: "queued" }]);
    await webhooksOn();
    await withWebhooks(() => sim.control("session", { status: "WORKING" }));
    await withWebhooks(() =>
      vi.waitFor(async () => expect(await sentTexts()).toContain("sent after the restart"), {
        timeout: 5_000,
        interval: 50,
      }),
    );
    expect((await sentTexts()).filter((t) => t === "sent after the restart")).toHaveLength(1);
  });

  it("does not open the breaker or call WAHA's sends while the session is heard to be STARTING", async () => {
    await withWebhooks(() => sim.control("session", { status: "STARTING" }));
    const before = await simCalls("sendText");
    for (let i = 0; i < 6; i++) expect((await sendText(`held ${i}`)).status).toBe(202);
    expect(await simCalls("sendText")).toBe(before);
    const gate = wahaGate(env, theNumber());
    expect((await gate.snapshot()).circuit.state).toBe("closed");
  });
});

describe("WAHA's refusals", () => {
  it("fails a send WAHA refuses with 4xx at once, with WAHA's reason, and retries it on request", async () => {
    await sim.control("faults", { endpoint: "sendText", status: 422, times: 1 });
    const res = await sendText("refused", "client-eeeeeeee");
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: "upstream-rejected" });
    expect(await simCalls("sendText")).toBe(1);
    expect(await alarm(outboxOf(ANA))).toBe(false);
    expect(await simCalls("sendText")).toBe(1);

    const retry = await call("/api/wa/outbox/client-eeeeeeee/retry", { method: "POST", as: admin });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ status: "sent" });
    expect((await sentTexts()).at(-1)).toBe("refused");
  });
});

describe("media and reactions", () => {
  function upload(tier: "CORE" | "PLUS") {
    const form = new FormData();
    form.set("jid", ANA);
    form.set("caption", `a ${tier} photo`);
    form.set(
      "file",
      new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], "p.jpg", {
        type: "image/jpeg",
      }),
    );
    return withWebhooks(() =>
      call("/api/wa/send-media", { method: "POST", body: form, as: admin }),
    );
  }

  it("answers 422 waha-plus-required against WAHA Core, without calling a send", async () => {
    const core = await upload("CORE");
    expect(core.status).toBe(422);
    expect(await core.json()).toMatchObject({ error: "waha-plus-required" });
    expect(await simCalls("sendImage")).toBe(0);
  });

  it("sends a photo with its caption through WAHA Plus and lists it with its media", async () => {
    await sim.control("reset", { tier: "PLUS" });
    const plus = await upload("PLUS");
    expect(plus.status).toBe(200);
    const { id } = await plus.json<{ id: string }>();
    const page = await (await call(`/api/wa/messages?jid=${ANA}&limit=3`, { as: admin })).json<
      Array<{
        id: string;
        hasMedia: boolean;
        body: string | null;
        media: { mimetype: string } | null;
      }>
    >();
    expect(page.find((m) => m.id === id)).toMatchObject({
      hasMedia: true,
      body: "a PLUS photo",
      media: { mimetype: "image/jpeg" },
    });
  });

  it("refuses a file over WA_UPLOAD_MAX_BYTES with 413 naming it", async () => {
    const form = new FormData();
    form.set("jid", ANA);
    form.set("file", new File([new Uint8Array(16_777_217)], "big.bin"));
    const res = await call("/api/wa/send-media", { method: "POST", body: form, as: admin });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ message: expect.stringMatching(/^file: /) });
  });

  it("reacts to a stored message and shows the reaction on it", async () => {
    const page = await (await call(`/api/wa/messages?jid=${ANA}&limit=1`, { as: admin })).json<
      Array<{ id: string }>
    >();
    const target = page[0]?.id ?? "";
    const res = await withWebhooks(() =>
      call("/api/wa/react", { ...json({ jid: ANA, id: target, reaction: "👍" }), as: admin }),
    );
    expect(res.status).toBe(200);
    expect(await simCalls("reaction")).toBe(1);
    const after = await (await call(`/api/wa/messages?jid=${ANA}&limit=1`, { as: admin })).json<
      Array<{ reactions: Array<{ from: string; text: string }> }>
    >();
    expect(after[0]?.reactions).toEqual([{ from: "me", text: "👍" }]);
  });
});
