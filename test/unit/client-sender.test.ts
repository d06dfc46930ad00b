import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../../src/client/api-client.ts";
import { SendTracker } from "../../src/client/send-tracker.ts";
import type { Chat } from "../../src/client/types.ts";
import { UnsentStore } from "../../src/client/unsent-store.ts";
import { Sender } from "../../src/ui/sender.ts";
import { chat } from "./client-fixtures.ts";

const ANA: Chat = chat("15550100001@c.us", { name: "Ana Souza" });

/** The same customer's chat on the support number. */
const ANA_SUPPORT: Chat = { ...ANA, number: "support" };

type Answer = "offline" | "proxy" | "sent" | "queued" | "refused";

/** The gateway as the page sees it: each send-text answered by the next scripted answer. */
function page(storage: Map<string, string>, script: Answer[], chat = ANA) {
  const sends: Array<{ clientId: string; text: string; number?: string }> = [];
  const api = new ApiClient({
    token: () => "tok",
    fetch: async (_url, init) => {
      const body = JSON.parse(String(init?.body)) as {
        clientId: string;
        text: string;
        number?: string;
      };
      sends.push({ clientId: body.clientId, text: body.text, number: body.number });
      const answer = script.shift() ?? "sent";
      if (answer === "offline") throw new TypeError("Failed to fetch");
      if (answer === "proxy") return new Response("<h1>Bad gateway</h1>", { status: 502 });
      if (answer === "refused")
        return Response.json(
          { error: "invalid-request", message: "text: too long" },
          { status: 400 },
        );
      if (answer === "queued")
        return Response.json({ clientId: body.clientId, status: "queued" }, { status: 202 });
      return Response.json({
        clientId: body.clientId,
        status: "sent",
        id: `true_${body.clientId}`,
      });
    },
  });
  const shown: string[] = [];
  const tracker = new SendTracker({
    onChange: () => {},
    onSent: (pending) => shown.push(pending.body ?? ""),
    store: new UnsentStore(
      {
        getItem: (key) => storage.get(key) ?? null,
        setItem: (key, value) => void storage.set(key, value),
        removeItem: (key) => void storage.delete(key),
      },
      "agent-1",
    ),
  });
  const sender = new Sender(api, tracker, () => {});
  const write = (text: string) =>
    sender.send(chat, { text, file: undefined, replyTo: undefined }, Date.now());
  const states = () => tracker.forChat(chat.id, chat.number).map((p) => [p.body, p.state]);
  return { sender, tracker, sends, shown, write, states };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 4_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("sending when the gateway does not answer", () => {
  it("shows the replies queued and sends them again, in order and under the same clientIds, once the gateway answers", async () => {
    const storage = new Map<string, string>();
    const { sender, sends, shown, write, states } = page(storage, ["offline", "proxy"]);
    write("first reply");
    write("second reply");
    await vi.advanceTimersByTimeAsync(0);
    expect(states()).toEqual([
      ["first reply", "queued"],
      ["second reply", "queued"],
    ]);
    // The second waited behind the first instead of overtaking it.
    expect(sends.map((s) => s.text)).toEqual(["first reply"]);

    sender.gatewayAnswered();
    await vi.advanceTimersByTimeAsync(0);
    expect(states()).toEqual([
      ["first reply", "queued"],
      ["second reply", "queued"],
    ]);
    // A proxy answered in the gateway's place: no sign of the gateway, so the page tries
    // again after its backoff.
    await vi.advanceTimersByTimeAsync(4_000);
    expect(states()).toEqual([]);
    expect(shown).toEqual(["first reply", "second reply"]);
    const first = sends[0]?.clientId;
    expect(sends.map((s) => [s.text, s.clientId === first])).toEqual([
      ["first reply", true],
      ["first reply", true],
      ["first reply", true],
      ["second reply", false],
    ]);
    expect(storage.size).toBe(0);
  });

  it("sends after a reload what the page before it could not, under the same clientId", async () => {
    const storage = new Map<string, string>();
    const before = page(storage, ["offline"]);
    before.write("written before the reload");
    await vi.advanceTimersByTimeAsync(0);
    const clientId = before.sends[0]?.clientId;

    const after = page(storage, ["queued"]);
    after.sender.resume();
    expect(after.states()).toEqual([["written before the reload", "queued"]]);
    await vi.advanceTimersByTimeAsync(0);
    expect(after.sends).toEqual([{ clientId, text: "written before the reload" }]);
    // The gateway's outbox holds it now: the page has nothing left to send.
    expect(storage.size).toBe(0);
  });

  it("does not send again what the gateway refused: it fails with the reason", async () => {
    const storage = new Map<string, string>();
    const { sender, sends, write, states } = page(storage, ["refused"]);
    write("x".repeat(10));
    await vi.advanceTimersByTimeAsync(0);
    expect(states()).toEqual([["xxxxxxxxxx", "failed"]]);
    sender.gatewayAnswered();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sends).toHaveLength(1);
  });

  it("sends a reply through its chat's number, also from the page after a reload", async () => {
    const storage = new Map<string, string>();
    const before = page(storage, ["offline"], ANA_SUPPORT);
    before.write("answered from support");
    await vi.advanceTimersByTimeAsync(0);
    expect(before.sends.map((s) => s.number)).toEqual(["support"]);

    const after = page(storage, ["sent"], ANA_SUPPORT);
    after.sender.resume();
    expect(after.states()).toEqual([["answered from support", "queued"]]);
    await vi.advanceTimersByTimeAsync(0);
    expect(after.sends.map((s) => [s.text, s.number])).toEqual([
      ["answered from support", "support"],
    ]);
  });
});
