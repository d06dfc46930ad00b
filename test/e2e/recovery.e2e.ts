/**
 * WAHA going away and coming back: a chat list that could not load loads by itself, the
 * header stops saying "connected" within seconds and says it again when WAHA is back, and
 * a reply written meanwhile waits queued, then goes out, then is read — with no reload.
 * The header tells one story: never "connected" beside a reply WAHA did not take, never
 * "gateway not answering" beside live updates or after the gateway answered.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  ADMIN,
  ANA,
  assertAccessible,
  bubble,
  chatButton,
  type Harness,
  headerStatus,
  openChat,
  recordHeader,
  screenshot,
  startHarness,
} from "./helpers.ts";

let harness: Harness;
let page: Page;

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness?.close();
});

const wahaDown = () => harness.stack.control("faults", { status: 503 });
const wahaUp = () => harness.stack.control("faults", undefined, "DELETE");

test("a chat list that could not load while WAHA was down loads by itself once WAHA is back", async () => {
  // A gateway that has never seen the chats has to ask WAHA for them.
  await wahaDown();
  try {
    page = await harness.signIn(ADMIN);
    await page.getByText("Could not load the chats").waitFor({ timeout: 20_000 });
  } finally {
    await wahaUp();
  }
  const saidWhen = await page.getByText(/Trying again in \d+ s|Trying again…/).count();
  await screenshot(page, "chats-could-not-load");
  // Marks this very page: a reload would lose it.
  await page.evaluate(() => {
    (globalThis as { stillThisPage?: boolean }).stillThisPage = true;
  });

  // The gateway's breaker keeps WAHA alone for up to 30 s after it opened, then tries again.
  await chatButton(page, ANA).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByText("Could not load the chats").count(), 0);
  assert.equal(
    await page.evaluate(() => (globalThis as { stillThisPage?: boolean }).stillThisPage),
    true,
    "the list came back without a reload",
  );
  assert.equal(saidWhen, 1, "while it waited, the page said when it would try again");
  await headerStatus(page).filter({ hasText: "connected" }).waitFor({ timeout: 45_000 });
});

test("when WAHA dies the header says so within seconds; a reply waits queued, goes out when WAHA is back, then is read", async () => {
  await page.context().close();
  page = await harness.signIn(ADMIN);
  await openChat(page, ANA, "Ana Souza");
  await bubble(page, "And the order page").waitFor();
  await page.locator(".live[data-live='true']").waitFor({ timeout: 15_000 });
  await headerStatus(page).filter({ hasText: "connected" }).waitFor();

  // WAHA dies without a word: no webhook, no event, only calls that fail.
  await wahaDown();
  const diedAt = Date.now();
  await headerStatus(page).filter({ hasText: "not answering" }).waitFor({ timeout: 30_000 });
  const noticedInMs = Date.now() - diedAt;
  assert.ok(noticedInMs < 30_000, `noticed after ${noticedInMs} ms`);
  // What is stored stays readable while WAHA is away.
  await bubble(page, "Hi! My blender arrived").waitFor();

  const text = "Sent while WhatsApp was away";
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
  const mine = bubble(page, text);
  await mine.locator(".message__state", { hasText: "queued" }).waitFor({ timeout: 15_000 });
  await page.getByText("it goes out as soon as it is back").waitFor();
  await screenshot(page, "waha-down-queued");
  await assertAccessible(page, "WAHA down, a reply queued");

  await wahaUp();
  // The outbox sends it once the breaker lets calls through again.
  await mine.locator(".message__state", { hasText: /^sent$/ }).waitFor({ timeout: 60_000 });
  const id = await mine.getAttribute("data-id");
  assert.ok(id, "the sent message has WhatsApp's id");
  assert.equal(await page.locator(".messages > li", { hasText: text }).count(), 1, "shown once");

  await harness.stack.control("ack", { messageId: id, ack: 2 });
  await mine.locator(".message__state", { hasText: "delivered" }).waitFor({ timeout: 10_000 });
  await harness.stack.control("ack", { messageId: id, ack: 3 });
  await mine.locator(".message__state", { hasText: "read" }).waitFor({ timeout: 10_000 });
  await headerStatus(page).filter({ hasText: "connected" }).waitFor({ timeout: 45_000 });
  await screenshot(page, "waha-back-read");
});

test("the header says WhatsApp is not answering the moment a reply waits for it, never “connected” beside it", async () => {
  // Each test on a fresh page, so that it also runs alone.
  await page?.context().close();
  page = await harness.signIn(ADMIN);
  await openChat(page, ANA, "Ana Souza");
  await page.locator(".live[data-live='true']").waitFor({ timeout: 15_000 });
  await headerStatus(page).filter({ hasText: "connected" }).waitFor();
  // WAHA hangs without a word: the gateway waits for it, then keeps the reply to send later.
  await harness.stack.control("faults", { hang: true });
  try {
    const text = "Written while WhatsApp hangs";
    await page.getByRole("textbox", { name: "Message" }).fill(text);
    await page.keyboard.press("Enter");
    await bubble(page, text)
      .locator(".message__state", { hasText: "queued" })
      .waitFor({ timeout: 20_000 });
    assert.equal(await headerStatus(page).textContent(), "not answering");
  } finally {
    await wahaUp();
  }
});

test("once the network is back, the gateway's first answer ends “gateway not answering”, which never shows beside live updates", async () => {
  // Each test on a fresh page, so that it also runs alone.
  await page?.context().close();
  page = await harness.signIn(ADMIN);
  await page.locator(".live[data-live='true']").waitFor({ timeout: 15_000 });
  await headerStatus(page).filter({ hasText: "connected" }).waitFor({ timeout: 45_000 });
  const header = await recordHeader(page);

  await page.context().setOffline(true);
  // The agent opens a chat; it cannot load.
  await chatButton(page, ANA).click();
  await headerStatus(page).filter({ hasText: "gateway not answering" }).waitFor();
  await page.context().setOffline(false);
  // The chat loads by itself: the gateway answered, and the header says so in the same breath.
  await bubble(page, "And the order page").waitFor({ timeout: 30_000 });
  assert.notEqual(await headerStatus(page).textContent(), "gateway not answering");

  const states = await header();
  assert.ok(states.some(([status]) => status === "gateway not answering"));
  assert.deepEqual(
    states.filter(
      ([status, live]) => status === "gateway not answering" && live === "live updates on",
    ),
    [],
    "“gateway not answering” beside “live updates on”",
  );
});
