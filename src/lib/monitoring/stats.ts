/**
 * The monitoring stats (SPEC "Monitoring stats"): counters added up across isolates by
 * the Stats object, and gauges read from the objects that own them (each WAHA server's
 * gate and circuit breaker, this colo's media ledger, the numbers' realtime hubs and
 * session watches). Totals keep their shape; `numbers` has each number's own.
 */
import type { Config } from "../config.ts";
import type {
  CircuitStatus,
  EndpointCounts,
  MonitoringStats,
  NumberStats,
  ResourceCounts,
} from "../contracts/api.ts";
import type { GateSnapshot } from "../contracts/gate.ts";
import { ledgerSnapshot } from "../media/cache.ts";
import { realtimeConnections } from "../realtime/broadcast.ts";
import { wahaGate } from "../waha/client.ts";
import { numbersOf } from "../waha/numbers.ts";
import { silenceOf } from "../waha/session-silence.ts";
import { readCounters } from "./metrics.ts";

const CACHE_COUNTER = /^cache\.(hit|miss|coalesced|stale|bypass):(.+)$/;
const ENDPOINT_COUNTER = /^upstream\.(calls|errors|timeouts):(.+)$/;
/** Cache results as counters name them → their field in ResourceCounts. */
export const CACHE_RESULTS = {
  hit: "hits",
  miss: "misses",
  coalesced: "coalesced",
  stale: "stale",
  bypass: "bypass",
} as const;

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

/** A gauge that must not take the whole answer down with it. */
async function gauge<T>(name: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (err) {
    console.error(
      `[monitoring] ${name} unavailable: ${err instanceof Error ? err.message : String(err)}`,
    );
    return fallback;
  }
}

