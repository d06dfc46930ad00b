/**
 * `npm run bench:avatars`: contacts' pictures for a team. Every agent's inbox asks for the
 * picture of every chat it lists at once; WAHA must be asked once per contact whatever the
 * number of agents, and a second round must not reach WAHA at all. 127.0.0.1 only; starts
 * and stops its own stack.
 *
 *   npm run bench:avatars -- [--agents 50]
 */
import { parseArgs } from "node:util";
import { startStack } from "../tools/stack.ts";
import { stopOnExit } from "../tools/wrangler.ts";

const { values } = parseArgs({ options: { agents: { type: "string", default: "50" } } });
const AGENTS = Number(values.agents);
const PORT = Number(process.env.BENCH_PORT ?? 8796);

const stack = await startStack({ port: PORT });
stopOnExit(() => void stack.stop());

type SimStats = { calls: Record<string, number> };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

try {
  const url = stack.gateway.url;
  const adminToken = await stack.token({ sub: "bench-admin", role: "admin" });
  const chats = (await (
    await fetch(`${url}/api/wa/chats`, { headers: { Authorization: `Bearer ${adminToken}` } })
  ).json()) as Array<{ id: string; avatarUrl?: string | null }>;
  const urls = chats.map((c) => c.avatarUrl).filter((u): u is string => typeof u === "string");
  const tokens = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) =>
      stack.token({ sub: `bench-staff-${i}`, role: "user" }),
    ),
  );
  const round = async () => {
    const before = await stack.control<SimStats>("stats");
    const started = performance.now();
    const times: number[] = [];
    const statuses = new Map<number, number>();
    await Promise.all(
      tokens.flatMap((token) =>
        urls.map(async (path) => {
          const t0 = performance.now();
          const res = await fetch(`${url}${path}`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          await res.arrayBuffer();
          times.push(performance.now() - t0);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }),
      ),
    );
    const wall = performance.now() - started;
    const after = await stack.control<SimStats>("stats");
    const diff = (k: string) => (after.calls[k] ?? 0) - (before.calls[k] ?? 0);
    times.sort((a, b) => a - b);
    return {
      requests: times.length,
      statuses: Object.fromEntries(statuses),
      wahaPictureCalls: diff("contact-picture"),
      pictureDownloads: diff("picture-file"),
      p50: percentile(times, 50).toFixed(1),
      p99: percentile(times, 99).toFixed(1),
      wallMs: wall.toFixed(0),
    };
  };
  const first = await round();
  const second = await round();
  console.log(`avatars: ${AGENTS} users × ${urls.length} contacts`);
  console.table({ "first round (cold)": first, "second round (warm)": second });
} finally {
  await stack.stop();
}
