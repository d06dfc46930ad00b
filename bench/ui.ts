/**
 * `npm run bench:ui`: the inbox in Debian's Chromium on the local stack. Measures, cold
 * (a new browser profile, a gateway that has not cached the photos) and warm (the same
 * profile again: assets and photos in the HTTP cache, the gateway's media cache full):
 * sign-in link → first chat list painted, and a 30-photo chat opened → every photo shown
 * while the reader pages up through it. Prints the UI bundle's size, gzip. Stops what it
 * started.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { buildUi, UI_DIR } from "../tools/build-ui.ts";
import { launchChromium } from "../tools/chromium.ts";
import { type Stack, startStack } from "../tools/stack.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PHOTOS = 30;
const DEADLINE_MS = 600_000;

let stack: Stack | undefined;
let browser: Browser | undefined;
const stopAll = async () => {
  await browser?.close().catch(() => {});
  await stack?.stop();
};
process.on("SIGINT", () => {
  void stopAll().then(() => process.exit(130));
});
setTimeout(() => {
  console.error(`bench:ui: gave up after ${DEADLINE_MS / 1000} s`);
  void stopAll().then(() => process.exit(1));
}, DEADLINE_MS).unref();

/** The page's globals as these measurements use them (this file has no DOM types). */
interface Win {
  performance: { now(): number; getEntriesByName(name: string): Array<{ startTime: number }> };
  document: {
    querySelector(selector: string): Box | null;
    querySelectorAll(selector: string): ArrayLike<Img>;
  };
}
interface Box {
  scrollTop: number;
  clientHeight: number;
  click(): void;
  getBoundingClientRect(): { top: number; bottom: number };
}
interface Img extends Box {
  complete: boolean;
  naturalWidth: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** ms from navigating to the sign-in link to the first chat list painted. */
async function signIn(page: Page, link: string): Promise<number> {
  await page.goto(link);
  await page.waitForFunction(
    () =>
      (globalThis as unknown as Win).performance.getEntriesByName("wa:chats-painted").length > 0,
    undefined,
    { polling: "raf", timeout: 30_000 },
  );
  return page.evaluate(
    () =>
      (globalThis as unknown as Win).performance.getEntriesByName("wa:chats-painted")[0]
        ?.startTime ?? -1,
  );
}

/** ms from clicking the chat to every one of its photos shown, paging up as a reader does. */
async function photoChat(page: Page, jid: string): Promise<number> {
  await page.locator(`.chat[data-jid='${jid}']`).waitFor({ timeout: 30_000 });
  return page.evaluate(
    ({ jid, photos }) =>
      new Promise<number>((resolve, reject) => {
        const w = globalThis as unknown as Win;
        const started = w.performance.now();
        w.document.querySelector(`.chat[data-jid='${jid}']`)?.click();
        const deadline = started + 60_000;
        const step = () => {
          const now = w.performance.now();
          if (now > deadline) {
            reject(new Error("photos did not all show within 60 s"));
            return;
          }
          const list = w.document.querySelector(".messages-scroll");
          const imgs = Array.from(w.document.querySelectorAll(".messages img.media__img"));
          const shown = imgs.filter((img) => img.complete && img.naturalWidth > 0);
          if (shown.length >= photos) {
            resolve(now - started);
            return;
          }
          // Once what is on screen has loaded, page up to the next screenful.
          if (list) {
            const view = list.getBoundingClientRect();
            const pending = Array.from(w.document.querySelectorAll(".messages .media--image")).some(
              (box) => {
                const r = box.getBoundingClientRect();
                const visible = r.bottom > view.top && r.top < view.bottom;
                return (
                  visible &&
                  !(box as unknown as { querySelector(s: string): Img | null }).querySelector("img")
                    ?.complete
                );
              },
            );
            if (!pending && list.scrollTop > 0)
              list.scrollTop = Math.max(0, list.scrollTop - list.clientHeight);
          }
          setTimeout(step, 16);
        };
        step();
      }),
    { jid, photos: PHOTOS },
  );
}

async function newChatWithPhotos(run: number): Promise<string> {
  if (!stack) throw new Error("no stack");
  const chatId = `155503${String(run).padStart(2, "0")}0000@c.us`;
  for (let i = 0; i < PHOTOS; i++) {
    await stack.control("messages", {
      chatId,
      body: `Photo ${i + 1}`,
      media: { kind: "image/jpeg" },
      webhook: true,
    });
  }
  return chatId;
}

function bundleSizes(): { page: string; raw: number; gzip: number }[] {
  const assets = path.join(UI_DIR, "assets");
  const html = (file: string) => readFileSync(path.join(UI_DIR, file), "utf8");
  const files = readdirSync(assets);
  const size = (names: string[]) => {
    const bytes = names.map((n) => readFileSync(path.join(assets, n)));
    return {
      raw: bytes.reduce((n, b) => n + b.length, 0),
      gzip: bytes.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
    };
  };
  const pageFiles = (htmlFile: string) => {
    const named = [...html(htmlFile).matchAll(/\/assets\/([^"]+)/g)].map((m) => m[1] ?? "");
    return [...new Set(named)].filter((n) => files.includes(n));
  };
  return [
    { page: "inbox (/)", ...size(pageFiles("index.html")) },
    { page: "monitoring (/admin)", ...size(pageFiles("admin.html")) },
  ];
}

async function main(): Promise<void> {
  await buildUi();
  stack = await startStack({
    seedSql: "INSERT OR IGNORE INTO agents (id, name) VALUES ('agent-1', 'Amira');",
  });
  browser = await launchChromium();
  const results = {
    signInCold: [] as number[],
    signInWarm: [] as number[],
    photosCold: [] as number[],
    photosWarm: [] as number[],
  };
  // One untimed round: the gateway's first requests compile and fill the store.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(
      page,
      `${stack.gateway.url}/#token=${await stack.token({ sub: "admin", role: "admin", name: "Admin" })}`,
    );
    await context.close();
  }
  for (let run = 0; run < RUNS; run++) {
    const jid = await newChatWithPhotos(run);
    const token = await stack.token({ sub: "admin", role: "admin", name: "Admin" });
    const link = `${stack.gateway.url}/#token=${token}`;
    const context: BrowserContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    const cold = await context.newPage();
    results.signInCold.push(await signIn(cold, link));
    results.photosCold.push(await photoChat(cold, jid));
    await cold.close();
    // The same profile again: a new tab signs in from the link, the HTTP cache is warm.
    const warm = await context.newPage();
    results.signInWarm.push(await signIn(warm, link));
    results.photosWarm.push(await photoChat(warm, jid));
    await context.close();
    console.log(
      `run ${run + 1}/${RUNS}: sign-in → list ${results.signInCold.at(-1)?.toFixed(0)} / ${results.signInWarm.at(-1)?.toFixed(0)} ms, 30 photos ${results.photosCold.at(-1)?.toFixed(0)} / ${results.photosWarm.at(-1)?.toFixed(0)} ms (cold / warm)`,
    );
  }
  const ms = (values: number[]) =>
    `${median(values).toFixed(0)} ms (${values.map((v) => v.toFixed(0)).join(", ")})`;
  console.log("\n| measured (median of runs) | cold | warm |");
  console.log("| --- | --- | --- |");
  console.log(
    `| sign-in link → first chat list painted | ${ms(results.signInCold)} | ${ms(results.signInWarm)} |`,
  );
  console.log(
    `| open a 30-photo chat → every photo shown | ${ms(results.photosCold)} | ${ms(results.photosWarm)} |`,
  );
  console.log("\n| bundle | raw | gzip |");
  console.log("| --- | --- | --- |");
  for (const b of bundleSizes()) {
    console.log(
      `| ${b.page}: JS + CSS | ${(b.raw / 1024).toFixed(1)} KiB | ${(b.gzip / 1024).toFixed(1)} KiB |`,
    );
  }
}

try {
  await main();
} finally {
  await stopAll();
}
