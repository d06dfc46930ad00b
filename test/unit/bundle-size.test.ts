import { describe, expect, it } from "vitest";
import { measureBundle } from "../../tools/bundle-size.ts";

describe("the deploy bundle", () => {
  it("is minified and stays below 100 KiB gzip", () => {
    const { bytes, gzipBytes, lines } = measureBundle();
    expect(gzipBytes).toBeLessThan(100 * 1024);
    // Minified code has few line breaks (license notes, template strings); an unminified
    // bundle has one every 40 bytes or so.
    expect(lines).toBeLessThan(bytes / 1_000);
  }, 60_000);
});