export async function collectStats(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  config: Config,
  colo: string,
): Promise<MonitoringStats> {
  const numbers = numbersOf(config);
  const servers = [...new Set(numbers.map((wa) => wa.server))];
  const idle: GateSnapshot = {
    media: { active: 0, peak: 0, max: config.WA_MEDIA_MAX_CONCURRENCY },
    stream: { active: 0, max: config.WA_MEDIA_STREAM_MAX_CONCURRENCY },
    api: { active: 0, pending: 0, max: config.WAHA_MAX_CONCURRENT_REQUESTS },
    circuit: { state: "closed", failures: 0, openedAt: null },
    session: null,
    sessions: {},
  };
  const [snapshot, gates, ledger, connections, silences] = await Promise.all([
    readCounters(env, ctx),
    Promise.all(
      servers.map((server) =>
        gauge<GateSnapshot>("gate", () => wahaGate(env, { server }).snapshot(), idle),
      ),
    ),
    gauge<{ items: number; bytes: number }>("media ledger", () => ledgerSnapshot(env, colo), {
      items: 0,
      bytes: 0,
    }),
    gauge(
      "realtime",
      () =>
        realtimeConnections(
          env,
          numbers.map((wa) => wa.id),
        ),
      0,
    ),
    Promise.all(numbers.map((wa) => silenceOf(env, wa.id))),
  ]);
  const { counters, lastMinute } = snapshot;
  const n = (name: string) => counters[name] ?? 0;
  const gateOf = (server: string) => gates[servers.indexOf(server)] ?? idle;
  const gate = {
    media: { active: gates.reduce((sum, g) => sum + g.media.active, 0) },
    stream: { active: gates.reduce((sum, g) => sum + g.stream.active, 0) },
    circuit: worstCircuit(gates.map((g) => g.circuit)),
  };
  // The totals' session: a silent one if any is, else the first number's.
  const silence = silences.find((s) => s?.silent) ?? silences[0] ?? null;
  const perNumber: Record<string, NumberStats> = {};
  numbers.forEach((wa, i) => {
    const own = gateOf(wa.server);
    perNumber[wa.id] = {
      status: own.sessions[wa.session]?.status ?? "UNKNOWN",
      circuit: own.circuit,
      upstream: { calls: n(`number.calls:${wa.id}`), errors: n(`number.errors:${wa.id}`) },
      silent: silences[i]?.silent ?? false,
    };
  });

  const byRoute: Record<string, number> = {};
  const byResource: Record<string, ResourceCounts> = {};
  const byEndpoint: Record<string, EndpointCounts> = {};
  for (const [name, value] of Object.entries(counters)) {
    if (name.startsWith("requests.route:")) {
      byRoute[name.slice("requests.route:".length)] = value;
      continue;
    }
    const cache = CACHE_COUNTER.exec(name);
    if (cache?.[1] && cache[2]) {
      // The pattern allows only CACHE_RESULTS's keys.
      const field = CACHE_RESULTS[cache[1] as keyof typeof CACHE_RESULTS];
      const counts = byResource[cache[2]] ?? {
        hits: 0,
        misses: 0,
        coalesced: 0,
        stale: 0,
        bypass: 0,
      };
      counts[field] += value;
      byResource[cache[2]] = counts;
      continue;
    }
    const endpoint = ENDPOINT_COUNTER.exec(name);
    if (endpoint?.[1] && endpoint[2]) {
      const counts = byEndpoint[endpoint[2]] ?? { calls: 0, errors: 0, timeouts: 0 };
      counts[endpoint[1] as keyof EndpointCounts] += value;
      byEndpoint[endpoint[2]] = counts;
    }
  }

  const resources = Object.values(byResource);
  const total = (field: keyof ResourceCounts) => resources.reduce((sum, r) => sum + r[field], 0);
  const [hits, misses, coalesced, stale, bypass] = (
    ["hits", "misses", "coalesced", "stale", "bypass"] as const
  ).map(total) as [number, number, number, number, number];

  return {
    since: new Date(snapshot.since).toISOString(),
    requests: { total: n("requests.total"), byRoute },
    cache: {
      hits,
      misses,
      coalesced,
      stale,
      // Answers that needed no WAHA call of their own, over every cached answer.
      hitRate: ratio(hits + coalesced, hits + misses + coalesced + stale + bypass),
      byResource,
    },
    upstream: {
      calls: n("upstream.calls"),
      callsPerMinute: lastMinute["upstream.calls"] ?? 0,
      errors: n("upstream.errors"),
      errorRate: ratio(n("upstream.errors"), n("upstream.calls")),
      timeouts: n("upstream.timeouts"),
      byEndpoint,
    },
    media: {
      served: n("media.served"),
      bytesServed: n("media.bytesServed"),
      cachedItems: ledger.items,
      cachedBytes: ledger.bytes,
      evictions: n("media.evictions"),
      busyRejections: n("media.busyRejections"),
      cooldownRejections: n("media.cooldownRejections"),
      // Every transfer from WAHA under way (over-cap streams too); downloads hold media slots.
      inFlight: gate.media.active + gate.stream.active,
      activeDownloads: gate.media.active,
      maxConcurrency: config.WA_MEDIA_MAX_CONCURRENCY,
      archive: {
        hits: n("media.archiveHits"),
        writes: n("media.archiveWrites"),
        bytesWritten: n("media.archiveBytesWritten"),
        deletes: n("media.archiveDeletes"),
      },
    },
    circuit: gate.circuit,
    realtime: { connections },
    numbers: perNumber,
    session: {
      silent: silence?.silent ?? false,
      silentSince: silence?.since ?? null,
      reason: silence?.reason ?? null,
      lastWebhookAt: silence?.lastWebhookAt ?? null,
      silentSpells: n("session.silent"),
      autoRestarts: n("session.autoRestarts"),
      autoRestart: {
        on: config.WAHA_AUTO_RESTART === "on",
        lastHour: silence?.restarts.lastHour ?? 0,
        max: config.WAHA_AUTO_RESTART_MAX,
      },
    },
  };
}

const CIRCUIT_ORDER = { closed: 0, "half-open": 1, open: 2 } as const;

/** The totals' circuit: the worst of the servers' (open over half-open over closed). */
function worstCircuit(circuits: CircuitStatus[]): CircuitStatus {
  let worst: CircuitStatus = { state: "closed", failures: 0, openedAt: null };
  for (const circuit of circuits) {
    if (
      CIRCUIT_ORDER[circuit.state] > CIRCUIT_ORDER[worst.state] ||
      (circuit.state === worst.state && circuit.failures > worst.failures)
    )
      worst = circuit;
  }
  return worst;
}
