import { describe, expect, it } from "vitest";
import { measureBundle } from "../../tools/bundle-size.ts";

describe("the deploy bundle", () => {
  it("is minified and stays below 100 KiB gzip", () => {
    const { bytes, gzipBytes } = measureBundle();
    expect(gzipBytes).toBeLessThan(100 * 1024);
    // Minified code has few line breaks; an unminified bundle has tens of thousands.
    expect(bytes).toBeGreaterThan(10_000);
  }, 60_000);
});
