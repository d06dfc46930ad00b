/**
 * An agent's view and the pages around it, on WAHA Core: the hint for an agent without
 * chats, the filters as tabs that say what they hold, a chat unassigned under the reader,
 * sign-in links that are cut short or expired, /admin at phone width, and why there is no
 * Attach button.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN,
  AMIRA,
  ANA,
  assertAccessible,
  BRIAN,
  callAsAdmin,
  chatButton,
  eventually,
  type Harness,
  openChat,
  startHarness,
} from "./helpers.ts";

let harness: Harness;

const asAdmin = (method: string, path: string, body?: unknown) =>
  callAsAdmin(harness, method, path, body);

before(async () => {
  harness = await startHarness({ simTier: "CORE" });
  assert.equal((await asAdmin("PUT", "/api/wa/auto-assign", { enabled: false })).status, 200);
});

after(async () => {
  await harness?.close();
});

test("an agent without chats is told what to do; the filters are tabs that say how many chats each holds", async () => {
  const amira = await harness.signIn(AMIRA);
  await amira
    .getByText("No chats are assigned to you yet. Ask an admin to assign you some")
    .waitFor();
  await assertAccessible(amira, "agent without chats");

  await asAdmin("PUT", `/api/wa/assignments/${ANA}`, { agentId: "agent-1" });
  await asAdmin("PUT", `/api/wa/assignments/${BRIAN}`, { agentId: "agent-1" });
  await chatButton(amira, BRIAN).waitFor({ timeout: 10_000 });
  await chatButton(amira, ANA).waitFor();
  // Reading Ana's chat leaves one unread chat.
  await openChat(amira, ANA, "Ana Souza");
  const tabs = amira.getByRole("tablist", { name: "Show chats" });
  const mine = tabs.getByRole("tab", { name: /^Mine/ });
  const unread = tabs.getByRole("tab", { name: /^Unread/ });
  assert.equal(await mine.getAttribute("aria-selected"), "true");
  assert.equal(await mine.textContent(), "Mine 2");
  assert.equal(await unread.textContent(), "Unread 1");
  await unread.click();
  assert.equal(await unread.getAttribute("aria-selected"), "true");
  assert.equal(await mine.getAttribute("aria-selected"), "false");
  await chatButton(amira, ANA).waitFor({ state: "detached" });
  assert.equal(await chatButton(amira, BRIAN).count(), 1);
  // Arrow keys move between the tabs (an agent's tabs include its Unassigned queue).
  const names = await tabs.getByRole("tab").allTextContents();
  const left = names[names.findIndex((name) => name.startsWith("Unread")) - 1];
  await amira.keyboard.press("ArrowLeft");
  assert.equal(await amira.evaluate(() => document.activeElement?.textContent), left);
  assert.equal(await unread.getAttribute("aria-selected"), "false");
  await mine.click();
  await chatButton(amira, ANA).waitFor();
  assert.equal(await amira.evaluate(() => document.activeElement?.textContent), "Mine 2");
  await assertAccessible(amira, "agent's tabs");
  await amira.context().close();
});

test("an agent whose open chat is unassigned is told it was unassigned, not given to someone else", async () => {
  await asAdmin("PUT", `/api/wa/assignments/${ANA}`, { agentId: "agent-1" });
  const amira = await harness.signIn(AMIRA);
  await openChat(amira, ANA, "Ana Souza");
  await asAdmin("DELETE", `/api/wa/assignments/${ANA}`);
  await amira.getByText("This chat was unassigned from you.").waitFor({ timeout: 10_000 });
  assert.equal(await amira.getByText("assigned to someone else").count(), 0);
  await amira.context().close();
});

test("a sign-in link that is cut short, empty or expired says so on the page", async () => {
  const context = await harness.browser.newContext();
  const page = await context.newPage();
  const token = await harness.stack.token(AMIRA, 600);
  await page.goto(`${harness.url}/#token=${token.slice(0, 40)}`);
  await page.getByText("This sign-in link is not valid: it may have been cut short").waitFor();
  await page.goto(`${harness.url}/admin#token=`);
  await page.getByText("This sign-in link is not valid").waitFor();
  const expired = await harness.stack.token(AMIRA, -60);
  await page.goto(`${harness.url}/#token=${expired}`);
  await page.getByText("This sign-in link has expired. Ask for a new one.").waitFor();
  assert.equal(await page.getByRole("alert").count(), 1);
  await page.getByLabel("Access token").waitFor();
  await context.close();
});

test("/admin at 390 px scrolls through its panels and never past them into a blank screen", async () => {
  const page = await harness.signIn(ADMIN, { width: 390, height: 800 });
  await page.goto(`${harness.url}/admin`);
  await page.getByText(/^Updated /).waitFor();
  const sizes = await page.evaluate(() => {
    const root = document.scrollingElement;
    if (!root) throw new Error("the page has no scrolling element");
    return { scroll: root.scrollHeight, view: root.clientHeight, width: root.scrollWidth };
  });
  assert.ok(
    sizes.scroll <= sizes.view,
    `the document itself does not scroll: ${JSON.stringify(sizes)}`,
  );
  assert.ok(sizes.width <= 390, "nor sideways");
  // The page's own scroller reaches the last panel, and shows it there (tried again while
  // panels above it still fill in and grow).
  const last = page.locator("main.admin > *").last();
  await eventually(async () => {
    await last.evaluate((el) => el.scrollIntoView({ block: "end" }));
    const box = await last.boundingBox();
    return box !== null && box.y >= 0 && box.y + box.height <= 801;
  }, "the last panel to be in view");
  const after = await page.evaluate(() => {
    const root = document.scrollingElement;
    if (!root) throw new Error("the page has no scrolling element");
    return root.scrollHeight - root.clientHeight;
  });
  assert.equal(after, 0, "scrolling to the end moved no blank page into view");
  await page.context().close();
});

test("on WAHA Core there is no Attach button, and a note says why", async () => {
  const admin = await harness.signIn(ADMIN);
  await openChat(admin, BRIAN, "Brian O'Connor");
  await admin.getByText("Sending files needs WAHA Plus; this server runs WAHA Core.").waitFor();
  assert.equal(await admin.getByRole("button", { name: "Attach a photo or document" }).count(), 0);
  await admin.context().close();
});
