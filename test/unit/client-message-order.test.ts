import { describe, expect, it } from "vitest";
import {
  insertLive,
  mergeNewest,
  oldestFirst,
  prependOlder,
} from "../../src/client/message-order.ts";
import type { Message } from "../../src/client/types.ts";

function msg(id: string, timestamp: number): Message {
  return {
    id,
    timestamp,
    from: "a@c.us",
    fromMe: false,
    to: null,
    body: id,
    hasMedia: false,
    media: null,
    ack: null,
    ackName: null,
  };
}

const ids = (list: Message[]) => list.map((m) => m.id);

describe("conversation order", () => {
  it("turns a page around, so messages of one second show in the order they were sent", () => {
    // The gateway answers newest first, within a second too.
    expect(ids(oldestFirst([msg("c", 100), msg("b", 100), msg("a", 100)]))).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(ids(oldestFirst([msg("c", 300), msg("b", 200), msg("a", 100)]))).toEqual([
      "a",
      "b",
      "c",
    ]);
  });

  it("puts an older page before what is shown and drops what it already has", () => {
    const shown = [msg("c", 300), msg("d", 400)];
    expect(ids(prependOlder(shown, [msg("c", 300), msg("b", 200), msg("a", 100)]))).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
  });

  it("merges the newest page read again, keeping older pages and what came live after it", () => {
    const shown = [msg("a", 100), msg("b", 200), msg("c", 300), msg("live", 500)];
    const page = [msg("d", 400), msg("c", 300), { ...msg("b", 200), body: "edited" }];
    const merged = mergeNewest(shown, page);
    expect(ids(merged)).toEqual(["a", "b", "c", "d", "live"]);
    expect(merged[1]?.body).toBe("edited");
  });

  it("puts a live message after everything of its second, and replaces a copy it already has", () => {
    const shown = [msg("a", 100), msg("b", 200), msg("c", 200), msg("d", 300)];
    expect(ids(insertLive(shown, msg("e", 200)))).toEqual(["a", "b", "c", "e", "d"]);
    const replaced = insertLive(shown, { ...msg("b", 200), ackName: "READ" });
    expect(ids(replaced)).toEqual(["a", "b", "c", "d"]);
    expect(replaced[1]?.ackName).toBe("READ");
  });
});
