/**
 * `npm run bench:inbox`: what opening chats costs WAHA, the way the gateway used to read
 * message lists (`downloadMedia=true`, one WAHA call per chat per 8 s TTL, which makes
 * WAHA download every media file of the page from WhatsApp) against the way it does now
 * (each chat's newest page read once into the message store with `downloadMedia=false`;
 * media downloaded one file at a time, when a browser shows it). Same agents, same
 * chats, same schedule, one run; 127.0.0.1 only; starts and stops its own stack.
 *
 *   npm run bench:inbox -- [--agents 50] [--chats 20] [--shown 8]
 *
 * Each agent opens `--chats` chats (of a pool of 100 with 50 messages each, 15 of them
 * media), one every 2 s, and views the media of the newest `--shown` messages (what fits
 * on a screen). "Today" is the former read path replayed against the simulator
 * (bench-side 8 s cache per chat, as its resource objects held); "now" is the gateway.
 */
import { parseArgs } from "node:util";
import { startStack } from "../tools/stack.ts";
import { stopOnExit } from "../tools/wrangler.ts";

const { values } = parseArgs({
  options: {
    agents: { type: "string", default: "50" },
    chats: { type: "string", default: "20" },
    shown: { type: "string", default: "8" },
  },
});
const AGENTS = Number(values.agents);
const CHATS_PER_AGENT = Number(values.chats);
const SHOWN = Number(values.shown);
const POOL = 100;
const MESSAGES_PER_CHAT = 50;
const MEDIA_EVERY = 3; // 1 message in 3 → ~16 of 50
const OLD_TTL_MS = 8_000;
const OPEN_EVERY_MS = 2_000;

interface SimStats {
  calls: Record<string, number>;
  whatsappDownloads: number;
  whatsappBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seeded choice, so both runs open the same chats in the same order. */
function chatsOf(agent: number): number[] {
  let x = agent * 2_654_435_761 + 1;
  const picked = new Set<number>();
  while (picked.size < CHATS_PER_AGENT) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    picked.add(x % POOL);
  }
  return [...picked];
}

const jidOf = (i: number) => `1555200${String(i).padStart(4, "0")}@c.us`;

const stack = await startStack({ vars: { HTTP_LOG: "none" } });
stopOnExit(() => void stack.stop());

async function seed(): Promise<void> {
  await stack.control("reset", {});
  for (let c = 0; c < POOL; c++) {
    for (let m = 0; m < MESSAGES_PER_CHAT; m++) {
      const media =
        m % MEDIA_EVERY === 0
          ? {
              media: {
                kind: m % 2 === 0 ? "image/jpeg" : "application/pdf",
                size: 40_000 + ((c * 7919 + m) % 160_000),
              },
            }
          : {};
      await stack.control("messages", { chatId: jidOf(c), body: `message ${m}`, ...media });
    }
  }
}

async function stats(): Promise<SimStats> {
  return stack.control<SimStats>("stats");
}

function delta(after: SimStats, before: SimStats) {
  const call = (name: string) => (after.calls[name] ?? 0) - (before.calls[name] ?? 0);
  return {
    lists: call("messages"),
    lookups: call("message"),
    files: call("file"),
    whatsappDownloads: after.whatsappDownloads - before.whatsappDownloads,
    whatsappBytes: after.whatsappBytes - before.whatsappBytes,
  };
}

const headers = { "X-Api-Key": stack.secrets.apiKey };

type Page = Array<{ id: string; media?: { url?: string | null } | null }>;

/** The former read path, against WAHA itself: pages with downloadMedia=true behind an 8 s cache. */
async function today(): Promise<ReturnType<typeof delta>> {
  const cache = new Map<number, { at: number; page: Page }>();
  const seen = new Set<string>();
  const before = await stats();
  await Promise.all(
    Array.from({ length: AGENTS }, async (_, agent) => {
      for (const chat of chatsOf(agent)) {
        let entry = cache.get(chat);
        if (!entry || Date.now() - entry.at >= OLD_TTL_MS) {
          const res = await fetch(
            `${stack.sim.url}/api/default/chats/${jidOf(chat)}/messages?limit=50&downloadMedia=true`,
            { headers },
          );
          entry = { at: Date.now(), page: (await res.json()) as Page };
          cache.set(chat, entry);
        }
        // The media route then fetched each shown file once (a message lookup and the file).
        for (const m of entry.page.slice(0, SHOWN)) {
          if (!m.media?.url || seen.has(m.id)) continue;
          seen.add(m.id);
          await fetch(
            `${stack.sim.url}/api/default/chats/${jidOf(chat)}/messages/${m.id}?downloadMedia=true`,
            { headers },
          ).then((r) => r.arrayBuffer());
          await fetch(`${stack.sim.url}${new URL(m.media.url).pathname}`, { headers }).then((r) =>
            r.arrayBuffer(),
          );
        }
        await sleep(OPEN_EVERY_MS);
      }
    }),
  );
  return delta(await stats(), before);
}

/** Now: the gateway, its message store and its media route. */
async function now(): Promise<ReturnType<typeof delta>> {
  const tokens = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) =>
      stack.token({ sub: `bench-staff-${i}`, role: "user" }),
    ),
  );
  const before = await stats();
  await Promise.all(
    Array.from({ length: AGENTS }, async (_, agent) => {
      const auth = { Authorization: `Bearer ${tokens[agent] ?? ""}` };
      for (const chat of chatsOf(agent)) {
        const res = await fetch(
          `${stack.gateway.url}/api/wa/messages?jid=${jidOf(chat)}&limit=50`,
          {
            headers: auth,
          },
        );
        const page = (await res.json()) as Array<{ media: { url: string | null } | null }>;
        for (const m of page.slice(0, SHOWN)) {
          if (!m.media?.url) continue;
          // A browser's media queue: retry a busy answer after its Retry-After.
          for (let tries = 0; tries < 10; tries++) {
            const r = await fetch(`${stack.gateway.url}${m.media.url}`, { headers: auth });
            await r.arrayBuffer();
            if (r.status !== 429) break;
            await sleep(Number(r.headers.get("Retry-After") ?? 1) * 1000);
          }
        }
        await sleep(OPEN_EVERY_MS);
      }
    }),
  );
  return delta(await stats(), before);
}

try {
  console.log(`seeding ${POOL} chats × ${MESSAGES_PER_CHAT} messages…`);
  await seed();
  const old = await today();
  await seed();
  const fresh = await now();
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(
    `\n${AGENTS} agents × ${CHATS_PER_AGENT} chats, media of the newest ${SHOWN} messages viewed\n`,
  );
  console.log("| | downloadMedia=true (before) | message store (now) |\n|---|---|---|");
  console.log(`| WAHA list calls | ${old.lists} | ${fresh.lists} |`);
  console.log(`| WAHA message lookups | ${old.lookups} | ${fresh.lookups} |`);
  console.log(`| WAHA file downloads | ${old.files} | ${fresh.files} |`);
  console.log(
    `| files WAHA downloaded from WhatsApp | ${old.whatsappDownloads} | ${fresh.whatsappDownloads} |`,
  );
  console.log(
    `| bytes WAHA downloaded from WhatsApp | ${mb(old.whatsappBytes)} MB | ${mb(fresh.whatsappBytes)} MB |`,
  );
  const saved = 1 - fresh.whatsappBytes / Math.max(1, old.whatsappBytes);
  console.log(`| fewer bytes from WhatsApp | – | **${(saved * 100).toFixed(1)} %** |`);
} finally {
  await stack.stop();
}
