/**
 * Sending files where WAHA Plus can (the simulator in its Plus tier): a photo with a
 * caption goes out, shows as it is sent and as WhatsApp reports it delivered and read; a
 * document goes out as a reply; a failed send says why and can be tried again; replies
 * the gateway never answered wait queued, even through a reload, and go out once each.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { mosaicJpeg } from "../../tools/waha-sim/formats/jpeg.ts";
import {
  AMIRA,
  ANA,
  assertAccessible,
  bubble,
  chatButton,
  eventually,
  type Harness,
  openChat,
  screenshot,
  startHarness,
} from "./helpers.ts";

let harness: Harness;
let page: Page;

before(async () => {
  harness = await startHarness({ simTier: "PLUS" });
  const token = await harness.stack.token({ sub: "admin", role: "admin" }, 600);
  // Ana's chat is Amira's.
  const res = await fetch(`${harness.url}/api/wa/assignments/${encodeURIComponent(ANA)}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ agentId: "agent-1" }),
  });
  assert.equal(res.status, 200);
  page = await harness.signIn(AMIRA);
  await chatButton(page, ANA).waitFor();
});

after(async () => {
  await harness?.close();
});

test("a photo with a caption goes out against WAHA Plus and shows sent, delivered, read", async () => {
  await openChat(page, ANA, "Ana Souza");
  const attach = page.getByRole("button", { name: "Attach a photo or document" });
  await attach.waitFor({ timeout: 10_000 });
  await page.locator("#composer-file").setInputFiles({
    name: "new-jar.jpg",
    mimeType: "image/jpeg",
    buffer: mosaicJpeg(7),
  });
  await page.getByText("new-jar.jpg").waitFor();
  await assertAccessible(page, "a photo chosen to send");
  await page.getByRole("textbox", { name: "Message" }).fill("Here is the new jar, packed");
  await page.keyboard.press("Enter");

  const sent = bubble(page, "Here is the new jar, packed");
  await sent.locator(".message__state", { hasText: "sent" }).waitFor({ timeout: 15_000 });
  // The photo is WhatsApp's copy now, fetched back through the gateway.
  const photo = sent.getByRole("button", { name: /Open photo/ }).locator("img");
  await photo.waitFor({ timeout: 15_000 });
  await eventually(
    () =>
      photo.evaluate(
        (img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0,
      ),
    "the sent photo to show",
  );
  const id = await sent.getAttribute("data-id");
  assert.ok(id);
  await harness.stack.control("ack", { messageId: id, ack: 2 });
  await sent.locator(".message__state", { hasText: "delivered" }).waitFor({ timeout: 10_000 });
  await harness.stack.control("ack", { messageId: id, ack: 3 });
  await sent.locator(".message__state", { hasText: "read" }).waitFor({ timeout: 10_000 });
  await screenshot(page, "photo-sent");
});

test("a document goes out as a reply, quoting the message it answers", async () => {
  const question = bubble(page, "And the order page");
  await question.hover();
  await question.getByRole("button", { name: "Reply to this message" }).click();
  await page.getByText("Replying to Ana Souza").waitFor();
  await page.locator("#composer-file").setInputFiles({
    name: "return-label.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n% a return label\n%%EOF\n"),
  });
  await page.getByRole("button", { name: "Send" }).click();
  const label = page.locator(".messages > li.message--out", { hasText: "return-label.pdf" });
  await label.locator(".quote", { hasText: "And the order page" }).waitFor({ timeout: 15_000 });
  await label.locator(".message__state", { hasText: "sent" }).waitFor({ timeout: 15_000 });
  await label.getByRole("button", { name: "Download return-label.pdf" }).waitFor();
});

test("a send WhatsApp refuses says why and is sent when tried again", async () => {
  // WAHA turns down the next text once; the outbox keeps it as failed.
  await harness.stack.control("faults", { endpoint: "sendText", status: 400, times: 1 });
  await page.getByRole("textbox", { name: "Message" }).fill("Refused the first time");
  await page.keyboard.press("Enter");
  const failed = page.locator(".messages > li.message--failed", {
    hasText: "Refused the first time",
  });
  await failed.getByText(/Not sent:/).waitFor({ timeout: 15_000 });
  await failed.getByRole("button", { name: "Retry" }).click();
  await bubble(page, "Refused the first time")
    .locator(".message__state", { hasText: "sent" })
    .waitFor({ timeout: 15_000 });
  assert.equal(
    await page.locator(".messages > li", { hasText: "Refused the first time" }).count(),
    1,
  );
});

test("replies the gateway never got wait queued, outlive a reload, and go out once each, in order, when it answers", async () => {
  await openChat(page, ANA, "Ana Souza");
  const tries: Array<{ clientId: string; text: string }> = [];
  page.on("request", (request) => {
    if (!request.url().endsWith("/api/wa/send-text")) return;
    tries.push(JSON.parse(request.postData() ?? "{}") as { clientId: string; text: string });
  });
  // Every send is lost on the way, as when the network drops or the gateway restarts.
  await page.route("**/api/wa/send-text", (route) => route.abort("internetdisconnected"));
  const texts = ["First, while nothing gets through", "Second, right behind it"];
  for (const text of texts) {
    await page.getByRole("textbox", { name: "Message" }).fill(text);
    await page.keyboard.press("Enter");
  }
  for (const text of texts) {
    await bubble(page, text).locator(".message__state", { hasText: "queued" }).waitFor();
  }
  await page
    .getByText("The gateway is not answering; it is sent as soon as it answers.")
    .first()
    .waitFor();
  await assertAccessible(page, "replies waiting for the gateway");

  await page.reload();
  await page.getByRole("heading", { level: 2, name: "Ana Souza" }).waitFor();
  for (const text of texts) {
    await bubble(page, text).locator(".message__state", { hasText: "queued" }).waitFor();
  }

  await page.unroute("**/api/wa/send-text");
  for (const text of texts) {
    await bubble(page, text)
      .locator(".message__state", { hasText: /^sent$/ })
      .waitFor({ timeout: 60_000 });
  }
  const shown = await page.locator(".messages > li .message__body").allTextContents();
  assert.deepEqual(
    shown.filter((body) => texts.includes(body)),
    texts,
    "each shown once, in the order written",
  );
  // The first was tried again and again; the second waited behind it instead of overtaking.
  assert.ok(tries.filter((t) => t.text === texts[0]).length > 1, "the first was sent again");
  for (const text of texts) {
    const ids = new Set(tries.filter((t) => t.text === text).map((t) => t.clientId));
    assert.equal(ids.size, 1, `“${text}” went every time under one clientId`);
  }
  // What WhatsApp got, as the gateway stored it: each once.
  const token = await harness.stack.token(AMIRA, 600);
  const res = await fetch(`${harness.url}/api/wa/messages?jid=${encodeURIComponent(ANA)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const stored = (await res.json()) as Array<{ body: string | null }>;
  for (const text of texts) {
    assert.equal(stored.filter((m) => m.body === text).length, 1, `“${text}” sent once`);
  }
});
