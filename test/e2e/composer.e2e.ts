/**
 * The composer at work: Send only with something to send, a draft per chat that outlives
 * switching chats, a reload and the chat being taken away and given back, the emoji grid
 * by keyboard, and canned replies: kept on /admin, offered after `/` in the composer.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  ADMIN,
  AMIRA,
  ANA,
  assertAccessible,
  BRIAN,
  callAsAdmin,
  chatButton,
  type Harness,
  openChat,
  screenshot,
  startHarness,
} from "./helpers.ts";

let harness: Harness;
let admin: Page;

const asAdmin = (method: string, path: string, body?: unknown) =>
  callAsAdmin(harness, method, path, body);

const assign = (jid: string, agentId: string | null) =>
  agentId === null
    ? asAdmin("DELETE", `/api/wa/assignments/${jid}`)
    : asAdmin("PUT", `/api/wa/assignments/${jid}`, { agentId });

before(async () => {
  harness = await startHarness();
  assert.equal((await asAdmin("PUT", "/api/wa/auto-assign", { enabled: false })).status, 200);
  admin = await harness.signIn(ADMIN);
  await chatButton(admin, ANA).waitFor();
});

after(async () => {
  await harness?.close();
});

/** The accessible name of what has the focus. */
const focused = (page: Page) =>
  page.evaluate(() =>
    (
      globalThis as unknown as {
        document: { activeElement: { getAttribute(name: string): string | null } | null };
      }
    ).document.activeElement?.getAttribute("aria-label"),
  );

const message = (page: Page) => page.getByRole("textbox", { name: "Message" });
const send = (page: Page) => page.getByRole("button", { name: "Send", exact: true });

test("Send is off while there is nothing to send", async () => {
  await openChat(admin, ANA, "Ana Souza");
  assert.equal(await send(admin).isDisabled(), true, "empty");
  await message(admin).fill("   \n ");
  assert.equal(await send(admin).isDisabled(), true, "only spaces");
  await message(admin).fill("Hello");
  assert.equal(await send(admin).isDisabled(), false);
  await message(admin).fill("");
  assert.equal(await send(admin).isDisabled(), true);
});

test("a draft stays with its chat through switching chats and a reload", async () => {
  await openChat(admin, ANA, "Ana Souza");
  await message(admin).fill("Half an answer for Ana");
  await openChat(admin, BRIAN, "Brian O'Connor");
  assert.equal(await message(admin).inputValue(), "", "Brian's composer is his own");
  await message(admin).fill("A note for Brian");
  await openChat(admin, ANA, "Ana Souza");
  assert.equal(await message(admin).inputValue(), "Half an answer for Ana");
  assert.equal(await send(admin).isDisabled(), false);
  await admin.reload();
  await openChat(admin, BRIAN, "Brian O'Connor");
  assert.equal(await message(admin).inputValue(), "A note for Brian");
  // Sent, it is no longer a draft.
  await message(admin).press("Enter");
  await openChat(admin, ANA, "Ana Souza");
  await openChat(admin, BRIAN, "Brian O'Connor");
  assert.equal(await message(admin).inputValue(), "");
});

test("an agent's draft comes back when a chat taken from them is given back", async () => {
  await assign(ANA, "agent-1");
  const amira = await harness.signIn(AMIRA);
  await openChat(amira, ANA, "Ana Souza");
  await message(amira).fill("Let me check the tracking number");
  await assign(ANA, "agent-2");
  await amira.getByText("This chat was assigned to someone else.").waitFor({ timeout: 10_000 });
  await assign(ANA, "agent-1");
  await chatButton(amira, ANA).waitFor({ timeout: 10_000 });
  await openChat(amira, ANA, "Ana Souza");
  assert.equal(await message(amira).inputValue(), "Let me check the tracking number");
  await amira.context().close();
});

