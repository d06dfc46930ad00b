/**
 * `npm run bench:polling`: N simulated browsers poll /api/waha/status on the frontend's
 * schedule, first through the gateway, then straight at the WAHA simulator (each poll
 * costing WAHA a session and a server call, as without the gateway). Prints WAHA calls
 * both ways, the reduction, the hit rate and latency. 127.0.0.1 only; starts and stops
 * the simulator and the gateway itself.
 *
 *   npm run bench:polling -- [--browsers 500] [--seconds 60] [--scale 1]
 *
 * `--scale k` divides every TTL and interval by k (so k=5 packs five minutes of polling
 * into one); the ratios between them, which decide the result, stay the same.
 */
import { parseArgs } from "node:util";
import { type Stack, startStack } from "../tools/stack.ts";
import { stopOnExit } from "../tools/wrangler.ts";

const { values } = parseArgs({
  options: {
    browsers: { type: "string", default: "500" },
    seconds: { type: "string", default: "60" },
    scale: { type: "string", default: "1" },
  },
});
const BROWSERS = whole("browsers", values.browsers, 1, 5_000);
const SECONDS = whole("seconds", values.seconds, 60, 600);
const SCALE = whole("scale", values.scale, 1, 10);
/** The frontend waits this long before its first check (GET /api/config/polling). */
const INITIAL_CHECK_DELAY_MS = 5_000;

function whole(name: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

interface Schedule {
  initialCheckDelay: number;
  baseInterval: number;
  authenticatedInterval: number;
  maxInterval: number;
  backoffMultiplier: number;
}

interface Poll {
  ok: boolean;
  /** The session's status when the answer said it. */
  status?: string;
  cache?: string | null;
  retryAfterMs?: number;
  ms: number;
}

interface Run {
  polls: Poll[];
  wahaCalls: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One browser tab: opens at a random moment in the first interval, first check after
 * initialCheckDelay, then every baseInterval, or authenticatedInterval while WORKING;
 * failures back off ×multiplier up to maxInterval and Retry-After is honoured.
 */
async function browser(
  schedule: Schedule,
  until: number,
  poll: () => Promise<Poll>,
  polls: Poll[],
) {
  await sleep(Math.random() * schedule.authenticatedInterval);
  await sleep(schedule.initialCheckDelay);
  let failures = 0;
  while (Date.now() < until) {
    const result = await poll();
    polls.push(result);
    failures = result.ok ? 0 : failures + 1;
    const base =
      result.status === "WORKING" ? schedule.authenticatedInterval : schedule.baseInterval;
    const backedOff = Math.min(schedule.maxInterval, base * schedule.backoffMultiplier ** failures);
    const wait = Math.max(backedOff, result.retryAfterMs ?? 0);
    if (Date.now() + wait >= until) break;
    await sleep(wait);
  }
}

async function run(
  stack: Stack,
  schedule: Schedule,
  poll: (browserIndex: number) => Promise<Poll>,
): Promise<Run> {
  await stack.control("reset", {});
  const polls: Poll[] = [];
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: BROWSERS }, (_, i) => browser(schedule, until, () => poll(i), polls)),
  );
  const { calls } = await stack.control<{ calls: Record<string, number> }>("stats");
  return { polls, wahaCalls: calls };
}

async function timed(request: () => Promise<Omit<Poll, "ms">>): Promise<Poll> {
  const started = performance.now();
  try {
    const result = await request();
    return { ...result, ms: performance.now() - started };
  } catch {
    return { ok: false, ms: performance.now() - started };
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] ?? Number.NaN;
}

function summary(r: Run) {
  const ms = r.polls.map((p) => p.ms).sort((a, b) => a - b);
  const cache = (s: string) => r.polls.filter((p) => p.cache === s).length;
  const waha = (r.wahaCalls.session ?? 0) + (r.wahaCalls["server-version"] ?? 0);
  return {
    polls: r.polls.length,
    failed: r.polls.filter((p) => !p.ok).length,
    waha,
    session: r.wahaCalls.session ?? 0,
    version: r.wahaCalls["server-version"] ?? 0,
    hits: cache("HIT"),
    misses: cache("MISS"),
    coalesced: cache("COALESCED"),
    stale: cache("STALE"),
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
  };
}

const scaled = (ms: number) => String(Math.round(ms / SCALE));
const stack = await startStack({
  vars: {
    WAHA_STATUS_CACHE_DURATION: scaled(10_000),
    WAHA_POLLING_INTERVAL: scaled(15_000),
    WAHA_AUTH_POLLING_INTERVAL: scaled(30_000),
    WAHA_MAX_POLLING_INTERVAL: scaled(60_000),
  },
});
stopOnExit(() => void stack.stop());

