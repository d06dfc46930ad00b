/**
 * The pages themselves: the gateway serves the inbox, /admin, the favicon and immutable
 * assets, keeps /api and /metrics for the Worker; sign-in by link, by the app's cookie
 * (renewed while the page is open), or by pasting a token; and the header's first word
 * about WhatsApp comes at once.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  AMIRA,
  ANA,
  chatButton,
  eventually,
  type Harness,
  headerStatus,
  recordHeader,
  screenshot,
  startHarness,
} from "./helpers.ts";

const SESSION_COOKIE = "shop_session";
let harness: Harness;

before(async () => {
  // As if the business's app signed its agents in with a cookie on the inbox's host.
  harness = await startHarness({ vars: { JWT_COOKIE_NAME: SESSION_COOKIE } });
});

after(async () => {
  await harness?.close();
});

test("the gateway serves the page, /admin and immutable assets, and keeps /api and /metrics for the Worker", async () => {
  const { url } = harness;
  const home = await fetch(`${url}/`);
  assert.equal(home.status, 200);
  assert.match(home.headers.get("Content-Type") ?? "", /^text\/html/);
  const html = await home.text();
  const script = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  assert.ok(script, "the page names its script");
  const js = await fetch(`${url}${script}`);
  assert.equal(js.headers.get("Cache-Control"), "public, max-age=31536000, immutable");

  const admin = await fetch(`${url}/admin`);
  assert.equal(admin.status, 200);
  assert.match(await admin.text(), /<title>wa-edge monitoring<\/title>/);
  assert.match(admin.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);

  const health = await fetch(`${url}/api/health`);
  assert.deepEqual(await health.json(), { ok: true, version: "0.1.0", config: "valid" });
  const metrics = await fetch(`${url}/metrics`);
  assert.equal(metrics.status, 401, "the Worker, not the assets, answers /metrics");
  assert.match(metrics.headers.get("Content-Type") ?? "", /^application\/json/);
});

test("the browser finds a favicon instead of a 404", async () => {
  const page = await harness.signIn(AMIRA);
  const icon = await page.request.get(`${harness.url}/favicon.ico`);
  assert.equal(icon.status(), 200, "/favicon.ico is there, so browsers stop logging a 404");
  const bytes = await icon.body();
  assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 1, 0], "an ICO file");
  await page.context().close();
});

test("the header says what WhatsApp is doing as soon as the chats show, not “checking…” for 5 s", async () => {
  const page = await harness.signIn(AMIRA);
  const started = Date.now();
  await page.getByRole("heading", { name: "Chats" }).waitFor();
  await headerStatus(page).filter({ hasText: "connected" }).waitFor({ timeout: 3_000 });
  assert.ok(Date.now() - started < 3_000, "the first status check does not wait 5 s");
  assert.ok(!page.url().includes("token="), "the token left the address bar");
  await page.context().close();
});

test("with nothing to sign in with the page asks for a token; with the app's cookie it signs in by itself", async () => {
  const { browser, stack, url } = harness;
  const bare = await browser.newContext();
  const signedOut = await bare.newPage();
  await signedOut.goto(`${url}/`);
  await signedOut.getByLabel("Access token").waitFor();
  await screenshot(signedOut, "sign-in");
  // A pasted token signs in too.
  const token = await stack.token(AMIRA, 600);
  await signedOut.getByLabel("Access token").fill(token);
  await signedOut.getByRole("button", { name: "Sign in" }).click();
  await signedOut.getByText("Signed in as Amira (agent)").waitFor();
  await bare.close();

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

test("when the sign-in expires and the app has renewed its cookie, live updates come back at once, with no countdown", async () => {
  const { browser, stack, url } = harness;
  const context = await browser.newContext();
  // The app signed this admin in for a short while…
  const signedInAt = Date.now();
  await context.addCookies([{ name: SESSION_COOKIE, value: await stack.token(ADMIN, 15), url }]);
  // (whole seconds: it runs out between 14 and 15 s from now)
  const expiring = signedInAt + 13_500;
  const page = await context.newPage();
  const closedAt: number[] = [];
  page.on("websocket", (socket) => socket.on("close", () => closedAt.push(Date.now())));
  await page.goto(`${url}/`);
  await page.locator(".live[data-live='true']").waitFor({ timeout: 10_000 });
  const header = await recordHeader(page);
  // …and renews the cookie before that runs out, as such apps do.
  await context.addCookies([{ name: SESSION_COOKIE, value: await stack.token(ADMIN, 3600), url }]);

  // The gateway closes the socket when the sign-in it was opened with expires (4001).
  await eventually(
    async () => closedAt.some((at) => at >= expiring),
    "the socket of the expired sign-in to be closed",
    30_000,
  );
  await page.locator(".live[data-live='true']").waitFor({ timeout: 10_000 });
  await stack.control("messages", { chatId: ANA, body: "Are you still there?", webhook: true });
  await chatButton(page, ANA).filter({ hasText: "Are you still there?" }).waitFor();

  const lives = (await header()).filter(([, , at]) => at >= expiring).map(([, live]) => live);
  assert.ok(
    lives.some((live) => live.startsWith("live updates off")),
    "the page saw its socket close",
  );
  assert.deepEqual(
    lives.filter((live) => live.includes("reconnecting in")),
    [],
    "it reconnected at once instead of counting down",
  );
  assert.equal(await page.getByText("Signed in as Admin (admin)").count(), 1);
  await context.close();
});

test("a dropped socket comes back in one upgrade signed in by the page's token: no new ticket, and what came meanwhile shows", async () => {
  const { browser, stack, url } = harness;
  const context = await browser.newContext();
  // Every socket of the page goes through here, so the test can drop one as a network would.
  const sockets: Array<{ url: string; drop: () => Promise<void> }> = [];
  await context.routeWebSocket(/\/api\/realtime/, (ws) => {
    const server = ws.connectToServer();
    sockets.push({ url: ws.url(), drop: () => server.close({ code: 1000, reason: "going away" }) });
  });
  const tickets: string[] = [];
  context.on("request", (req) => {
    if (req.url().includes("/api/realtime/ticket")) tickets.push(req.url());
  });
  const page = await context.newPage();
  await page.goto(`${url}/#token=${await stack.token(ADMIN, 3600)}`);
  await page.locator(".live[data-live='true']").waitFor({ timeout: 10_000 });
  assert.equal(sockets.length, 1);
  assert.match(sockets[0]?.url ?? "", /[?&]ticket=/);
  const ticketsBefore = tickets.length;

  await sockets[0]?.drop();
  // While the page is away (it waits out its first backoff), a customer writes.
  await stack.control("messages", { chatId: ANA, body: "Did my order ship?", webhook: true });
  assert.equal(sockets.length, 1, "the message came before the page was back");
  await eventually(async () => sockets.length === 2, "the page to open its socket again");
  await page.locator(".live[data-live='true']").waitFor({ timeout: 10_000 });
  await chatButton(page, ANA).filter({ hasText: "Did my order ship?" }).waitFor();

  assert.equal(sockets.length, 2);
  const again = new URL(sockets[1]?.url ?? "");
  assert.equal(again.searchParams.get("ticket"), null, "the reconnect took no ticket");
  assert.match(again.searchParams.get("since") ?? "", /^\d+$/);
  assert.equal(tickets.length, ticketsBefore, "no POST /api/realtime/ticket for the reconnect");
  await context.close();
});

test("with one number the inbox looks as it did: no number switcher, no number on rows, no pills", async () => {
  const page = await harness.signIn(ADMIN);
  await chatButton(page, ANA).waitFor();
  await page.locator(".filters .filter").first().waitFor();
  assert.equal(await page.locator(".numbers-switch").isVisible(), false);
  assert.equal(await page.locator(".numbers-status").isVisible(), false);
  assert.equal(await page.locator(".chat-list .chat__number").count(), 0);
  assert.equal(await chatButton(page, ANA).count(), 1);
  assert.equal(await page.getByRole("button", { name: "All numbers" }).count(), 0);
});