test("the emoji grid is labelled and works by keyboard", async () => {
  await openChat(admin, ANA, "Ana Souza");
  await message(admin).fill("Thanks ");
  const toggle = admin.getByRole("button", { name: "Insert an emoji" });
  await toggle.focus();
  await admin.keyboard.press("Enter");
  const grid = admin.getByRole("group", { name: "Emoji" });
  await grid.waitFor();
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await assertAccessible(admin, "emoji grid open");
  await screenshot(admin, "emoji-grid");
  await admin.keyboard.press("ArrowRight");
  await admin.keyboard.press("ArrowRight");
  await admin.keyboard.press("ArrowDown");
  // Row two, third: 🙏.
  assert.equal(await focused(admin), "folded hands");
  await admin.keyboard.press("Enter");
  await grid.waitFor({ state: "hidden" });
  assert.equal(await message(admin).inputValue(), "Thanks 🙏");
  await toggle.click();
  await admin.keyboard.press("Escape");
  await grid.waitFor({ state: "hidden" });
  assert.equal(await focused(admin), "Insert an emoji");
  await message(admin).fill("");
});

test("canned replies: kept on /admin, offered after / in an agent's composer, chosen by keyboard", async () => {
  // The token lives in the tab: /admin is opened in a signed-in one.
  const page = await harness.signIn(ADMIN);
  await page.goto(`${harness.url}/admin`);
  const panel = page.getByRole("region", { name: "Canned replies" });
  await panel.getByText("No canned replies yet.").waitFor();
  const replies: Array<[string, string]> = [
    ["hours", "We are open 9–17, Monday to Friday."],
    ["holiday", "We are closed on public holidays."],
    ["address", "Main Street 1, Springfield."],
  ];
  for (const [shortcut, text] of replies) {
    await panel.getByLabel("Shortcut (typed after /)").fill(shortcut);
    await panel.getByLabel("Text").fill(text);
    await panel.getByRole("button", { name: "Add", exact: true }).click();
    await panel.getByText(`/${shortcut}`, { exact: true }).waitFor();
  }
  await panel.getByLabel("Shortcut (typed after /)").fill("Hours");
  await panel.getByLabel("Text").fill("Again");
  await panel.getByRole("button", { name: "Add", exact: true }).click();
  await panel.getByText("Not saved: shortcut: /hours is taken.").waitFor();
  await panel.getByRole("button", { name: "Edit /address" }).click();
  await panel.getByLabel("Text").fill("Main Street 2, Springfield.");
  await panel.getByRole("button", { name: "Save", exact: true }).click();
  await panel.getByText("Main Street 2, Springfield.").waitFor();
  await assertAccessible(page, "canned replies on /admin");
  await screenshot(page, "canned-replies-admin");
  await page.context().close();

  await assign(BRIAN, "agent-1");
  // At phone width: the menu fits above the text box.
  const amira = await harness.signIn(AMIRA, { width: 390, height: 800 });
  await openChat(amira, BRIAN, "Brian O'Connor");
  await message(amira).pressSequentially("/ho");
  const menu = amira.getByRole("listbox", { name: "Canned replies" });
  await menu.getByRole("option", { name: /\/holiday/ }).waitFor();
  assert.deepEqual(await menu.locator(".canned-menu__shortcut").allTextContents(), [
    "/holiday",
    "/hours",
  ]);
  await assertAccessible(amira, "canned replies offered");
  await screenshot(amira, "canned-replies");
  await amira.keyboard.press("ArrowDown");
  assert.equal(
    await menu.getByRole("option", { name: /\/hours/ }).getAttribute("aria-selected"),
    "true",
  );
  await amira.keyboard.press("Enter");
  await menu.waitFor({ state: "hidden" });
  assert.equal(await message(amira).inputValue(), "We are open 9–17, Monday to Friday.");
  // Escape closes the menu and leaves the text as typed; a `/` later in a sentence asks nothing.
  await message(amira).fill("");
  await message(amira).pressSequentially("/add");
  await menu.getByRole("option", { name: /\/address/ }).waitFor();
  await amira.keyboard.press("Escape");
  await menu.waitFor({ state: "hidden" });
  assert.equal(await message(amira).inputValue(), "/add");
  await message(amira).fill("");
  await message(amira).pressSequentially("see /ho");
  assert.equal(await menu.isVisible(), false);
  // Tab puts a reply in too.
  await message(amira).fill("");
  await message(amira).pressSequentially("/addr");
  await menu.getByRole("option", { name: /\/address/ }).waitFor();
  await amira.keyboard.press("Tab");
  assert.equal(await message(amira).inputValue(), "Main Street 2, Springfield.");
  await amira.context().close();
});