try {
  const gatewayUrl = stack.gateway.url;
  const simUrl = stack.sim.url;
  const apiKey = stack.secrets.apiKey;
  const tokens = await Promise.all(
    Array.from({ length: BROWSERS }, (_, i) =>
      stack.token({ sub: `bench-browser-${i}`, role: "user" }),
    ),
  );
  const admin = await stack.token({ sub: "bench-admin", role: "admin" });
  const config = await fetch(`${gatewayUrl}/api/config/polling`, {
    headers: { Authorization: `Bearer ${admin}` },
  });
  const schedule = { ...((await config.json()) as Schedule) };
  schedule.initialCheckDelay = Math.round(INITIAL_CHECK_DELAY_MS / SCALE);

  console.log(
    `${BROWSERS} browsers, ${SECONDS} s each way; status TTL ${scaled(10_000)} ms, polls every ` +
      `${schedule.authenticatedInterval} ms while WORKING (scale ${SCALE})`,
  );

  const throughGateway = await run(stack, schedule, (i) =>
    timed(async () => {
      const res = await fetch(`${gatewayUrl}/api/waha/status`, {
        headers: { Authorization: `Bearer ${tokens[i] ?? ""}` },
      });
      const body = (await res.json()) as { status?: string };
      const retryAfter = Number(res.headers.get("Retry-After") ?? 0) * 1000;
      return {
        ok: res.ok,
        ...(res.ok && body.status ? { status: body.status } : {}),
        cache: res.headers.get("X-Cache-Status"),
        ...(retryAfter > 0 ? { retryAfterMs: retryAfter } : {}),
      };
    }),
  );
  // The local floor: an authenticated route that touches no cache and no WAHA, asked one
  // request at a time like an idle browser's poll.
  const floor: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = performance.now();
    const res = await fetch(`${gatewayUrl}/api/config/polling`, {
      headers: { Authorization: `Bearer ${admin}` },
    });
    await res.arrayBuffer();
    floor.push(performance.now() - started);
  }
  floor.sort((a, b) => a - b);
  const reported = await fetch(`${gatewayUrl}/api/waha/monitoring/stats`, {
    headers: { Authorization: `Bearer ${admin}` },
  });
  const stats = (await reported.json()) as {
    cache: { byResource: Record<string, { hits: number; misses: number; coalesced: number }> };
    upstream: { calls: number };
  };

  const direct = await run(stack, schedule, () =>
    timed(async () => {
      const headers = { "X-Api-Key": apiKey };
      const [session, version] = await Promise.all([
        fetch(`${simUrl}/api/sessions/default`, { headers }),
        fetch(`${simUrl}/api/server/version`, { headers }),
      ]);
      const body = (await session.json()) as { status?: string };
      await version.arrayBuffer();
      const ok = session.ok && version.ok;
      return { ok, ...(ok && body.status ? { status: body.status } : {}) };
    }),
  );

  const g = summary(throughGateway);
  const d = summary(direct);
  const pct = (part: number, whole: number) =>
    whole === 0 ? "n/a" : `${((part / whole) * 100).toFixed(1)} %`;
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const rows: Array<[string, string, string]> = [
    ["", "through wa-edge", "straight to WAHA"],
    ["status polls answered", String(g.polls - g.failed), String(d.polls - d.failed)],
    ["failed polls", String(g.failed), String(d.failed)],
    [
      "WAHA calls (session + server)",
      `${g.waha} (${g.session} + ${g.version})`,
      `${d.waha} (${d.session} + ${d.version})`,
    ],
    [
      "WAHA calls per browser-hour",
      (g.waha / BROWSERS / (SECONDS / 3600) / SCALE).toFixed(2),
      (d.waha / BROWSERS / (SECONDS / 3600) / SCALE).toFixed(2),
    ],
    ["fewer WAHA calls", pct(d.waha - g.waha, d.waha), "(baseline)"],
    [
      "cache HIT / COALESCED / MISS / STALE",
      `${g.hits} / ${g.coalesced} / ${g.misses} / ${g.stale}`,
      "-",
    ],
    ["hit rate (HIT + COALESCED)", pct(g.hits + g.coalesced, g.polls), "-"],
    ["p50 latency", ms(g.p50), ms(d.p50)],
    ["p99 latency", ms(g.p99), ms(d.p99)],
    [
      "local floor p50 / p99 (GET /api/config/polling)",
      `${ms(percentile(floor, 0.5))} / ${ms(percentile(floor, 0.99))}`,
      "-",
    ],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  console.log("");
  for (const row of rows) {
    console.log(
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join("   "),
    );
  }
  const status = stats.cache.byResource.status;
  console.log(
    `\nAs the gateway counted them (/api/waha/monitoring/stats): upstream.calls ${stats.upstream.calls}; ` +
      `status hits ${status?.hits}, ` +
      `coalesced ${status?.coalesced}, misses ${status?.misses}.`,
  );
} finally {
  await stack.stop();
}
