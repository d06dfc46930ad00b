/**
 * Agents' own work in the browser: word on the page and the desktop when a chat is assigned
 * to you, the Unassigned queue and Take, contacts' pictures, and editing our own message.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import {
  ADMIN,
  ANA,
  assertAccessible,
  BRIAN,
  BRUNO,
  bubble,
  chatButton,
  DALIA,
  EMEKA,
  type Harness,
  openChat,
  startHarness,
} from "./helpers.ts";

interface Recorded {
  notified: Array<{ title: string; body: string; click(): void }>;
}

let harness: Harness;
let admin: Page;
let bruno: Page;

async function asAdmin(path: string, init: RequestInit): Promise<Response> {
  const token = await harness.stack.token(ADMIN, 600);
  return fetch(`${harness.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
  });
}

function notified(page: Page) {
  return page.evaluate(() =>
    (globalThis as unknown as Recorded).notified.map((n) => ({ title: n.title, body: n.body })),
  );
}

before(async () => {
  harness = await startHarness();
  const off = await asAdmin("/api/wa/auto-assign", {
    method: "PUT",
    body: JSON.stringify({ enabled: false }),
  });
  assert.equal(off.status, 200);
  admin = await harness.signIn(ADMIN);
  bruno = await harness.signIn(BRUNO, { notifications: true });
  await chatButton(admin, ANA).waitFor();
  await bruno.getByText("No chats are assigned to you yet.").waitFor();
});

after(async () => {
  await harness?.close();
});

test("a chat assigned to you by someone else is announced on the page and on the desktop", async () => {
  const res = await asAdmin(`/api/wa/assignments/${DALIA}`, {
    method: "PUT",
    body: JSON.stringify({ agentId: BRUNO.sub }),
  });
  assert.equal(res.status, 200);
  const notice = bruno.locator(".toast").getByRole("button", { name: /was assigned to you$/ });
  await notice.waitFor({ timeout: 10_000 });
  const shown = await notified(bruno);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]?.title, "New chat assigned to you");
  assert.match(shown[0]?.body ?? "", /Dalia Haddad|\+1 555 010 0004/);
  // The notice opens the chat.
  await chatButton(bruno, DALIA).waitFor({ timeout: 10_000 });
  await bruno.locator(".toast").getByRole("button").click();
  await bruno.getByRole("heading", { level: 2, name: "Dalia Haddad" }).waitFor();
});

test("an agent takes a chat from the Unassigned queue, and is not told of its own take", async () => {
  await bruno.getByRole("tab", { name: /^Unassigned/ }).click();
  const take = bruno.getByRole("button", { name: "Take the chat with Emeka Obi" });
  await take.waitFor({ timeout: 10_000 });
  await assertAccessible(bruno, "an agent's Unassigned queue");
  await take.click();
  await bruno.getByRole("heading", { level: 2, name: "Emeka Obi" }).waitFor({ timeout: 10_000 });
  await chatButton(bruno, EMEKA).waitFor();
  await admin
    .locator(`.chat[data-jid='${EMEKA}']`)
    .getByText("Assigned to Bruno")
    .waitFor({ timeout: 10_000 });
  assert.equal((await notified(bruno)).length, 1, "no notification for the agent's own take");
});

test("chats show the contact's picture, and our own text can be edited", async () => {
  await chatButton(admin, ANA).locator(".avatar__img").waitFor({ timeout: 10_000 });
  await openChat(bruno, EMEKA, "Emeka Obi");
  await bruno.getByRole("textbox", { name: "Message" }).fill("see you at 5");
  await bruno.keyboard.press("Enter");
  const mine = bubble(bruno, "see you at 5");
  await mine.waitFor({ timeout: 10_000 });
  bruno.once("dialog", (dialog) => void dialog.accept("see you at 6"));
  await mine.hover();
  await mine.getByRole("button", { name: "Edit this message" }).click();
  await bubble(bruno, "see you at 6").getByText("edited").waitFor({ timeout: 10_000 });
});

test("a call, a shared location and a contact card show in the conversation", async () => {
  await harness.stack.control("calls", { from: BRIAN, status: "offer" });
  await harness.stack.control("messages", {
    chatId: BRIAN,
    location: { latitude: 38.8937255, longitude: -77.0969763, name: "Our office" },
    webhook: true,
  });
  await harness.stack.control("messages", {
    chatId: BRIAN,
    card: { name: "Rita Alves", number: "5511987654321" },
    webhook: true,
  });
  await openChat(admin, BRIAN, "Brian O'Connor");
  await admin.getByText("Incoming voice call").waitFor({ timeout: 10_000 });
  const map = admin.getByRole("link", { name: /38\.893726, -77\.096976/ });
  await map.waitFor({ timeout: 10_000 });
  assert.match((await map.getAttribute("href")) ?? "", /mlat=38\.8937255&mlon=-77\.0969763/);
  await admin.getByText("Our office").waitFor();
  await admin
    .locator(".message__card", { hasText: "Rita Alves" })
    .getByText("+5511987654321")
    .waitFor();
});
