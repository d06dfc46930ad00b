/**
 * The team inbox in a browser: resolving a conversation from its header and with Alt+R,
 * the status and label filters, labels on a chat, a private note among the messages; and
 * /admin opening with its charts already drawn from the gateway's kept samples, beside the
 * agents' report and its CSV.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  ADMIN,
  ANA,
  assertAccessible,
  chatButton,
  type Harness,
  openChat,
  screenshot,
  startHarness,
} from "./helpers.ts";

let harness: Harness;
let admin: Page;

before(async () => {
  // Every stats reading keeps a sample, so a few readings make a history at once.
  harness = await startHarness({ vars: { WA_STATS_SAMPLE_MS: "0" } });
  admin = await harness.signIn(ADMIN);
  await chatButton(admin, ANA).waitFor();
});

after(async () => {
  await harness?.close();
});

test("a conversation is resolved from its header or with Alt+R, and the list shows and filters by status", async () => {
  await openChat(admin, ANA, "Ana Souza");
  const header = admin.locator(".conversation__header");
  await header.locator(".status", { hasText: "Open" }).waitFor();
  await admin.getByRole("button", { name: "Resolve", exact: true }).click();
  await header.locator(".status", { hasText: "Resolved" }).waitFor();
  await chatButton(admin, ANA).locator(".status", { hasText: "Resolved" }).waitFor();

  const status = admin.getByLabel("Status", { exact: true });
  await status.selectOption("resolved");
  await admin.locator(".chat-list .chat").first().waitFor();
  assert.deepEqual(
    await admin
      .locator(".chat-list .chat")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-jid"))),
    [ANA],
  );

  await admin.keyboard.press("Alt+KeyR");
  await header.locator(".status", { hasText: "Open" }).waitFor();
  await admin.getByText("No chats match the status and label chosen.").waitFor();
  await status.selectOption("any");
  await chatButton(admin, ANA).waitFor();
  assert.equal(await chatButton(admin, ANA).locator(".status").count(), 0, "open shows no badge");
  await assertAccessible(admin, "inbox with the team controls");
});

test("labels put on a chat show in the list and narrow it; a private note sits among the messages, marked as one", async () => {
  await openChat(admin, ANA, "Ana Souza");
  await admin.getByLabel("Labels").fill(" vip, billing ");
  await admin.getByRole("button", { name: "Save labels" }).click();
  await chatButton(admin, ANA).locator(".label", { hasText: "vip" }).waitFor();
  await admin.getByLabel("Label", { exact: true }).selectOption("vip");
  await admin.waitForFunction(
    () =>
      (
        globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
      ).document.querySelectorAll(".chat-list .chat").length === 1,
  );
  await admin.getByLabel("Label", { exact: true }).selectOption("");

  await admin.getByRole("button", { name: "Note", exact: true }).click();
  // The box opens with the cursor in it.
  await admin.keyboard.type("Prefers a call after 5 pm");
  await admin.getByRole("button", { name: "Add note" }).click();
  const note = admin.locator(".messages li.note", { hasText: "Prefers a call after 5 pm" });
  await note.waitFor();
  assert.match((await note.textContent()) ?? "", /Private note · Admin/);
  // Written now: after every message of the conversation.
  assert.equal(
    await admin.locator(".messages > li").last().getAttribute("class"),
    "note",
    "the newest note comes last",
  );
  // Notes come back with the chat.
  await admin.reload();
  await openChat(admin, ANA, "Ana Souza");
  await note.waitFor();
  await screenshot(admin, "team-inbox");
});

test("/admin opens with its charts drawn from the gateway's past samples, and the agents' report with its CSV", async () => {
  const token = await harness.stack.token(ADMIN, 600);
  const headers = { Authorization: `Bearer ${token}` };
  for (let i = 0; i < 4; i++) {
    await fetch(`${harness.url}/api/wa/chats`, { headers });
    const res = await fetch(`${harness.url}/api/waha/monitoring/stats`, { headers });
    assert.equal(res.status, 200);
  }
  const page = await harness.signIn(ADMIN);
  let readings = 0;
  page.on("request", (req) => {
    if (req.url().includes("/api/waha/monitoring/stats")) readings++;
  });
  await page.goto(`${harness.url}/admin`);
  const line = page.locator(".chart .chart__line").first();
  await line.waitFor();
  // Drawn with the page's first reading: the past came from the gateway.
  assert.equal(readings, 1);
  const points = ((await line.getAttribute("points")) ?? "").split(" ");
  assert.ok(points.length >= 4, `a line through the past samples, got ${points.length} points`);

  const table = page.locator(".report__table");
  await table.waitFor();
  await table.locator("tr[data-agent='agent-1']", { hasText: "Amira" }).waitFor();
  const link = page.getByRole("link", { name: "Download CSV" });
  await link.waitFor();
  assert.match((await link.getAttribute("href")) ?? "", /^blob:/);
  const download = await Promise.all([page.waitForEvent("download"), link.click()]);
  assert.match(download[0].suggestedFilename(), /^agents-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
  await assertAccessible(page, "admin with the report");
  await screenshot(page, "admin-report");
});
