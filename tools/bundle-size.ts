/**
 * `npm run size`: the Worker bundle as `wrangler deploy` would upload it (a dry run, with
 * wrangler.toml's minify), its size raw and gzipped. Nothing is deployed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { wrangler } from "./wrangler.ts";

export interface BundleSize {
  bytes: number;
  gzipBytes: number;
  /** Line breaks in the bundle: a minified one has a handful, esbuild's readable output tens of thousands. */
  lines: number;
}

export function measureBundle(): BundleSize {
  const out = mkdtempSync(path.join(tmpdir(), "wa-edge-bundle-"));
  try {
    wrangler(["deploy", "--dry-run", "--outdir", out]);
    const code = readFileSync(path.join(out, "index.js"));
    return {
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      lines: code.toString("utf8").split("\n").length,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { bytes, gzipBytes } = measureBundle();
  console.log(
    `Worker bundle: ${(bytes / 1024).toFixed(1)} KiB, ${(gzipBytes / 1024).toFixed(1)} KiB gzip`,
  );
}
