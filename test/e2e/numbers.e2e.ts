/**
 * Several WhatsApp numbers in one inbox: the switcher with each number's unread chats, a
 * message on the other number counted where it belongs, a chat opened on one number
 * answered through that number's WAHA, and /admin's numbers (the one-number inbox as it
 * was: pages.e2e.ts).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { numberKeys, TWO_NUMBERS } from "../../tools/stack.ts";
import {
  ADMIN,
  ANA,
  assertAccessible,
  eventually,
  type Harness,
  screenshot,
  startHarness,
} from "./helpers.ts";

/** On the support number only (tools/waha-sim/data-support.ts). */
const TOMAS = "15550100031@c.us";
const UMA = "15550100032@c.us";

let harness: Harness;
let page: Page;

before(async () => {
  harness = await startHarness({
    numbers: TWO_NUMBERS,
    seedSql: `INSERT OR IGNORE INTO agents (id, name, numbers) VALUES ('agent-3', 'Chiara', '["support"]');`,
  });
  page = await harness.signIn(ADMIN);
  await page.locator(".numbers-switch").waitFor();
});

after(async () => {
  await harness?.close();
});

/** A chat's button on one number. */
function chatOn(number: string, jid: string): Locator {
  return page.locator(`.chat-list .chat[data-number='${number}'][data-jid='${jid}']`);
}

function switchButton(number: string): Locator {
  return page.locator(`.numbers-switch .number-switch[data-number='${number}']`);
}

/** The unread count a switch button shows (0 when it shows none). */
async function shownUnread(number: string): Promise<number> {
  const badge = switchButton(number).locator(".number-switch__unread");
  if ((await badge.count()) === 0) return 0;
  return Number.parseInt((await badge.textContent()) ?? "", 10);
}

