import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, ORIGIN } from "./helpers.ts";

// Workers Static Assets answer before the Worker runs, so the page and its files are asked
// of the assets binding; the Worker-first routes are asked of the Worker.
const asset = (path: string, init?: RequestInit) => env.ASSETS.fetch(`${ORIGIN}${path}`, init);

async function page(): Promise<{
  res: Response;
  html: string;
  script: string;
  stylesheet: string;
}> {
  const res = await asset("/");
  const html = await res.text();
  const script = /<script type="module" src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  const stylesheet = /<link rel="stylesheet" href="(\/assets\/app-[A-Z0-9]+\.css)"/.exec(html)?.[1];
  if (!script || !stylesheet)
    throw new Error(`the page names no hashed script or stylesheet:\n${html}`);
  return { res, html, script, stylesheet };
}

describe("the inbox page", () => {
  it("serves / as the HTML page that loads a content-hashed script and stylesheet", async () => {
    const { res, html } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(html).toContain('<div id="app"></div>');
  });

  it("keeps the page itself revalidated so that a new build is picked up at once", async () => {
    const { res } = await page();
    expect(res.headers.get("Cache-Control")).not.toContain("immutable");
    expect(res.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  });

  it("serves /assets files with Cache-Control: public, max-age=31536000, immutable", async () => {
    const { script, stylesheet } = await page();
    const js = await asset(script);
    expect(js.status).toBe(200);
    expect(js.headers.get("Content-Type")).toMatch(/^(text|application)\/javascript/);
    expect(js.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toContain("/api/config/polling");

    const css = await asset(stylesheet);
    expect(css.headers.get("Content-Type")).toMatch(/^text\/css/);
    expect(css.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
  });

  it("answers a revalidation of an asset with 304 and no body", async () => {
    const { script } = await page();
    const first = await asset(script);
    const etag = first.headers.get("ETag");
    expect(etag).toBeTruthy();
    const again = await asset(script, { headers: { "If-None-Match": etag ?? "" } });
    expect(again.status).toBe(304);
  });

  it("has no file that could shadow /api or /metrics, which the Worker answers", async () => {
    expect((await asset("/api/health")).status).toBe(404);
    expect((await asset("/metrics")).status).toBe(404);
    const health = await call("/api/health");
    expect(health.status).toBe(200);
    expect(health.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await health.json()).toMatchObject({ ok: true, config: "valid" });
  });
});
