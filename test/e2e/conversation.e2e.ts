/**
 * Reading a conversation: true order within a second, a separator per day, older pages on
 * scrolling up, photos that load without pushing the newest message away, a viewer with a
 * download, a player or a link for every media kind (and a word when a file cannot play),
 * a word for a photo WhatsApp no longer has, quotes, reactions, edits and deletions.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  ADMIN,
  ANA,
  assertAccessible,
  BRIAN,
  bubble,
  CHEN,
  chatButton,
  DALIA,
  EMEKA,
  type Harness,
  inView,
  MARKET,
  openChat,
  screenshot,
  startHarness,
  within,
} from "./helpers.ts";

let harness: Harness;
let page: Page;

interface SimMessage {
  id: string;
  timestamp: number;
}

before(async () => {
  harness = await startHarness();
  page = await harness.signIn(ADMIN);
  await chatButton(page, ANA).waitFor();
});

after(async () => {
  await harness?.close();
});

/** Messages from a new customer, all within one second (tried again until they are). */
async function sameSecond(bodies: string[]): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const chatId = `1555019${String(attempt).padStart(2, "0")}${Date.now() % 10_000}@c.us`;
    const sent: SimMessage[] = [];
    for (const body of bodies) {
      sent.push(
        await harness.stack.control<SimMessage>("messages", { chatId, body, webhook: true }),
      );
    }
    if (new Set(sent.map((m) => m.timestamp)).size === 1) return chatId;
  }
  throw new Error("could not send three messages within one second");
}

test("messages that share one second show in the order they were sent, under today's date", async () => {
  const jid = await sameSecond([
    "first, about my order",
    "second, the number is 4471",
    "third, thanks",
  ]);
  // A new customer: the list learns of the chat from the socket.
  await chatButton(page, jid).waitFor({ timeout: 10_000 });
  await chatButton(page, jid).click();
  await bubble(page, "third, thanks").waitFor();
  const texts = await page.locator(".messages > li.message .message__body").allTextContents();
  assert.deepEqual(texts, ["first, about my order", "second, the number is 4471", "third, thanks"]);
  assert.deepEqual(await page.locator(".messages > li.day").allTextContents(), ["Today"]);
});

test("photos that load after the chat opens leave the newest message in sight", async () => {
  const chatId = "15550108801@c.us";
  for (let i = 0; i < 6; i++) {
    await harness.stack.control("messages", {
      chatId,
      media: { kind: "image/jpeg" },
      webhook: true,
    });
  }
  await harness.stack.control("messages", { chatId, body: "That is all of them", webhook: true });
  await chatButton(page, chatId).waitFor({ timeout: 10_000 });
  await chatButton(page, chatId).click();
  await bubble(page, "That is all of them").waitFor();
  // The photos near the end (those in view load first) have arrived and taken their room.
  await page.waitForFunction(
    () => {
      const imgs = Array.from(document.querySelectorAll(".messages img"), (img) =>
        img instanceof HTMLImageElement ? img : null,
      );
      const loaded = imgs.filter((img) => img?.complete && img.naturalWidth > 0).length;
      return loaded >= 3 && document.querySelectorAll(".messages [aria-busy]").length === 0;
    },
    undefined,
    { timeout: 15_000 },
  );
  // The page settles in a frame or two.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
      }),
  );
  assert.ok(
    await inView(bubble(page, "That is all of them")),
    "the newest message is still on screen",
  );
});

test("older messages come on scrolling up, and the view stays where the reader was", async () => {
  await openChat(page, MARKET, "Mercado Central");
  const rows = page.locator(".messages > li.message");
  await bubble(page, "Order 1140").waitFor();
  assert.equal(await rows.count(), 50);
  const anchor = bubble(page, "Order 1091");
  for (const expected of [100, 140]) {
    await page.locator(".messages-scroll").evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.waitForFunction(
      (n) => document.querySelectorAll(".messages > li.message").length >= n,
      expected,
      { timeout: 10_000 },
    );
  }
  await bubble(page, "Order 1001").waitFor();
  await page.getByText("Start of the conversation").waitFor();
  assert.equal(await rows.count(), 140);
  // Loading above did not throw the reader to the top of the new page.
  assert.ok(!(await within(bubble(page, "Order 1001"), page.locator(".messages-scroll"))));
  assert.ok(await anchor.count());
});

test("a photo opens in a viewer with a download; voice notes, video and documents have players or links", async () => {
  await openChat(page, ANA, "Ana Souza");
  const photo = page.getByRole("button", { name: /Open photo: Here it is/ });
  await photo.locator("img").waitFor({ timeout: 15_000 });
  await photo.click();
  const viewer = page.getByRole("dialog", { name: "Photo" });
  await viewer.waitFor();
  assert.ok(
    await viewer
      .locator("img")
      .evaluate((img) => img instanceof HTMLImageElement && img.naturalWidth > 0),
  );
  const download = viewer.getByRole("link", { name: /Download/ });
  assert.match((await download.getAttribute("download")) ?? "", /\.jpg$/);
  await page.keyboard.press("ArrowRight");
  await viewer.getByText("Photo 2 of 2").waitFor();
  await screenshot(page, "photo-viewer");
  await assertAccessible(page, "photo viewer");
  await page.keyboard.press("Escape");
  await viewer.waitFor({ state: "hidden" });

  await openChat(page, CHEN, "Chen Wei");
  const audio = page.locator("audio");
  await audio.waitFor({ timeout: 15_000 });
  await page.waitForFunction(
    () => (document.querySelector("audio")?.duration ?? 0) > 0,
    undefined,
    { timeout: 10_000 },
  );
  await page.getByRole("link", { name: "Download voice note" }).waitFor();

  await openChat(page, DALIA, "Dalia Haddad");
  await page.waitForFunction(
    () => (document.querySelector("video")?.videoWidth ?? 0) > 0,
    undefined,
    { timeout: 15_000 },
  );

  await openChat(page, BRIAN, "Brian O'Connor");
  const downloaded = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download invoice-1042.pdf" }).click();
  assert.equal((await downloaded).suggestedFilename(), "invoice-1042.pdf");
});

