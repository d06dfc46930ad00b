/**
 * The monitoring stats in Prometheus's text exposition format (version 0.0.4), so the
 * numbers a scraper sees are the ones /api/waha/monitoring/stats shows.
 */
import type { MonitoringStats } from "../contracts/api.ts";
import { CACHE_RESULTS } from "./stats.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Record<string, string>;
type Sample = [Labels, number];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function family(name: string, type: "counter" | "gauge", help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    lines.push(`${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`);
  }
  return lines.join("\n");
}

const one = (value: number): Sample[] => [[{}, value]];

/** Each number's own series, labelled `number="<id>"`. */
function numberFamilies(numbers: NonNullable<MonitoringStats["numbers"]>): string[] {
  const each = Object.entries(numbers);
  const per = (value: (n: (typeof each)[number][1]) => number): Sample[] =>
    each.map(([number, n]): Sample => [{ number }, value(n)]);
  return [
    family(
      "wa_edge_number_upstream_calls_total",
      "counter",
      "Calls to WAHA for a number.",
      per((n) => n.upstream.calls),
    ),
    family(
      "wa_edge_number_upstream_errors_total",
      "counter",
      "Failed calls to WAHA for a number (timeouts, 5xx, no connection).",
      per((n) => n.upstream.errors),
    ),
    family(
      "wa_edge_number_circuit_open",
      "gauge",
      "1 while the circuit breaker of the number's WAHA server is not closed, else 0.",
      per((n) => (n.circuit.state === "closed" ? 0 : 1)),
    ),
    family(
      "wa_edge_number_session_working",
      "gauge",
      "1 while the number's WAHA session was last heard WORKING, else 0.",
      per((n) => (n.status === "WORKING" ? 1 : 0)),
    ),
    family(
      "wa_edge_number_session_silent",
      "gauge",
      "1 while the number's session says WORKING but its webhooks have stopped, else 0.",
      per((n) => (n.silent ? 1 : 0)),
    ),
  ];
}

