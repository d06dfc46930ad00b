/**
 * Builds the inbox and the monitoring page for Workers Static Assets: src/ui/main.ts and
 * src/ui/admin-main.ts and the CSS they import become content-hashed files in
 * dist/ui/assets/, plus index.html (`/`), admin.html (`/admin`), favicon.ico and _headers.
 * Each page is one script (the few KiB they share are bundled into both), so signing in
 * waits for no second request.
 */
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";
import { faviconIco } from "./favicon.ts";

const ROOT = path.join(import.meta.dirname, "..");
export const UI_DIR = path.join(ROOT, "dist/ui");

const PAGE_HEADERS = `  Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'
  Referrer-Policy: no-referrer
  X-Content-Type-Options: nosniff`;

/** Hashed names change whenever the content does, so browsers may keep them for a year. */
const HEADERS = `/assets/*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff

/
${PAGE_HEADERS}

/admin
${PAGE_HEADERS}

/favicon.ico
  Cache-Control: public, max-age=86400
`;

export interface PageBuild {
  /** Public paths of the entry script and stylesheet, e.g. `/assets/app-XXXX.js`. */
  script: string;
  stylesheet: string;
}

export interface UiBuild extends PageBuild {
  admin: PageBuild;
}

const PAGES = {
  app: { source: "src/ui/main.ts", html: "index.html", title: "wa-edge inbox" },
  admin: { source: "src/ui/admin-main.ts", html: "admin.html", title: "wa-edge monitoring" },
} as const;

/**
 * Builds into `outDir` (default dist/ui). The directory is never emptied first: a
 * running `wrangler dev` or test run keeps finding the previous files until the new
 * ones are in place, and only then are stale hashed files removed.
 */
export async function buildUi(outDir = UI_DIR): Promise<UiBuild> {
  const assetsDir = path.join(outDir, "assets");
  const result = await build({
    entryPoints: Object.fromEntries(
      Object.entries(PAGES).map(([name, page]) => [name, path.join(ROOT, page.source)]),
    ),
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
  const publicPath = (file: string) => `/${path.relative(outDir, path.resolve(ROOT, file))}`;
  const page = (source: string): PageBuild => {
    const entry = outputs.find(
      ([, out]) =>
        out.entryPoint !== undefined &&
        path.resolve(ROOT, out.entryPoint) === path.join(ROOT, source),
    );
    const css = entry?.[1].cssBundle;
    if (!entry || !css)
      throw new Error(`build-ui: esbuild produced no script or stylesheet for ${source}`);
    return { script: publicPath(entry[0]), stylesheet: publicPath(css) };
  };
  const app = page(PAGES.app.source);
  const admin = page(PAGES.admin.source);

  await writeAtomically(path.join(outDir, PAGES.app.html), pageHtml(app, PAGES.app.title));
  await writeAtomically(path.join(outDir, PAGES.admin.html), pageHtml(admin, PAGES.admin.title));
  await writeAtomically(path.join(outDir, "favicon.ico"), faviconIco());
  await writeAtomically(path.join(outDir, "_headers"), HEADERS);

  const fresh = new Set(outputs.map(([file]) => path.resolve(ROOT, file)));
  for (const name of await readdir(assetsDir)) {
    const file = path.join(assetsDir, name);
    if (!fresh.has(file)) await rm(file, { force: true });
  }
  return { ...app, admin };
}

async function writeAtomically(file: string, content: string | Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

function pageHtml({ script, stylesheet }: PageBuild, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="stylesheet" href="${stylesheet}">
<script type="module" src="${script}"></script>
</head>
<body>
<noscript>This page needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

if (import.meta.main) {
  const built = await buildUi();
  console.log(
    `build-ui: ${path.relative(ROOT, UI_DIR)}/index.html → ${built.script}, ${built.stylesheet}; admin.html → ${built.admin.script}, ${built.admin.stylesheet}`,
  );
}
