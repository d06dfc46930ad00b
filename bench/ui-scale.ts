/**
 * `npm run bench:ui-scale`: the inbox in Debian's Chromium against a store the size of a
 * busy team's: 5,000 chats and 100,000 messages (20 a chat), seeded into local D1 before the
 * gateway starts. Measures, as a staff member signed in by link: sign-in → first chat list
 * painted, cold (a new browser profile) and warm (the same profile in a new tab); and opening
 * a chat → its messages shown, cold (its first open) and warm (opened again after another).
 * Prints the inbox bundle's size. Stops what it started. `--chats`, `--per-chat`, `BENCH_RUNS`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildUi } from "../tools/build-ui.ts";
import { launchChromium } from "../tools/chromium.ts";
import { type Stack, startStack } from "../tools/stack.ts";
import { applyLocalMigrations, wrangler } from "../tools/wrangler.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CHATS = arg("chats", 5_000);
const PER_CHAT = arg("per-chat", 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DEADLINE_MS = 900_000;

let stack: Stack | undefined;
let browser: Browser | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "wa-edge-ui-scale-"));
const stopAll = async () => {
  await browser?.close().catch(() => {});
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
};
process.on("SIGINT", () => {
  void stopAll().then(() => process.exit(130));
});
setTimeout(() => {
  console.error(`bench:ui-scale: gave up after ${DEADLINE_MS / 1000} s`);
  void stopAll().then(() => process.exit(1));
}, DEADLINE_MS).unref();

const jidOf = (i: number) => `1555${String(i).padStart(7, "0")}@c.us`;

/** The seed as SQL: chats filled and reconciled just now, so opening one asks WAHA nothing. */
function seedSql(now: number): string {
  const lines: string[] = [];
  const nowS = Math.floor(now / 1000);
  for (let c = 0; c < CHATS; c++) {
    const jid = jidOf(c);
    const last = nowS - c * 60;
    lines.push(
      `INSERT INTO chats (number, jid, name, is_group, last_message_at, preview, unread_count, filled_at, reconciled_at, complete) VALUES ('default', '${jid}', 'Customer ${c}', 0, ${last * 1000}, 'Message ${PER_CHAT - 1}', ${c % 3}, ${now}, ${now}, 1);`,
    );
    const rows: string[] = [];
    for (let m = 0; m < PER_CHAT; m++) {
      const key = `K${c}X${m}`;
      const fromMe = m % 2;
      const id = `${fromMe ? "true" : "false"}_${jid}_${key}`;
      rows.push(
        `('default', '${jid}', '${id}', '${id}', '${key}', ${last - (PER_CHAT - m) * 30}, 0, ${fromMe}, 'Message ${m} in chat ${c}: a line of ordinary text', ${fromMe ? 3 : "NULL"}, ${now})`,
      );
    }
    lines.push(
      `INSERT INTO messages (number, jid, id, waha_id, key, ts, ord, from_me, body, ack, created_at) VALUES ${rows.join(", ")};`,
    );
  }
  return lines.join("\n");
}

/** ms from navigating to the sign-in link to the first chat list painted. */
async function signIn(page: Page, link: string): Promise<number> {
  await page.goto(link);
  await page.waitForFunction(
    () => (performance as unknown as Marks).getEntriesByName("wa:chats-painted").length > 0,
    undefined,
    { polling: "raf", timeout: 60_000 },
  );
  return page.evaluate(
    () =>
      (performance as unknown as Marks).getEntriesByName("wa:chats-painted")[0]?.startTime ?? -1,
  );
}

interface Marks {
  getEntriesByName(name: string): Array<{ startTime: number }>;
}

interface PageDocument {
  querySelector(selector: string): { click(): void } | null;
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
}

/** ms from clicking a chat in the list to its newest message shown. */
async function openChat(page: Page, index: number): Promise<number> {
  const jid = jidOf(index);
  await page.locator(`.chat[data-jid='${jid}']`).waitFor({ timeout: 30_000 });
  return page.evaluate(
    ({ jid, text }) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        // This file has Node's types, not the DOM's: the page's document as used here.
        const doc = (globalThis as unknown as { document: PageDocument }).document;
        doc.querySelector(`.chat[data-jid='${jid}']`)?.click();
        const step = () => {
          const now = performance.now();
          if (now - started > 30_000) return reject(new Error(`chat ${jid} did not open`));
          const shown = Array.from(doc.querySelectorAll(".messages .message")).some((el) =>
            el.textContent?.includes(text),
          );
          if (shown) resolve(now - started);
          else setTimeout(step, 4);
        };
        step();
      }),
    { jid, text: `Message ${PER_CHAT - 1} in chat ${index}:` },
  );
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
const ms = (v: number[]) => `${median(v).toFixed(0)} ms (${v.map((x) => x.toFixed(0)).join(", ")})`;

async function main(): Promise<void> {
  await buildUi();
  const seeded = Date.now();
  applyLocalMigrations(dir);
  const file = path.join(dir, "seed.sql");
  writeFileSync(file, seedSql(seeded));
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--file", file]);
  console.log(
    `seeded ${CHATS} chats, ${CHATS * PER_CHAT} messages in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
  );
  stack = await startStack({ persistTo: dir });
  browser = await launchChromium();
  const link = async () =>
    `${stack?.gateway.url}/#token=${await stack?.token({ sub: "admin", role: "admin", name: "Admin" })}`;
  // One untimed round: the gateway's first requests compile its code.
  {
    const context = await browser.newContext();
    await signIn(await context.newPage(), await link());
    await context.close();
  }
  const r = { listCold: [] as number[], listWarm: [] as number[], chatCold: [] as number[] };
  const chatWarm: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const cold = await context.newPage();
    r.listCold.push(await signIn(cold, await link()));
    // Chats near the top of the list, a different pair each run.
    const a = 1 + run * 2;
    const b = a + 1;
    r.chatCold.push(await openChat(cold, a));
    await openChat(cold, b);
    chatWarm.push(await openChat(cold, a));
    await cold.close();
    const warm = await context.newPage();
    r.listWarm.push(await signIn(warm, await link()));
    await context.close();
    console.log(
      `run ${run + 1}/${RUNS}: list ${r.listCold.at(-1)?.toFixed(0)} / ${r.listWarm.at(-1)?.toFixed(0)} ms, chat ${r.chatCold.at(-1)?.toFixed(0)} / ${chatWarm.at(-1)?.toFixed(0)} ms (cold / warm)`,
    );
  }
  console.log(`\n${CHATS} chats, ${CHATS * PER_CHAT} messages stored; median of ${RUNS} runs`);
  console.log("| measured | cold | warm |");
  console.log("| --- | --- | --- |");
  console.log(`| sign-in link → first chat list painted | ${ms(r.listCold)} | ${ms(r.listWarm)} |`);
  console.log(`| open a chat → its newest message shown | ${ms(r.chatCold)} | ${ms(chatWarm)} |`);
}

try {
  await main();
} finally {
  await stopAll();
}
