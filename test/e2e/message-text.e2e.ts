/**
 * How a message reads: links that open safely, WhatsApp's *bold* _italic_ ~strike~
 * ```mono```, typed previews of media in the chat list and in quotes, quotes in groups that
 * name who wrote the quoted message, and a reaction picker that never covers its message.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  ADMIN,
  bubble,
  CHEN,
  chatButton,
  GROUP,
  type Harness,
  openChat,
  startHarness,
} from "./helpers.ts";

let harness: Harness;
let page: Page;

interface SimMessage {
  id: string;
}

const add = (body: Record<string, unknown>) =>
  harness.stack.control<SimMessage>("messages", { webhook: true, ...body });

before(async () => {
  harness = await startHarness();
  page = await harness.signIn(ADMIN);
  await chatButton(page, CHEN).waitFor();
});

after(async () => {
  await harness?.close();
});

test("links are clickable and safe, and WhatsApp's formatting shows, without any of the text becoming HTML", async () => {
  await openChat(page, CHEN, "Chen Wei");
  await add({
    chatId: CHEN,
    body: "*Sale* _today_ ~old price~ ```a_b*c*``` see https://shop.example/a_b?x=1. <img src=x> javascript:alert(1)",
  });
  const row = bubble(page, "Sale");
  await row.waitFor();
  const body = row.locator(".message__body");
  assert.equal(await body.locator("strong").textContent(), "Sale");
  assert.equal(await body.locator("em").textContent(), "today");
  assert.equal(await body.locator("s").textContent(), "old price");
  assert.equal(
    await body.locator("code").textContent(),
    "a_b*c*",
    "nothing inside ``` is formatted",
  );
  const link = body.getByRole("link", { name: "https://shop.example/a_b?x=1" });
  assert.equal(await link.getAttribute("href"), "https://shop.example/a_b?x=1");
  assert.equal(await link.getAttribute("target"), "_blank");
  assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
  assert.equal(await body.locator("a").count(), 1, "javascript: is no link");
  assert.equal(await body.locator("img").count(), 0);
  assert.match((await body.textContent()) ?? "", /x=1\. <img src=x> javascript:alert\(1\)$/);
});

test("the chat list names media instead of [media], from a live message and after a reload", async () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["15550100301@c.us", { kind: "image/jpeg" }, "📷 Photo"],
    [
      "15550100302@c.us",
      { kind: "audio/ogg", mimetype: "audio/ogg; codecs=opus" },
      "🎤 Voice message",
    ],
    [
      "15550100303@c.us",
      { kind: "application/pdf", filename: "invoice-77.pdf" },
      "📄 invoice-77.pdf",
    ],
    ["15550100304@c.us", { kind: "video/mp4" }, "🎥 Video"],
  ];
  // The first message makes the chat; the media message then comes live.
  for (const [chatId] of cases) await add({ chatId, body: "Hello" });
  for (const [chatId] of cases) await chatButton(page, chatId).waitFor();
  for (const [chatId, media] of cases) await add({ chatId, body: "", media });
  for (const [chatId, , preview] of cases)
    await chatButton(page, chatId).locator(".chat__preview", { hasText: preview }).waitFor();
  await page.reload();
  for (const [chatId, , preview] of cases) {
    const shown = chatButton(page, chatId).locator(".chat__preview");
    await shown.waitFor();
    assert.equal(await shown.textContent(), preview, `${chatId} after a reload`);
  }
  assert.equal(await page.getByText("[media]").count(), 0);
});

test("a quote in a group names who wrote the quoted message, and a quoted photo says it is one", async () => {
  await openChat(page, GROUP, "Store Ops");
  const first = await add({
    chatId: GROUP,
    participant: "15550100102@c.us",
    body: "Shelf 4 is empty",
  });
  await add({
    chatId: GROUP,
    participant: "15550100103@c.us",
    body: "I will refill it",
    replyTo: first.id,
  });
  const reply = bubble(page, "I will refill it");
  const quote = reply.locator(".quote");
  await quote.waitFor();
  // No push name known: the sender's number, written as people read it.
  assert.equal(await quote.locator(".quote__who").textContent(), "+1 555 010 0102");
  assert.equal(await quote.locator(".quote__text").textContent(), "Shelf 4 is empty");

  const photo = await add({
    chatId: GROUP,
    participant: "15550100101@c.us",
    body: "",
    media: { kind: "image/jpeg" },
  });
  await add({
    chatId: GROUP,
    participant: "15550100102@c.us",
    body: "Which shelf is that?",
    replyTo: photo.id,
  });
  const photoQuote = bubble(page, "Which shelf is that?").locator(".quote");
  await photoQuote.waitFor();
  assert.equal(await photoQuote.locator(".quote__who").textContent(), "+1 555 010 0101");
  assert.equal(await photoQuote.locator(".quote__text").textContent(), "📷 Photo");
});

test("the reaction picker opens beside the message, not over it, and inside the window", async () => {
  await openChat(page, CHEN, "Chen Wei");
  // At 390 px the open chat fills the window.
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    for (const text of [`First of two at ${width}`, `Second of two at ${width}`]) {
      await add({ chatId: CHEN, body: text });
      const row = bubble(page, text);
      await row.waitFor();
      await row.scrollIntoViewIfNeeded();
      await row.click({ position: { x: 5, y: 5 } });
      await row.getByRole("button", { name: "React to this message" }).click();
      const picker = row.getByRole("group", { name: "Pick a reaction" });
      await picker.waitFor();
      const [p, m] = await Promise.all([
        picker.boundingBox(),
        row.locator(".message__body").boundingBox(),
      ]);
      assert.ok(p && m);
      const overlaps =
        p.x < m.x + m.width && m.x < p.x + p.width && p.y < m.y + m.height && m.y < p.y + p.height;
      assert.ok(
        !overlaps,
        `at ${width} px the picker ${JSON.stringify(p)} covers "${text}" ${JSON.stringify(m)}`,
      );
      assert.ok(
        p.x >= 0 && p.x + p.width <= width && p.y >= 0 && p.y + p.height <= 800,
        `inside the window at ${width} px`,
      );
      await page.keyboard.press("Escape");
      await picker.waitFor({ state: "hidden" });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});
