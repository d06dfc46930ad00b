/**
 * Builds the inbox page for Workers Static Assets: src/ui/main.ts and the CSS it imports
 * become content-hashed files in dist/ui/assets/, plus dist/ui/index.html and _headers.
 */
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.join(import.meta.dirname, "..");
export const UI_DIR = path.join(ROOT, "dist/ui");

/** Hashed names change whenever the content does, so browsers may keep them for a year. */
const HEADERS = `/assets/*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff

/
  Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'
  Referrer-Policy: no-referrer
  X-Content-Type-Options: nosniff
`;

export interface UiBuild {
  /** Public paths of the entry script and stylesheet, e.g. `/assets/app-XXXX.js`. */
  script: string;
  stylesheet: string;
}

/**
 * Builds into `outDir` (default dist/ui). The directory is never emptied first: a
 * running `wrangler dev` or test run keeps finding the previous files until the new
 * ones are in place, and only then are stale hashed files removed.
 */
export async function buildUi(outDir = UI_DIR): Promise<UiBuild> {
  const assetsDir = path.join(outDir, "assets");
  const result = await build({
    entryPoints: { app: path.join(ROOT, "src/ui/main.ts") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir: assetsDir,
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });

  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, out]) => out.entryPoint !== undefined);
  const css = entry?.[1].cssBundle;
  if (!entry || !css) throw new Error("build-ui: esbuild produced no entry script or stylesheet");
  const publicPath = (file: string) => `/${path.relative(outDir, path.resolve(ROOT, file))}`;
  const built: UiBuild = { script: publicPath(entry[0]), stylesheet: publicPath(css) };

  await writeAtomically(path.join(outDir, "index.html"), indexHtml(built));
  await writeAtomically(path.join(outDir, "_headers"), HEADERS);

  const fresh = new Set(outputs.map(([file]) => path.resolve(ROOT, file)));
  for (const name of await readdir(assetsDir)) {
    const file = path.join(assetsDir, name);
    if (!fresh.has(file)) await rm(file, { force: true });
  }
  return built;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

function indexHtml({ script, stylesheet }: UiBuild): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>wa-edge inbox</title>
<link rel="stylesheet" href="${stylesheet}">
<script type="module" src="${script}"></script>
</head>
<body>
<noscript>The inbox needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

if (import.meta.main) {
  const built = await buildUi();
  console.log(
    `build-ui: ${path.relative(ROOT, UI_DIR)}/index.html → ${built.script}, ${built.stylesheet}`,
  );
}
