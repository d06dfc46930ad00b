/**
 * The workerd test files and the configuration each one runs with. Files that run with
 * the same bindings share one vitest project; every file still gets its own workerd (the
 * plugin starts one per file), its own storage and its own WAHA simulator, so files run
 * side by side. A file that needs other limits gets them as real bindings, the way a
 * deployment would set them (the gateway's Durable Objects read their limits from their
 * own env).
 */
import { readdirSync } from "node:fs";
import path from "node:path";

export { TWO_NUMBER_FILES } from "./two-numbers.ts";

/** Every workerd test file: test/**\/*.test.ts outside test/unit and test/wire. */
export function workerdTestFiles(root = "test"): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = path.posix.join(root, entry.name);
    if (entry.isDirectory()) {
      if (!["unit", "wire", "e2e", "real-waha"].includes(entry.name)) {
        found.push(...workerdTestFiles(file));
      }
    } else if (entry.name.endsWith(".test.ts")) {
      found.push(file);
    }
  }
  return found.sort();
}

/** Configuration other than the defaults, per file. */
export const FILE_BINDINGS: Record<string, Record<string, string>> = {
  // These count WAHA's file downloads: no media fetched ahead of the browser here.
  "test/media-engines.test.ts": { WA_MEDIA_PREFETCH: "off" },
  "test/media.test.ts": { WA_MEDIA_COOLDOWN_MAX_MS: "100000" },
  // Counts WAHA's message lookups for media: nothing fetched ahead of the browser. These three
  // check sendSeen's calls at WAHA, made by whoever reads.
  "test/noweb-store.test.ts": { WA_MEDIA_PREFETCH: "off", WA_SEND_SEEN: "anyone" },
  "test/chats.test.ts": { WA_SEND_SEEN: "anyone" },
  "test/lists-engines.test.ts": { WA_SEND_SEEN: "anyone" },
  // Agents may not take unassigned chats here.
  "test/team-take-off.test.ts": { WA_AGENTS_TAKE_UNASSIGNED: "off" },
  "test/media-limits.test.ts": { WA_MEDIA_MAX_CONCURRENCY: "2", WA_MEDIA_TIMEOUT_MS: "3000" },
  // The edge cache alone: the archive off, as before it came.
  "test/media-cache.test.ts": {
    WA_MEDIA_CACHE_ITEM_MAX_BYTES: "50000",
    WA_MEDIA_CACHE_MAX_BYTES: "120000",
    WA_MEDIA_ARCHIVE_DAYS: "0",
  },
  "test/media-archive.test.ts": {
    WA_MEDIA_CACHE_ITEM_MAX_BYTES: "50000",
    WA_MEDIA_CACHE_MAX_BYTES: "200000",
    WA_MEDIA_ARCHIVE_ITEM_MAX_BYTES: "100000",
  },
  "test/media-streams.test.ts": {
    WA_MEDIA_CACHE_ITEM_MAX_BYTES: "50000",
    WA_MEDIA_CACHE_MAX_BYTES: "200000",
    WA_MEDIA_MAX_CONCURRENCY: "3",
    WA_MEDIA_STREAM_MAX_CONCURRENCY: "2",
    WA_MEDIA_STREAM_IDLE_MS: "1000",
  },
  "test/outbox.test.ts": { WAHA_REQUEST_TIMEOUT_MS: "300", WA_OUTBOX_MAX_AGE_MS: "600000" },
  "test/outbox-faults.test.ts": {
    WAHA_REQUEST_TIMEOUT_MS: "300",
    WA_OUTBOX_MAX_AGE_MS: "600000",
  },
  "test/upstream-timeouts.test.ts": { WAHA_REQUEST_TIMEOUT_MS: "150", WAHA_MAX_RETRIES: "2" },
  // A database made by the migrations before numbers, with data in it, then upgraded.
  "test/numbers-upgrade.test.ts": { TEST_MIGRATE_UP_TO: "0009_~" },
  // The session watch reads its own env: restarts on here, the default cap of 3 an hour.
  "test/session-restart.test.ts": { WAHA_AUTO_RESTART: "on" },
};

/** One vitest project: the files that run with the same extra bindings. */
export interface WorkerdProject {
  /** `workers` for the defaults, else `workers:` and its files' short names. */
  name: string;
  files: string[];
  bindings: Record<string, string>;
}

/** The workerd test files grouped by their configuration, the defaults first. */
export function workerdProjects(files = workerdTestFiles()): WorkerdProject[] {
  const groups = new Map<string, { files: string[]; bindings: Record<string, string> }>([
    ["[]", { files: [], bindings: {} }],
  ]);
  for (const file of files) {
    const bindings = FILE_BINDINGS[file] ?? {};
    const key = JSON.stringify(Object.entries(bindings).sort(([a], [b]) => a.localeCompare(b)));
    const group = groups.get(key) ?? { files: [], bindings };
    group.files.push(file);
    groups.set(key, group);
  }
  const short = (file: string) => file.replace(/^test\//, "").replace(/\.test\.ts$/, "");
  return [...groups.entries()]
    .filter(([, group]) => group.files.length > 0)
    .map(([key, group]) => ({
      name: key === "[]" ? "workers" : `workers:${group.files.map(short).join("+")}`,
      ...group,
    }));
}
