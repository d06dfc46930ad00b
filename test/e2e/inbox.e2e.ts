/**
 * End to end: the simulator, a real `wrangler dev` gateway (static assets included) and
 * Debian's Chromium driven by playwright-core. `npm run test:e2e`; not part of `npm test`.
 * Leaves a screenshot in dist/e2e/inbox.png.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { buildUi, UI_DIR } from "../../tools/build-ui.ts";
import { type Stack, startStack } from "../../tools/stack.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = path.join(UI_DIR, "..", "e2e", "inbox.png");
const ANA = "15550100001@c.us";
const SESSION_COOKIE = "shop_session";

let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;
let url = "";

before(async () => {
  await buildUi();
  stack = await startStack({
    seedSql:
      "INSERT OR IGNORE INTO agents (id, name) VALUES ('agent-1', 'Amira'), ('agent-2', 'Bruno');",
    // As if the business's app signed its agents in with a cookie on the inbox's host.
    vars: { JWT_COOKIE_NAME: SESSION_COOKIE },
  });
  url = stack.gateway.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test("the gateway serves the page, immutable assets, and keeps /api and /metrics for the Worker", async () => {
  const home = await fetch(`${url}/`);
  assert.equal(home.status, 200);
  assert.match(home.headers.get("Content-Type") ?? "", /^text\/html/);
  const script = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(await home.text())?.[1];
  assert.ok(script, "the page names its script");
  const js = await fetch(`${url}${script}`);
  assert.equal(js.headers.get("Cache-Control"), "public, max-age=31536000, immutable");

  const health = await fetch(`${url}/api/health`);
  assert.deepEqual(await health.json(), { ok: true, version: "0.1.0", config: "valid" });
  const metrics = await fetch(`${url}/metrics`);
  assert.equal(metrics.status, 401, "the Worker, not the assets, answers /metrics");
  assert.match(metrics.headers.get("Content-Type") ?? "", /^application\/json/);
});

test("an admin signs in from the link, reads a chat with its photo, gets a live message and replies", async () => {
  if (!stack) throw new Error("the stack did not start");
  const token = await stack.token({ sub: "admin", role: "admin", name: "Admin" }, 600);
  await page.goto(`${url}/#token=${token}`);

  await page.getByText("Signed in as Admin (admin)").waitFor();
  assert.ok(!page.url().includes("token="), "the token left the address bar");
  const stored = await page.evaluate(() => sessionStorage.getItem("wa-edge.token"));
  assert.equal(stored, token);

  const chats = page.locator(".chat-list .chat");
  await chats.first().waitFor();
  assert.ok((await chats.count()) > 10, "the demo chats are listed");
  await page.locator(".live[data-live='true']").waitFor({ timeout: 15_000 });
  // The first status check comes after initialCheckDelay (5 s), even with the socket live.
  await page.locator(".badge[data-status='WORKING']").waitFor({ timeout: 15_000 });

  await page.locator(`.chat[data-jid='${ANA}']`).click();
  await page.getByRole("heading", { name: "Ana Souza" }).waitFor();
  const photo = page.locator(".media--image img").first();
  await photo.waitFor({ timeout: 15_000 });
  assert.ok(
    await photo.evaluate(
      (img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0,
    ),
  );
  assert.match((await photo.getAttribute("src")) ?? "", /^blob:/);

  await stack.control("messages", { chatId: ANA, body: "Is anyone there?", webhook: true });
  await page.locator(".message--in", { hasText: "Is anyone there?" }).waitFor({ timeout: 10_000 });

  await page
    .getByRole("textbox", { name: "Message" })
    .fill("Yes, we are looking at your order now.");
  await page.keyboard.press("Enter");
  await page
    .locator(".message--out", { hasText: "Yes, we are looking at your order now." })
    .waitFor({ timeout: 10_000 });

  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
});

test("with nothing to sign in with the page asks for a token; with the app's cookie it signs in by itself", async () => {
  if (!stack || !browser) throw new Error("the stack did not start");
  const bare = await browser.newContext();
  const signedOut = await bare.newPage();
  await signedOut.goto(`${url}/`);
  await signedOut.getByLabel("Access token").waitFor();
  await bare.close();

  const token = await stack.token({ sub: "agent-1", role: "agent", name: "Amira" }, 600);
  const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url }]);
  const agent = await context.newPage();
  await agent.goto(`${url}/`);
  await agent.getByText("Signed in as Amira (agent)").waitFor();
  assert.equal(await agent.evaluate(() => sessionStorage.getItem("wa-edge.token")), null);
  // The realtime ticket is a POST signed in by the cookie: the page's own Origin lets it through.
  await agent.locator(".live[data-live='true']").waitFor({ timeout: 15_000 });
  await context.close();
});
