/**
 * `npm run bench:media`: the media path under load, on 127.0.0.1 only. Starts the WAHA
 * simulator, the gateway and a floor Worker itself, prints one table, stops them all.
 */
import http from "node:http";
import { startStack } from "../tools/stack.ts";
import { type Gateway, startGateway, stopOnExit } from "../tools/wrangler.ts";
import { groupRss, type LoadResult, load } from "./load.ts";
import { dayLater } from "./media-archive.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8790);
const FLOOR_PORT = PORT + 1;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CHAT = "15550009999@c.us";
/** `BENCH_ONLY=hit,archive` runs only those sections (concurrency, burst, hit, bypass, stalled, archive). */
const ONLY = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const runs = (section: string) => !ONLY || ONLY.includes(section);

const stack = await startStack({
  port: PORT,
  vars: { WA_MEDIA_MAX_CONCURRENCY: "3" },
  // An agent's chat: its hits run the access rule against this assignment.
  seedSql: `INSERT INTO chat_assignments (jid, assigned_to) VALUES ('${CHAT}', 'bench-agent')`,
});
const { control, gateway } = stack;
let floor: Gateway | undefined;
const stopAll = () => {
  floor?.stop();
  void stack.stop();
};
stopOnExit(stopAll);

type SimStats = { calls: Record<string, number>; mediaPeak: number };
const newMessage = (size: number, kind = "image/png") =>
  control<{ id: string }>("messages", { chatId: CHAT, media: { kind, size } });