export function toPrometheus(stats: MonitoringStats): string {
  const { requests, cache, upstream, media, circuit, realtime, session } = stats;
  const resources = Object.entries(cache.byResource);
  const endpoints = Object.entries(upstream.byEndpoint);
  const families = [
    family(
      "wa_edge_stats_since_seconds",
      "gauge",
      "When counting started (Unix time).",
      one(Date.parse(stats.since) / 1000),
    ),
    family("wa_edge_requests_total", "counter", "Requests to /api.", one(requests.total)),
    family(
      "wa_edge_route_requests_total",
      "counter",
      "Requests to /api by route pattern.",
      Object.entries(requests.byRoute).map(([route, n]): Sample => [{ route }, n]),
    ),
    family(
      "wa_edge_cache_answers_total",
      "counter",
      "Cached answers by resource and cache result.",
      resources.flatMap(([resource, counts]) =>
        Object.entries(CACHE_RESULTS).map(
          ([result, field]): Sample => [{ resource, result }, counts[field]],
        ),
      ),
    ),
    family(
      "wa_edge_cache_hit_ratio",
      "gauge",
      "Answers that needed no upstream call of their own (hits and coalesced), over all.",
      one(cache.hitRate),
    ),
    family(
      "wa_edge_upstream_calls_total",
      "counter",
      "Non-media calls to WAHA, retries included.",
      one(upstream.calls),
    ),
    family(
      "wa_edge_upstream_errors_total",
      "counter",
      "WAHA calls that timed out, failed or answered 5xx.",
      one(upstream.errors),
    ),
    family(
      "wa_edge_upstream_timeouts_total",
      "counter",
      "WAHA calls that timed out.",
      one(upstream.timeouts),
    ),
    family(
      "wa_edge_upstream_calls_last_minute",
      "gauge",
      "WAHA calls in the last 60 seconds.",
      one(upstream.callsPerMinute),
    ),
    family(
      "wa_edge_upstream_error_ratio",
      "gauge",
      "Upstream errors over upstream calls.",
      one(upstream.errorRate),
    ),
    family(
      "wa_edge_upstream_endpoint_calls_total",
      "counter",
      "WAHA calls by endpoint.",
      endpoints.map(([endpoint, c]): Sample => [{ endpoint }, c.calls]),
    ),
    family(
      "wa_edge_upstream_endpoint_errors_total",
      "counter",
      "WAHA call errors by endpoint.",
      endpoints.map(([endpoint, c]): Sample => [{ endpoint }, c.errors]),
    ),
    family(
      "wa_edge_upstream_endpoint_timeouts_total",
      "counter",
      "WAHA call timeouts by endpoint.",
      endpoints.map(([endpoint, c]): Sample => [{ endpoint }, c.timeouts]),
    ),
    family("wa_edge_media_served_total", "counter", "Media answers with bytes.", one(media.served)),
    family(
      "wa_edge_media_bytes_served_total",
      "counter",
      "Media bytes sent to browsers.",
      one(media.bytesServed),
    ),
    family(
      "wa_edge_media_evictions_total",
      "counter",
      "Media items evicted from the cache.",
      one(media.evictions),
    ),
    family(
      "wa_edge_media_busy_rejections_total",
      "counter",
      "Media requests refused with 429 media-busy.",
      one(media.busyRejections),
    ),
    family(
      "wa_edge_media_cooldown_rejections_total",
      "counter",
      "Media requests answered from a cooldown.",
      one(media.cooldownRejections),
    ),
    family(
      "wa_edge_media_cached_items",
      "gauge",
      "Media items cached in this data centre.",
      one(media.cachedItems),
    ),
    family(
      "wa_edge_media_cached_bytes",
      "gauge",
      "Media bytes cached in this data centre.",
      one(media.cachedBytes),
    ),
    ...(
      [
        ["hits", "Media answered from the R2 archive."],
        ["writes", "Media items put in the R2 archive."],
        ["bytesWritten", "Media bytes put in the R2 archive."],
        ["deletes", "Archived media items deleted with their messages."],
      ] as const
    ).map(([name, help]) =>
      family(
        `wa_edge_media_archive_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_total`,
        "counter",
        help,
        one(media.archive[name]),
      ),
    ),
    family("wa_edge_media_in_flight", "gauge", "Media downloads in flight.", one(media.inFlight)),
    family(
      "wa_edge_media_active_downloads",
      "gauge",
      "Media downloads holding a concurrency slot.",
      one(media.activeDownloads),
    ),
    family(
      "wa_edge_media_max_concurrency",
      "gauge",
      "WA_MEDIA_MAX_CONCURRENCY.",
      one(media.maxConcurrency),
    ),
    family(
      "wa_edge_circuit_state",
      "gauge",
      "The WAHA circuit breaker's state (1 for the current one).",
      (["closed", "open", "half-open"] as const).map(
        (state): Sample => [{ state }, circuit.state === state ? 1 : 0],
      ),
    ),
    family(
      "wa_edge_circuit_failures",
      "gauge",
      "Consecutive failed WAHA calls.",
      one(circuit.failures),
    ),
    family(
      "wa_edge_circuit_opened_at_seconds",
      "gauge",
      "When the circuit last opened (Unix time; 0 while closed).",
      one(circuit.openedAt ? Date.parse(circuit.openedAt) / 1000 : 0),
    ),
    family(
      "wa_edge_realtime_connections",
      "gauge",
      "Open realtime WebSocket connections.",
      one(realtime.connections),
    ),
    family(
      "wa_edge_session_silent",
      "gauge",
      "1 while the session says WORKING but its webhooks have stopped (SILENT), else 0.",
      one(session.silent ? 1 : 0),
    ),
    family(
      "wa_edge_session_silent_total",
      "counter",
      "Times the session was found SILENT.",
      one(session.silentSpells),
    ),
    family(
      "wa_edge_session_auto_restarts_total",
      "counter",
      "Restarts of a SILENT session the gateway asked of WAHA.",
      one(session.autoRestarts),
    ),
    family(
      "wa_edge_session_last_webhook_seconds",
      "gauge",
      "When the last verified webhook arrived (Unix time; 0: none yet).",
      one(session.lastWebhookAt ? Date.parse(session.lastWebhookAt) / 1000 : 0),
    ),
    ...numberFamilies(stats.numbers ?? {}),
  ];
  return `${families.join("\n")}\n`;
}
