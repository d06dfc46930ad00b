/**
 * What the browser tests share: one local stack per test file (the WAHA simulator and a
 * real `wrangler dev` gateway with static assets), Debian's Chromium driven by
 * playwright-core, sign-in by link, an axe-core pass, and screenshots in dist/e2e/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import type { User } from "../../src/lib/auth/user.ts";
import { buildUi, UI_DIR } from "../../tools/build-ui.ts";
import { launchChromium } from "../../tools/chromium.ts";
import { type SimNumber, type Stack, startStack } from "../../tools/stack.ts";

export const SCREENSHOTS = path.join(UI_DIR, "..", "e2e");

export const ANA = "15550100001@c.us";
export const BRIAN = "15550100002@c.us";
export const CHEN = "15550100003@c.us";
export const DALIA = "15550100004@c.us";
export const EMEKA = "15550100005@c.us";
export const MARKET = "15550100009@c.us";
export const GROUP = "120363025246125486@g.us";

export const ADMIN: User = { sub: "admin", role: "admin", name: "Admin" };
export const AMIRA: User = { sub: "agent-1", role: "agent", name: "Amira" };
export const BRUNO: User = { sub: "agent-2", role: "agent", name: "Bruno" };

const AGENTS_SQL =
  "INSERT OR IGNORE INTO agents (id, name) VALUES ('agent-1', 'Amira'), ('agent-2', 'Bruno');";

export interface Harness {
  stack: Stack;
  browser: Browser;
  url: string;
  /**
   * A signed-in page of a fresh browser context (its own storage, like another person).
   * With `notifications`, desktop notifications are allowed and recorded in
   * `globalThis.notified` instead of shown.
   */
  signIn(
    user: User,
    options?: { width?: number; height?: number; notifications?: boolean },
  ): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    simTier?: "CORE" | "PLUS";
    vars?: Record<string, string>;
    agents?: boolean;
    /** Several WhatsApp numbers, one simulator each (tools/stack.ts). */
    numbers?: readonly SimNumber[];
    /** Seed SQL run after the agents'. */
    seedSql?: string;
  } = {},
): Promise<Harness> {
  await buildUi();
  const seedSql = [options.agents === false ? "" : AGENTS_SQL, options.seedSql ?? ""].join(" ");
  const stack = await startStack({
    ...(seedSql.trim() ? { seedSql } : {}),
    ...(options.numbers ? { numbers: options.numbers } : {}),
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.simTier ? { simTier: options.simTier } : {}),
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  const url = stack.gateway.url;
  return {
    stack,
    browser,
    url,
    async signIn(user, { width = 1280, height = 800, notifications = false } = {}) {
      const context = await browser.newContext({ viewport: { width, height } });
      contexts.push(context);
      if (notifications) await context.addInitScript(recordNotifications);
      const page = await context.newPage();
      const token = await stack.token(user, 3600);
      await page.goto(`${url}/#token=${token}`);
      await page.getByText(`Signed in as ${user.name} (${user.role})`).waitFor();
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await stack.stop();
    },
  };
}

/**
 * What these tests add to the page's globals: the notifications it raised
 * (recordNotifications), the header's states (recordHeader) and axe-core
 * (assertAccessible). Checks run in the page as functions, not strings: its CSP forbids eval.
 */
declare global {
  interface Window {
    notified: Array<{ title: string; body: string; click(): void }>;
    headerStates: HeaderState[];
    axe: { run(context: Node, options: object): Promise<{ violations: AxeViolation[] }> };
  }
}

/** Runs in the page before its scripts: a Notification that is allowed and only remembered. */
function recordNotifications(): void {
  const notified: Array<{ title: string; body: string; click(): void }> = [];
  class RecordedNotification extends EventTarget {
    static permission = "granted";
    static requestPermission(): Promise<string> {
      return Promise.resolve("granted");
    }
    constructor(title: string, options: { body?: string } = {}) {
      super();
      notified.push({
        title,
        body: options.body ?? "",
        click: () => this.dispatchEvent(new Event("click")),
      });
    }
    close(): void {}
  }
  window.notified = notified;
  Object.assign(window, { Notification: RecordedNotification });
}

/** The chat's button in the list. */
export function chatButton(page: Page, jid: string): Locator {
  return page.locator(`.chat-list .chat[data-jid='${jid}']`);
}

export async function openChat(page: Page, jid: string, name: string): Promise<void> {
  await chatButton(page, jid).click();
  await page.getByRole("heading", { level: 2, name }).waitFor();
}

/** The WhatsApp status the header shows, e.g. "connected" or "not answering". */
export function headerStatus(page: Page): Locator {
  return page.locator(".session .badge");
}

/**
 * What the header says, as a person reads it: WhatsApp's status, whether live updates flow,
 * and since when (ms since the epoch).
 */
export type HeaderState = [status: string, live: string, at: number];

/**
 * From now on, every state the header goes through (each batch of changes the page makes,
 * as a person could see it); the returned function reads them.
 */
export async function recordHeader(page: Page): Promise<() => Promise<HeaderState[]>> {
  await page.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent ?? "";
    const states: HeaderState[] = [];
    const read = () => states.push([text(".session .badge"), text(".live"), Date.now()]);
    read();
    const topbar = document.querySelector(".topbar");
    if (!topbar) throw new Error("no .topbar on the page");
    new MutationObserver(read).observe(topbar, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    window.headerStates = states;
  });
  return () => page.evaluate(() => window.headerStates);
}

/** A message bubble by its own text (not the text it quotes). */
export function bubble(page: Page, text: string): Locator {
  return page
    .locator(".messages > li.message")
    .filter({ has: page.locator(".message__body", { hasText: text }) });
}

/** Whether `inner` is wholly inside `outer` on screen. */
export async function within(inner: Locator, outer: Locator): Promise<boolean> {
  const [a, b] = await Promise.all([inner.boundingBox(), outer.boundingBox()]);
  if (!a || !b) return false;
  return a.y >= b.y - 1 && a.y + a.height <= b.y + b.height + 1;
}

/** Whether an element is wholly inside the visible part of the list that scrolls it. */
export async function inView(element: Locator): Promise<boolean> {
  return element.evaluate((el) => {
    let box = el.parentElement;
    while (box && !(box.scrollHeight > box.clientHeight + 1)) box = box.parentElement;
    if (!box) return true;
    const a = el.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core over the page as it is now: no serious or critical violation. */
export async function assertAccessible(page: Page, state: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3),
    }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `axe-core in "${state}": ${JSON.stringify(bad, null, 2)}`);
}

/** Waits until `fn` holds, polling in the page's own rhythm (no fixed sleeps). */
export async function eventually(
  fn: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Calls the gateway's API as the admin would (assignments, settings), outside any page. */
export async function callAsAdmin(
  harness: Harness,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const token = await harness.stack.token(ADMIN, 600);
  return fetch(`${harness.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
}