try {
  floor = await startGateway({
    port: FLOOR_PORT,
    persistTo: stack.persistTo,
    logLevel: "error",
    vars: {},
    extraArgs: ["--config", "bench/floor/wrangler.toml"],
  });
  const token = await stack.token({ sub: "bench", role: "admin" });
  const auth = { Authorization: `Bearer ${token}` };
  const mediaUrl = (id: string) =>
    `${gateway.url}/api/wa/media?jid=${encodeURIComponent(CHAT)}&id=${encodeURIComponent(id)}`;
  const rows: Array<[string, string, string]> = [];

  // 1. One key, 200 at once.
  if (runs("concurrency")) {
    const msg = await newMessage(100 * 1024);
    const before = await control<SimStats>("stats");
    const res = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(mediaUrl(msg.id), { headers: auth }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    const after = await control<SimStats>("stats");
    const downloads = (after.calls.file ?? 0) - (before.calls.file ?? 0);
    rows.push([
      "200 concurrent requests, one uncached key",
      `${downloads} upstream download(s); ${res.filter((s) => s === 200).length}/200 answered 200`,
      "1 download",
    ]);
  }

  // 2. 100 distinct keys at once, cap 3, slow files.
  if (runs("burst")) {
    await control("reset", {});
    const msgs = await Promise.all(Array.from({ length: 100 }, () => newMessage(20 * 1024)));
    await control("faults", { endpoint: "file", latencyMs: 300 });
    const statuses = await Promise.all(
      msgs.map((m) =>
        fetch(mediaUrl(m.id), { headers: auth }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    const stats = await control<SimStats>("stats");
    await control("faults", undefined, "DELETE");
    const busy = statuses.filter((s) => s === 429).length;
    rows.push([
      "100-key burst, WA_MEDIA_MAX_CONCURRENCY=3",
      `peak ${stats.mediaPeak} downloads at WAHA; ${statuses.filter((s) => s === 200).length} × 200, ${busy} × 429`,
      "peak ≤ 3",
    ]);
  }

  // 3. Cache hits vs the floor.
  if (runs("hit")) {
    const msg = await newMessage(100 * 1024);
    for (let i = 0; i < 20; i++) {
      const r = await fetch(mediaUrl(msg.id), { headers: auth });
      await r.arrayBuffer();
      if (r.headers.get("X-Cache-Status") === "HIT") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const floorUrl = `${floor.url}/api/item`;
    await fetch(floorUrl).then((r) => r.arrayBuffer());
    const run = (url: string, headers: Record<string, string> = {}) =>
      load({ url, headers, connections: CONNECTIONS, durationMs: (SECONDS * 1000) / 2 });
    const agentAuth = {
      Authorization: `Bearer ${await stack.token({ sub: "bench-agent", role: "agent" })}`,
    };
    // Alternate to spread any drift in machine load over every side.
    const sides = {
      admin: [] as LoadResult[],
      agent: [] as LoadResult[],
      floor: [] as LoadResult[],
    };
    for (let round = 0; round < 2; round++) {
      sides.admin.push(await run(mediaUrl(msg.id), auth));
      sides.floor.push(await run(floorUrl));
      sides.agent.push(await run(mediaUrl(msg.id), agentAuth));
    }
    const mean = (rs: LoadResult[]) => ({
      rps: rs.reduce((n, r) => n + r.rps, 0) / rs.length,
      p50: rs.reduce((n, r) => n + r.p50, 0) / rs.length,
      p99: rs.reduce((n, r) => n + r.p99, 0) / rs.length,
    });
    const f = mean(sides.floor);
    const figures = (r: { rps: number; p50: number; p99: number }) =>
      `${r.rps.toFixed(0)} req/s (p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms)`;
    for (const role of ["admin", "agent"] as const) {
      const g = mean(sides[role]);
      const non200 = sides[role].reduce(
        (n, r) => n + r.requests - (r.statuses[200] ?? 0) + r.errors,
        0,
      );
      rows.push([
        `cache hit, 100 KB, ${CONNECTIONS} connections, as ${role}`,
        `gateway ${figures(g)}; floor ${figures(f)}; ratio ${(g.rps / f.rps).toFixed(2)}; non-200: ${non200}`,
        "ratio ≥ 0.9",
      ]);
    }
  }

  // 4. Memory while streaming a 64 MB item past the cache.
  if (runs("bypass")) {
    const size = 64 * 1024 * 1024;
    const msg = await newMessage(size, "video/mp4");
    const pgid = gateway.child.pid ?? 0;
    const baseline = await groupRss(pgid);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await groupRss(pgid));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const res = await fetch(mediaUrl(msg.id), { headers: auth });
    let bytes = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      bytes += chunk.value.byteLength;
    }
    sampling = false;
    await sampler;
    rows.push([
      "64 MB BYPASS stream",
      `${res.headers.get("X-Cache-Status")}, ${bytes} bytes; workerd RSS ${(baseline / 2 ** 20).toFixed(1)} → peak ${(peak / 2 ** 20).toFixed(1)} MB (+${((peak - baseline) / 2 ** 20).toFixed(1)} MB)`,
      "< 32 MB growth",
    ]);
  }

  // 5. Ordinary media while three clients hold over-cap streams open and read nothing.
  if (runs("stalled")) {
    await control("reset", {});
    const videos = await Promise.all(
      [1, 2, 3].map(() => newMessage(100 * 1024 * 1024, "video/mp4")),
    );
    const stalled: http.ClientRequest[] = [];
    const streamStatuses = await Promise.all(
      videos.map(
        (v) =>
          new Promise<number>((resolve) => {
            const req = http.get(mediaUrl(v.id), { headers: auth }, (res) => {
              // Take the headers, then read nothing more: a tab left on a paused video.
              res.pause();
              resolve(res.statusCode ?? 0);
            });
            req.on("error", () => resolve(0));
            stalled.push(req);
          }),
      ),
    );
    const images = await Promise.all(Array.from({ length: 30 }, () => newMessage(30 * 1024)));
    const statuses: number[] = [];
    for (const m of images) {
      const r = await fetch(mediaUrl(m.id), { headers: auth });
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    for (const req of stalled) req.destroy();
    const busy = statuses.filter((s) => s === 429).length;
    rows.push([
      "ordinary media under 3 stalled over-cap readers",
      `streams answered ${streamStatuses.join(", ")} (stream pool 2); 30 images: ${statuses.filter((s) => s === 200).length} × 200, ${busy} × 429`,
      "0 × 429 for images",
    ]);
  }

  // 6. Media opened a day after its webhook, WAHA's file gone: archive on and off.
  if (runs("archive")) {
    for (const archive of [true, false]) {
      const f = await dayLater({ archive, items: 30, size: 100 * 1024 });
      const statuses = Object.entries(f.statuses)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ");
      rows.push([
        `opened a day later, ${f.items} × 100 KB, archive ${f.archive}`,
        `${f.wahaCalls} WAHA calls, ${f.whatsappDownloads} downloads from WhatsApp; archive ${f.archiveCounts.writes} puts (${(f.archiveCounts.bytesWritten / 2 ** 20).toFixed(1)} MB), ${f.archiveCounts.hits} reads; first read p50 ${f.firstP50.toFixed(1)} ms, then edge hit p50 ${f.hitP50.toFixed(1)} ms (${statuses})`,
        archive ? "0 WAHA calls" : "–",
      ]);
    }
  }

  console.log("\n| scenario | measured | target |\n|---|---|---|");
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
} finally {
  stopAll();
}
