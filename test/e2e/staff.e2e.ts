/**
 * An admin and agents at work in separate browsers: assigning a chat (its "Saved" stays),
 * seeing each other's changes live, the first-response time, filters and search, the
 * unread count in the title and a desktop notification, the pairing QR, WAHA's setup and
 * its one-click fix, and /admin.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  ADMIN,
  AMIRA,
  ANA,
  assertAccessible,
  bubble,
  CHEN,
  chatButton,
  type Harness,
  headerStatus,
  openChat,
  screenshot,
  startHarness,
} from "./helpers.ts";

const CUSTOMER = "15550107701@c.us";
let harness: Harness;
let admin: Page;
let amira: Page;

before(async () => {
  harness = await startHarness();
  // Chats are assigned by hand in these tests, not round-robin.
  const token = await harness.stack.token(ADMIN, 600);
  const res = await fetch(`${harness.url}/api/wa/auto-assign`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ enabled: false }),
  });
  assert.equal(res.status, 200);
  admin = await harness.signIn(ADMIN);
  amira = await harness.signIn(AMIRA, { notifications: true });
  await chatButton(admin, ANA).waitFor();
  await amira.getByText("No chats are assigned to you yet.").waitFor();
});

after(async () => {
  await harness?.close();
});

test("after assigning a chat, the word that it was saved stays while the change reaches everyone", async () => {
  await openChat(admin, CHEN, "Chen Wei");
  await admin.getByLabel("Assigned to").selectOption("agent-1");
  await chatButton(admin, CHEN).getByText("Assigned to Amira").waitFor();
  // The agent's list learns of the chat from the socket; the same frame reached the admin.
  await chatButton(amira, CHEN).waitFor({ timeout: 10_000 });
  assert.ok(await admin.getByText(/^Saved/).isVisible(), "“Saved” is still on screen");
});

test("an admin assigns a new customer to an agent; both see each other's changes live, and the first-response time", async () => {
  await harness.stack.control("messages", {
    chatId: CUSTOMER,
    body: "Hello, my parcel never arrived",
    webhook: true,
  });
  await chatButton(admin, CUSTOMER).waitFor({ timeout: 10_000 });
  await chatButton(admin, CUSTOMER).click();
  await bubble(admin, "my parcel never arrived").waitFor();
  await admin.getByText(/Waiting \d+ s for a first response/).waitFor({ timeout: 10_000 });

  await admin.getByLabel("Assigned to").selectOption("agent-1");
  await chatButton(admin, CUSTOMER).getByText("Assigned to Amira").waitFor();
  // The agent's list learns of the chat from the socket.
  await chatButton(amira, CUSTOMER).waitFor({ timeout: 10_000 });
  // The same frame reached the admin's page too; the word of the save is still there.
  const saved = admin.getByText("Saved: assigned to Amira");
  await saved.waitFor();
  assert.ok(await saved.isVisible());

  await openChat(amira, CUSTOMER, "+1 555 010 7701");
  await amira
    .getByRole("textbox", { name: "Message" })
    .fill("Sorry about that, we are asking the courier.");
  await amira.keyboard.press("Enter");
  await bubble(admin, "we are asking the courier").waitFor({ timeout: 10_000 });
  await admin.getByText(/First response after \d+ s/).waitFor({ timeout: 10_000 });

  await admin.getByRole("textbox", { name: "Message" }).fill("Amira will keep you posted.");
  await admin.keyboard.press("Enter");
  await bubble(amira, "Amira will keep you posted.").waitFor({ timeout: 10_000 });
  assert.ok(await saved.isVisible(), "still there after the admin's own send");
  await screenshot(admin, "admin-assigned");
  await screenshot(amira, "agent-answered");
  await assertAccessible(admin, "admin with an assigned chat");
});

test("filters and search narrow the list to what the reader is after", async () => {
  await admin.getByRole("tab", { name: /^Unassigned \d+$/ }).click();
  await chatButton(admin, ANA).waitFor();
  assert.equal(await chatButton(admin, CUSTOMER).count(), 0, "assigned chats leave Unassigned");
  await admin.getByRole("tab", { name: /^Unread \d+$/ }).click();
  const unread = admin.locator(".chat-list .chat");
  await admin.locator(".chat-list .chat--unread").first().waitFor();
  assert.equal(await unread.count(), await admin.locator(".chat-list .chat--unread").count());
  await admin.getByRole("tab", { name: /^All \d+$/ }).click();
  assert.ok((await unread.count()) > 20);

  // An agent's filters are about its own chats.
  assert.deepEqual(
    (await amira.getByRole("tab").allTextContents()).map((t) => t.replace(/ \d+$/, "")),
    ["Mine", "Unassigned", "Unread"],
  );
  assert.equal(await amira.locator(".chat-list .chat").count(), 2);

  await openChat(admin, ANA, "Ana Souza");
  await admin.getByRole("searchbox", { name: "Search messages" }).fill("parcel never");
  const hit = admin.locator(".search-hits .hit", { hasText: "parcel" });
  await hit.waitFor({ timeout: 10_000 });
  assert.equal(await hit.locator("mark").first().textContent(), "parcel");
  await hit.click();
  await admin.getByRole("heading", { level: 2, name: "+1 555 010 7701" }).waitFor();
  await admin.locator(".message--found", { hasText: "my parcel never arrived" }).waitFor();
  await admin.getByRole("searchbox", { name: "Search messages" }).fill("");
  await chatButton(admin, ANA).waitFor();
});

test("the title counts unread chats, and a new message in one's own chat elsewhere brings a notification", async () => {
  // Amira looks at her other chat while this one gets news.
  await admin.getByRole("tab", { name: /^All \d+$/ }).click();
  await openChat(amira, CHEN, "Chen Wei");
  await amira.waitForFunction(() => !document.title.startsWith("("));

  await harness.stack.control("messages", { chatId: CUSTOMER, body: "Any news?", webhook: true });
  await chatButton(amira, CUSTOMER).locator(".chat__unread").waitFor({ timeout: 10_000 });
  assert.equal(await amira.title(), "(1) wa-edge inbox");
  const notified = await amira.evaluate(() =>
    window.notified.map((n) => ({ title: n.title, body: n.body })),
  );
  // Word of the two chats the admin assigned to her came first.
  assert.deepEqual(notified, [
    { title: "New chat assigned to you", body: "+1 555 010 0003" },
    { title: "New chat assigned to you", body: "+1 555 010 7701" },
    { title: "15550107701", body: "Any news?" },
  ]);
  // Clicking the notification opens the chat and reads it.
  await amira.evaluate(() => window.notified[2]?.click());
  await amira.getByRole("heading", { level: 2, name: "+1 555 010 7701" }).waitFor();
  await amira.waitForFunction(() => document.title === "wa-edge inbox");
});

test("while the session waits for a scan the admin sees the pairing QR; an agent only hears about it", async () => {
  await harness.stack.control("session", { status: "SCAN_QR_CODE" });
  await headerStatus(admin)
    .filter({ hasText: "waiting for a QR scan" })
    .waitFor({ timeout: 10_000 });
  const qr = admin.getByRole("img", { name: "QR code to pair WhatsApp" });
  await qr.waitFor({ timeout: 15_000 });
  await admin.waitForFunction(() => {
    const img = document.querySelector(".qr__img");
    return img instanceof HTMLImageElement && img.naturalWidth > 0;
  });
  await screenshot(admin, "pairing-qr");
  await headerStatus(amira)
    .filter({ hasText: "waiting for a QR scan" })
    .waitFor({ timeout: 10_000 });
  assert.equal(await amira.getByRole("img", { name: "QR code to pair WhatsApp" }).count(), 0);

  await harness.stack.control("session", { status: "WORKING" });
  await headerStatus(admin).filter({ hasText: "connected" }).waitFor({ timeout: 10_000 });
  await qr.waitFor({ state: "hidden" });
});

test("an admin sees what WAHA's setup lacks with its fix, and one Apply sets it up; an agent sees none of it", async () => {
  // The demo's WAHA posts to the gateway from its own hook, not from the session's config.
  const panel = admin.getByRole("region", { name: /^WAHA's setup needs/ });
  await panel.waitFor({ timeout: 15_000 });
  await panel.locator('[data-code="webhook-missing"]').waitFor();
  await panel.locator('[data-code="webjs-tags-events-off"]').waitFor();
  await assertAccessible(admin, "the setup panel");
  assert.equal(await amira.getByRole("region", { name: /WAHA's setup/ }).count(), 0);
  await panel.getByRole("button", { name: "Apply recommended setup" }).click();
  await admin
    .getByRole("region", { name: "WAHA is set up as the inbox needs it." })
    .waitFor({ timeout: 20_000 });
  const { sim, secrets } = harness.stack;
  const session = await fetch(`${sim.url}/api/sessions/default`, {
    headers: { "X-Api-Key": secrets.apiKey },
  });
  const { config } = (await session.json()) as {
    config: { webhooks: Array<{ url: string }>; webjs: { tagsEventsOn: boolean } };
  };
  assert.deepEqual(
    config.webhooks.map((w) => w.url),
    [`${harness.url}/api/waha/webhook`],
  );
  assert.equal(config.webjs.tagsEventsOn, true);
  await headerStatus(admin).filter({ hasText: "connected" }).waitFor({ timeout: 10_000 });
});

test("/admin shows the monitoring figures at a glance; an agent is told it is for staff", async () => {
  await admin.goto(`${harness.url}/admin`);
  await admin.getByRole("heading", { level: 1, name: "wa-edge monitoring" }).waitFor();
  for (const label of [
    "WAHA calls / min",
    "Cache hit rate",
    "Media turned away",
    "Circuit breaker",
    "WAHA webhooks",
    "Live connections",
  ]) {
    await admin.locator(".tile__label", { hasText: label }).waitFor();
  }
  assert.equal(
    await admin
      .locator(".tile", { hasText: "Circuit breaker" })
      .locator(".tile__value")
      .textContent(),
    "closed",
  );
  await admin
    .locator(".bars__row", { hasText: "Amira" })
    .getByText("2 chats")
    .waitFor({ timeout: 10_000 });
  // A second sample makes the rates: the traffic chart draws its lines.
  await admin
    .locator(".panel", { hasText: "WAHA calls against browser requests" })
    .locator("polyline")
    .first()
    .waitFor({ timeout: 15_000 });
  await screenshot(admin, "admin-page");
  await assertAccessible(admin, "/admin");

  await amira.goto(`${harness.url}/admin`);
  await amira.getByText("Monitoring is for admins and users.").waitFor();
});