test("a video the browser cannot play says so and offers the file instead of a dead player", async () => {
  await harness.stack.control("messages", {
    chatId: DALIA,
    body: "Second try, from my other phone",
    media: { kind: "video/mp4", playable: false },
    webhook: true,
  });
  await openChat(page, DALIA, "Dalia Haddad");
  const broken = bubble(page, "Second try, from my other phone");
  await broken
    .getByText("This video cannot be played in the browser.")
    .waitFor({ timeout: 15_000 });
  const link = broken.getByRole("link", { name: /Download .*\.mp4/ });
  assert.match((await link.getAttribute("href")) ?? "", /^blob:/);
  assert.equal(await broken.locator("video").count(), 0);
  // The demo clip of the same chat plays, and the chat spans two days.
  assert.equal(await page.locator(".messages > li.day").last().textContent(), "Today");
  assert.ok((await page.locator(".messages > li.day").count()) >= 2);
});

test("a photo WhatsApp no longer has says so, with no retry to wait for", async () => {
  await openChat(page, EMEKA, "Emeka Obi");
  const gone = bubble(page, "No, see the photo");
  await gone
    .getByText("This photo is no longer available on WhatsApp.")
    .waitFor({ timeout: 15_000 });
  assert.equal(await gone.getByRole("button", { name: "Try again" }).count(), 0);
  assert.equal(await gone.getByText(/Try again in/).count(), 0);
});

test("a reply shows its quote; reactions, edits and deletions show as they happen", async () => {
  await openChat(page, ANA, "Ana Souza");
  const question = bubble(page, "Hi! My blender arrived");
  const questionId = await question.getAttribute("data-id");
  assert.ok(questionId);
  await harness.stack.control("messages", {
    chatId: ANA,
    body: "Any news on the jar?",
    replyTo: questionId,
    webhook: true,
  });
  const reply = bubble(page, "Any news on the jar?");
  await reply.locator(".quote", { hasText: "Hi! My blender arrived" }).waitFor({ timeout: 10_000 });

  // Answering it from the inbox quotes it too.
  await reply.hover();
  await reply.getByRole("button", { name: "Reply to this message" }).click();
  await page.getByText("Replying to Ana Souza").waitFor();
  await page.getByRole("textbox", { name: "Message" }).fill("A new jar ships today.");
  await page.keyboard.press("Enter");
  const answer = bubble(page, "A new jar ships today.");
  await answer.locator(".quote", { hasText: "Any news on the jar?" }).waitFor();
  await answer.locator(".message__state", { hasText: "sent" }).waitFor({ timeout: 10_000 });

  await reply.hover();
  await reply.getByRole("button", { name: "React to this message" }).click();
  await reply.getByRole("button", { name: "React with 👍" }).click();
  await reply.locator(".reaction", { hasText: "👍" }).waitFor();

  const replyId = await reply.getAttribute("data-id");
  assert.ok(replyId);
  await harness.stack.control("react", { messageId: questionId, text: "❤️" });
  await question.locator(".reaction", { hasText: "❤️" }).waitFor({ timeout: 10_000 });
  await harness.stack.control("edit", { messageId: replyId, body: "Any news on the new jar?" });
  await bubble(page, "Any news on the new jar?").getByText("edited").waitFor({ timeout: 10_000 });
  await harness.stack.control("revoke", { messageId: questionId });
  await page
    .locator(`.messages > li[data-id='${questionId}']`)
    .getByText("This message was deleted.")
    .waitFor({
      timeout: 10_000,
    });
  await screenshot(page, "conversation");
  await assertAccessible(page, "a conversation with quotes, reactions, edits and deletions");
  // WAHA Core cannot send files: no attach button.
  assert.equal(await page.getByRole("button", { name: "Attach a photo or document" }).count(), 0);
});

test("at 390 px the inbox is one pane at a time and works from the keyboard", async () => {
  const phone = await harness.signIn(ADMIN, { width: 390, height: 800 });
  await chatButton(phone, CHEN).focus();
  await phone.keyboard.press("Enter");
  await phone.getByRole("heading", { level: 2, name: "Chen Wei" }).waitFor();
  assert.equal(await phone.locator(".sidebar").isVisible(), false, "the list makes way");
  await phone.getByRole("textbox", { name: "Message" }).focus();
  await phone.keyboard.type("Typed on a phone");
  await phone.keyboard.press("Enter");
  await bubble(phone, "Typed on a phone").locator(".message__state", { hasText: "sent" }).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 390, `no sideways scrolling (${overflow} px)`);
  await screenshot(phone, "phone-conversation");
  await assertAccessible(phone, "390 px conversation");
  await phone.getByRole("button", { name: "‹ Chats" }).click();
  await chatButton(phone, CHEN).waitFor();
  await screenshot(phone, "phone-list");
});
