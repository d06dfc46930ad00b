import { describe, expect, it } from "vitest";
import { mediaFetchUrl, wahaPaths } from "../../src/lib/waha/wire.ts";

const WAHA = "http://127.0.0.1:3000";

describe("media URLs are fetched only from WAHA_URL's origin", () => {
  it("keeps a files URL on WAHA's own origin", () => {
    expect(mediaFetchUrl(`${WAHA}/api/files/default/true_1@c.us_AB.jpeg`, WAHA)).toBe(
      `${WAHA}/api/files/default/true_1@c.us_AB.jpeg`,
    );
  });

  it("rewrites a files URL on another host to WAHA's origin", () => {
    expect(mediaFetchUrl("http://localhost:3000/api/files/default/x.oga", WAHA)).toBe(
      `${WAHA}/api/files/default/x.oga`,
    );
    expect(mediaFetchUrl("https://evil.example/api/files/default/x.pdf?a=1", WAHA)).toBe(
      `${WAHA}/api/files/default/x.pdf?a=1`,
    );
  });

  it("keeps WAHA's path prefix when WAHA lives below one", () => {
    expect(mediaFetchUrl("http://internal:3000/api/files/s/x.png", "https://gw.example/waha")).toBe(
      "https://gw.example/waha/api/files/s/x.png",
    );
  });

  it("refuses anything that is not WAHA's files path", () => {
    expect(mediaFetchUrl("https://evil.example/steal", WAHA)).toBeNull();
    expect(mediaFetchUrl(`${WAHA}/api/sessions/default`, WAHA)).toBeNull();
    expect(mediaFetchUrl(`${WAHA}/api/files/../sessions/default`, WAHA)).toBeNull();
    expect(mediaFetchUrl("http://[bad", WAHA)).toBeNull();
  });
});

describe("WAHA paths", () => {
  it("encodes chat and message ids", () => {
    expect(wahaPaths.message("default", "123@c.us", "false_123@c.us_AB/C")).toBe(
      "/api/default/chats/123%40c.us/messages/false_123%40c.us_AB%2FC?downloadMedia=true",
    );
  });
});
