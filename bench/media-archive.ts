/**
 * `bench:media`'s archive section: media opened a day after its webhook. Each message is
 * announced (and fetched ahead), then WAHA's files expire and the browser asks from
 * another origin, whose edge cache is empty (as in another data centre). Counted: WAHA's
 * calls and its downloads from WhatsApp, archive on and off; timed: an archive read
 * against an edge-cache hit of the same items.
 */
import { startStack } from "../tools/stack.ts";
import { percentile } from "./load.ts";

const CHAT = "15550008888@c.us";

type SimStats = {
  calls: Record<string, number>;
  whatsappDownloads: number;
};

export interface ArchiveFigures {
  archive: "on" | "off";
  items: number;
  wahaCalls: number;
  whatsappDownloads: number;
  statuses: Record<string, number>;
  /** The gateway's own counts (monitoring stats `media.archive`). */
  archiveCounts: { hits: number; writes: number; bytesWritten: number };
  firstP50: number;
  hitP50: number;
}

async function timed(url: string, auth: Record<string, string>) {
  const t0 = performance.now();
  const res = await fetch(url, { headers: auth });
  await res.arrayBuffer();
  return {
    ms: performance.now() - t0,
    status: res.headers.get("X-Cache-Status") ?? String(res.status),
  };
}

/** One side: its own stack, `items` images of `size` bytes. */
export async function dayLater(opts: {
  archive: boolean;
  items: number;
  size: number;
}): Promise<ArchiveFigures> {
  // A free port of its own: the sides start and stop one after the other.
  const stack = await startStack({
    vars: { WA_MEDIA_ARCHIVE_DAYS: opts.archive ? "90" : "0" },
  });
  try {
    const auth = {
      Authorization: `Bearer ${await stack.token({ sub: "bench", role: "admin" })}`,
    };
    const stats = () => stack.control<SimStats>("stats");
    const waha = (s: SimStats) => (s.calls.message ?? 0) + (s.calls.file ?? 0);
    const ids: string[] = [];
    for (let i = 0; i < opts.items; i++) {
      const before = (await stats()).calls.file ?? 0;
      const msg = await stack.control<{ id: string }>("messages", {
        chatId: CHAT,
        media: { kind: "image/png", size: opts.size },
        webhook: true,
      });
      ids.push(msg.id);
      // One at a time: each is fetched ahead before the next is announced.
      for (let t = 0; t < 100 && ((await stats()).calls.file ?? 0) === before; t++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    // A MediaKey hands its last download to late callers for 10 s: a day later it has not.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    await stack.control("expire", {});
    // Another origin: the same gateway, its edge cache keyed apart (empty).
    const other = stack.gateway.url.replace("127.0.0.1", "localhost");
    const url = (id: string) =>
      `${other}/api/wa/media?jid=${encodeURIComponent(CHAT)}&id=${encodeURIComponent(id)}`;
    const before = await stats();
    const first = [];
    for (const id of ids) first.push(await timed(url(id), auth));
    const after = await stats();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const hits = [];
    for (const id of ids) hits.push(await timed(url(id), auth));
    const statuses: Record<string, number> = {};
    for (const r of [...first, ...hits]) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const monitoring = await fetch(`${stack.gateway.url}/api/waha/monitoring/stats`, {
      headers: auth,
    });
    const { media } = (await monitoring.json()) as {
      media: { archive: ArchiveFigures["archiveCounts"] };
    };
    const p50 = (rs: Array<{ ms: number }>) =>
      percentile(
        rs.map((r) => r.ms).sort((a, b) => a - b),
        50,
      );
    return {
      archive: opts.archive ? "on" : "off",
      items: opts.items,
      wahaCalls: waha(after) - waha(before),
      whatsappDownloads: after.whatsappDownloads - before.whatsappDownloads,
      statuses,
      archiveCounts: media.archive,
      firstP50: p50(first),
      hitP50: p50(hits.filter((h) => h.status === "HIT")),
    };
  } finally {
    await stack.stop();
  }
}
