// The scripted day reaches a webhook receiver as WAHA would send it: signed, in order, complete.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReplaySummary, replayDay } from "../../tools/waha-sim/replay.ts";
import { type Simulator, startSimulator } from "../../tools/waha-sim/server.ts";

const HMAC_KEY = "replay-test-hmac-key-0123456789";

interface Received {
  event: string;
  payload: Record<string, unknown>;
  signed: boolean;
  requestId: string | undefined;
}

let receiver: Server;
let sim: Simulator;
let summary: ReplaySummary;
const received: Received[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const expected = createHmac("sha512", HMAC_KEY).update(body).digest();
      const given = Buffer.from(String(req.headers["x-webhook-hmac"] ?? ""), "hex");
      const envelope = JSON.parse(body.toString("utf8")) as Omit<Received, "signed" | "requestId">;
      received.push({
        event: envelope.event,
        payload: envelope.payload,
        signed: given.length === expected.length && timingSafeEqual(given, expected),
        requestId: req.headers["x-webhook-request-id"]?.toString(),
      });
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"accepted"}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const { port } = receiver.address() as AddressInfo;
  sim = await startSimulator({ apiKey: "replay-key" });
  // The replay itself points the simulator at the receiver.
  summary = await replayDay(sim.url, {
    webhookUrl: `http://127.0.0.1:${port}/api/waha/webhook`,
    webhookHmacKey: HMAC_KEY,
    seed: 1234567,
  });
});

afterAll(async () => {
  await sim.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("replaying a day", () => {
  it("sends every step as a signed webhook with its own request id, all accepted", () => {
    expect(summary.failed).toEqual([]);
    expect(received).toHaveLength(summary.webhooks);
    expect(received.every((r) => r.signed)).toBe(true);
    expect(new Set(received.map((r) => r.requestId)).size).toBe(received.length);
    expect(summary.events).toEqual({
      message: 8,
      "message.any": 3,
      "message.ack": 5,
      "session.status": 4,
    });
  });

  it("opens new chats, including a group, with media WAHA has saved and one it has not", () => {
    const inbound = received.filter((r) => r.event === "message");
    const chats = new Set(inbound.map((r) => String(r.payload.from)));
    expect([...chats].sort()).toEqual([...summary.chats].sort());
    const media = inbound.flatMap((r) =>
      r.payload.media ? [r.payload.media as { url: string | null; mimetype: string }] : [],
    );
    expect(media.map((m) => m.mimetype).sort()).toEqual([
      "application/pdf",
      "audio/ogg; codecs=opus",
      "image/jpeg",
      "image/png",
      "video/mp4",
    ]);
    expect(media.filter((m) => m.url === null)).toHaveLength(1);
    expect(media.filter((m) => m.url?.startsWith(`${sim.url}/api/files/`))).toHaveLength(4);
    expect(
      inbound.some((r) => String(r.payload.from).endsWith("@g.us") && r.payload.participant),
    ).toBe(true);
  });

  it("drops the session and brings it back to WORKING", () => {
    const statuses = received
      .filter((r) => r.event === "session.status")
      .map((r) => r.payload.status);
    expect(statuses).toEqual(["STARTING", "FAILED", "STARTING", "WORKING"]);
  });

  it("acks each reply in order: delivered before read", () => {
    const byMessage = new Map<string, unknown[]>();
    for (const r of received.filter((r) => r.event === "message.ack")) {
      expect(r.payload.fromMe).toBe(true);
      const id = String(r.payload.id);
      byMessage.set(id, [...(byMessage.get(id) ?? []), r.payload.ackName]);
    }
    expect([...byMessage.values()]).toEqual([["DEVICE", "READ"], ["DEVICE", "READ"], ["READ"]]);
  });
});
