/**
 * The realtime upgrade as a browser's socket sees it: the 101 head, the subprotocol the
 * gateway picks, and the first frame, read off the wire with a hand-made handshake.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postWebhook } from "../../bench/realtime-wire.ts";
import { type Stack, startStack } from "../../tools/stack.ts";
import { rawUpgrade } from "./raw-http.ts";

let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack({});
  token = await stack.token({ sub: "admin", role: "admin" });
}, 60_000);
afterAll(() => stack?.stop());

/** What RFC 6455 says the server must answer to our fixed Sec-WebSocket-Key. */
const ACCEPT = createHash("sha1")
  .update(
    `${Buffer.from("wa-edge-raw-key!").toString("base64")}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`,
  )
  .digest("base64");

describe("a reconnect on the wire", () => {
  it("answers 101 with Sec-WebSocket-Protocol: wa-edge and replays the missed frame first", async () => {
    const status = await postWebhook(stack.gateway.url, stack.secrets.hmac, "session.status", {
      name: "default",
      status: "WORKING",
    });
    expect(status).toBe(200);
    const res = await rawUpgrade(`${stack.gateway.url}/api/realtime?since=0`, {
      "Sec-WebSocket-Protocol": `wa-edge, bearer.${token}`,
    });
    expect(res.status).toBe(101);
    expect(res.header("Sec-WebSocket-Protocol")).toBe("wa-edge");
    expect(res.header("Sec-WebSocket-Accept")).toBe(ACCEPT);
    expect(JSON.parse(res.firstFrame ?? "null")).toMatchObject({
      type: "session.status",
      status: "WORKING",
      number: "default",
      seq: expect.any(Number),
    });
  });

  it("refuses a wrong token before any upgrade: 401 with WWW-Authenticate and a JSON reason", async () => {
    const res = await rawUpgrade(`${stack.gateway.url}/api/realtime?since=0`, {
      "Sec-WebSocket-Protocol": "wa-edge, bearer.not.a-token",
    });
    expect(res.status).toBe(401);
    expect(res.header("WWW-Authenticate")).toBe("Bearer");
    expect(res.header("Content-Type")).toMatch(/^application\/json/);
    expect(res.header("Sec-WebSocket-Protocol")).toBeUndefined();
  });
});
