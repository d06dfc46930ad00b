/**
 * A small closed-loop HTTP load generator for the benchmarks: `connections` workers
 * each send requests back to back for `durationMs`, over keep-alive sockets.
 */
import http from "node:http";

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<number, number>;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function load(opts: {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL(opts.url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const started = performance.now();
  const end = started + opts.durationMs;

  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.get(target.href, { agent, headers: opts.headers }, (res) => {
        res.on("data", () => {});
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          resolve();
        });
        res.on("error", () => {
          errors++;
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
    });

  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < end) await once();
    }),
  );
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    statuses,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Resident memory (bytes) of every process in a process group, from /proc. */
export async function groupRss(pgid: number, name = "workerd"): Promise<number> {
  return (await groupProcesses(pgid, name)).reduce((sum, p) => sum + p.rss, 0);
}

/**
 * The group's processes by name, with their resident memory. Under `wrangler dev` one
 * workerd listens on the public port (the dev proxy) and another runs the Worker.
 */
export async function groupProcesses(
  pgid: number,
  name = "workerd",
): Promise<Array<{ pid: number; rss: number; publicPort: boolean }>> {
  const { readdir, readFile } = await import("node:fs/promises");
  const found: Array<{ pid: number; rss: number; publicPort: boolean }> = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(fields[2]) !== pgid || !comm.includes(name)) continue;
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
      found.push({
        pid: Number(pid),
        rss: Number(kb ?? 0) * 1024,
        publicPort: !/socket-addr=entry=127\.0\.0\.1:0\b/.test(cmdline),
      });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