/** What the gateway says: chats with unread messages on `number`. */
async function unreadOn(number: string): Promise<number> {
  const token = await harness.stack.token(ADMIN);
  const res = await fetch(`${harness.url}/api/wa/chats?number=${number}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const chats = (await res.json()) as Array<{ unreadCount: number }>;
  return chats.filter((c) => c.unreadCount > 0).length;
}

/** Our own texts to `jid` as one number's WAHA holds them. */
async function ownTextsAt(number: string, jid: string): Promise<string[]> {
  const index = TWO_NUMBERS.findIndex((n) => n.id === number);
  const spec = TWO_NUMBERS[index];
  const sim = harness.stack.sims[number];
  assert.ok(spec && sim);
  const { apiKey } = numberKeys(harness.stack.secrets, index, number);
  const res = await fetch(`${sim.url}/api/${spec.session}/chats/${jid}/messages?limit=50`, {
    headers: { "X-Api-Key": apiKey },
  });
  const messages = (await res.json()) as Array<{ fromMe: boolean; body: string | null }>;
  return messages.filter((m) => m.fromMe).map((m) => m.body ?? "");
}

test("the switcher shows each number's unread chats and filters the list to one number", async () => {
  const [sales, support] = [await unreadOn("sales"), await unreadOn("support")];
  assert.ok(sales > 0 && support > 0, "both demo inboxes start with unread chats");
  await eventually(async () => (await shownUnread("support")) === support, "Support's count");
  assert.equal(await shownUnread("sales"), sales);
  assert.equal(await shownUnread(""), sales + support);
  assert.equal(await switchButton("").getAttribute("aria-pressed"), "true");
  // All numbers: one customer's two chats, each row naming its number.
  await chatOn("sales", ANA).waitFor();
  await chatOn("support", ANA).waitFor();
  assert.equal(await chatOn("support", TOMAS).locator(".chat__number").textContent(), "Support");
  assert.equal(await page.locator(".number-pill").count(), 2);
  await assertAccessible(page, "inbox with two numbers");
  await screenshot(page, "numbers-all");

  await switchButton("support").click();
  await eventually(
    async () => (await page.locator(".chat-list .chat[data-number='sales']").count()) === 0,
    "the list to show Support's chats only",
  );
  assert.equal(await page.locator(".chat-list .chat").count(), 6);
  // One number shown: the rows no longer need to name it.
  assert.equal(await page.locator(".chat-list .chat__number").count(), 0);
  await screenshot(page, "numbers-support");

  await switchButton("").click();
  await chatOn("sales", ANA).waitFor();
});

test("a message on the other number raises that number's count, not the one shown", async () => {
  await switchButton("sales").click();
  await chatOn("sales", ANA).waitFor();
  const [sales, support] = [await shownUnread("sales"), await shownUnread("support")];
  assert.equal(await chatOn("support", UMA).count(), 0, "Uma writes to support only");
  await harness.stack.controlOf("support", "messages", {
    chatId: UMA,
    body: "It happened again with the reset e-mail",
    webhook: true,
  });
  await eventually(async () => (await shownUnread("support")) === support + 1, "Support's count");
  assert.equal(await shownUnread("sales"), sales);
  assert.equal(await chatOn("support", UMA).count(), 0, "the list still shows Sales only");
  await switchButton("").click();
});

test("a chat opened on one number is answered through that number's WAHA", async () => {
  await chatOn("support", ANA).click();
  await page.getByRole("heading", { level: 2, name: "Ana Souza" }).waitFor();
  await page.getByText("How do I register the blender's warranty?").waitFor();
  const text = "Register it at example.com/warranty with the order number";
  const sent = page.waitForRequest((r) => r.url().endsWith("/api/wa/send-text"));
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
  const body = (await sent).postDataJSON() as { number?: string; jid?: string };
  assert.deepEqual([body.number, body.jid], ["support", ANA]);
  await eventually(async () => (await ownTextsAt("support", ANA)).includes(text), "support's WAHA");
  assert.ok(!(await ownTextsAt("sales", ANA)).includes(text), "not sent from the sales number");
  // The sales chat with the same customer did not move or change.
  assert.notEqual(await chatOn("sales", ANA).locator(".chat__preview").textContent(), text);
});

test("a number's session that needs a scan shows in its pill, and the header names the number it speaks of", async () => {
  await switchButton("support").click();
  await page.locator(".session", { hasText: "WhatsApp (Support): connected" }).waitFor();
  const pill = page.locator(".number-pill[data-number='support']");
  await harness.stack.controlOf("support", "session", { status: "SCAN_QR_CODE" });
  await pill.getByText("Support: waiting for a QR scan").waitFor();
  assert.equal(
    await page.locator(".number-pill[data-number='sales']").textContent(),
    "Sales: connected",
  );
  await harness.stack.controlOf("support", "session", { status: "WORKING" });
  await pill.getByText("Support: connected").waitFor();
  await switchButton("").click();
});

test("an agent who works only Support sees one inbox: no switcher, no pills", async () => {
  const chiara = await harness.signIn({ sub: "agent-3", role: "agent", name: "Chiara" });
  await chiara.locator(".session", { hasText: "WhatsApp: connected" }).waitFor();
  assert.equal(await chiara.locator(".numbers-switch").isVisible(), false);
  assert.equal(await chiara.locator(".numbers-status").isVisible(), false);
  await chiara.close();
});

test("an agent taken off a number loses it at once: the switcher goes, live updates stay on", async () => {
  const { stack, url } = harness;
  const admin = { Authorization: `Bearer ${await stack.token(ADMIN)}` };
  const made = await fetch(`${url}/api/agents`, {
    method: "POST",
    headers: { ...admin, "Content-Type": "application/json" },
    body: JSON.stringify({ id: "agent-4", name: "Dana" }),
  });
  assert.equal(made.status, 201);
  const dana = await harness.signIn({ sub: "agent-4", role: "agent", name: "Dana" });
  await dana.locator(".numbers-switch").waitFor();
  await dana.locator(".live[data-live='true']").waitFor({ timeout: 10_000 });

  const patched = await fetch(`${url}/api/agents/agent-4`, {
    method: "PATCH",
    headers: { ...admin, "Content-Type": "application/json" },
    body: JSON.stringify({ numbers: ["sales"] }),
  });
  assert.equal(patched.status, 200);
  // The gateway closed the Support socket; its reconnect is refused, and the page follows.
  await dana.locator(".numbers-switch").waitFor({ state: "hidden", timeout: 15_000 });
  await dana.locator(".live[data-live='true']").waitFor({ timeout: 10_000 });
  await eventually(
    async () => (await dana.locator(".chat-list .chat[data-number='support']").count()) === 0,
    "Support's chats to leave the list",
  );
  await dana.close();
});

test("/admin shows each number, and an admin sets which numbers an agent works", async () => {
  await page.goto(`${harness.url}/admin`);
  const table = page.locator(".numbers-table");
  await table.waitFor();
  assert.deepEqual(await table.locator("tbody th").allTextContents(), ["Sales", "Support"]);
  const chiara = page.locator(".agent-numbers__row[data-agent='agent-3']");
  assert.deepEqual(
    await chiara
      .locator("input")
      .evaluateAll((boxes) => boxes.map((b) => b instanceof HTMLInputElement && b.checked)),
    [false, true],
  );
  const bruno = page.locator(".agent-numbers__row[data-agent='agent-2']");
  await bruno.getByLabel("Sales").check();
  await bruno.getByText("Saved").waitFor();
  const token = await harness.stack.token(ADMIN);
  const agents = (await (
    await fetch(`${harness.url}/api/agents`, { headers: { Authorization: `Bearer ${token}` } })
  ).json()) as Array<{ id: string; numbers?: string[] | null }>;
  assert.deepEqual(agents.find((a) => a.id === "agent-2")?.numbers, ["sales"]);
  await assertAccessible(page, "/admin with two numbers");
  await screenshot(page, "numbers-admin");
});
