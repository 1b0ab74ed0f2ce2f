import { safeText } from "../../model/safe-text.js";
import { SOURCE_NAMES } from "../../sources/registry.js";
import type { CacheStats, CacheStatus } from "../../storage/response-cache.js";
import { formatBytes } from "../duration.js";
import type { Colors } from "./colors.js";
import { displayPath, shortTime } from "./sessions-table.js";
import { sourceLabel } from "./source-labels.js";

/** One source and kind in `cf cache stats --json`. */
export interface KindJson {
  entries: number;
  oldest: string | null;
  newest: string | null;
}

/** The stable JSON shape of `cf cache stats --json`. */
export interface CacheStatsJson {
  file: string;
  exists: boolean;
  bytes: number;
  schema_version: number | null;
  sources: Record<string, Record<CacheStatus, KindJson>>;
  entries: number;
}

const STATUSES: readonly CacheStatus[] = ["found", "not_found"];

/**
 * Every source of the registry (in its order, also those with no entry), then any other source the
 * file holds (written by another cf version), each with both kinds.
 */
export function cacheStatsToJson(file: string, stats: CacheStats | null): CacheStatsJson {
  const rows = stats?.sources ?? [];
  const others = [...new Set(rows.map((r) => r.source))].filter(
    (s) => !(SOURCE_NAMES as string[]).includes(s),
  );
  const sources: CacheStatsJson["sources"] = {};
  for (const source of [...SOURCE_NAMES, ...others.sort()]) {
    const kinds = {} as Record<CacheStatus, KindJson>;
    for (const status of STATUSES) {
      const row = rows.find((r) => r.source === source && r.status === status);
      kinds[status] = row
        ? { entries: row.entries, oldest: row.oldest.toISOString(), newest: row.newest.toISOString() }
        : { entries: 0, oldest: null, newest: null };
    }
    sources[source] = kinds;
  }
  return {
    file,
    exists: stats !== null,
    bytes: stats?.bytes ?? 0,
    schema_version: stats?.schemaVersion ?? null,
    sources,
    entries: rows.reduce((n, r) => n + r.entries, 0),
  };
}

/** The text of `cf cache stats`: where and how big, a table per source, and the total. */
export function renderCacheStats(
  json: CacheStatsJson,
  Table: typeof import("cli-table3"),
  color: Colors,
  cwd: string,
): string {
  const table = new Table({
    head: ["Source", "Found", "Not found", "Oldest", "Newest"],
    style: { head: color.level > 0 ? ["bold"] : [], border: color.level > 0 ? ["grey"] : [] },
  });
  for (const [source, kinds] of Object.entries(json.sources)) {
    const times = STATUSES.map((s) => kinds[s]);
    const oldest =
      times
        .map((k) => k.oldest)
        .filter((t) => t !== null)
        .sort()[0] ?? null;
    const newest =
      times
        .map((k) => k.newest)
        .filter((t) => t !== null)
        .sort()
        .at(-1) ?? null;
    table.push([
      safeText(sourceLabel(source)),
      String(kinds.found.entries),
      String(kinds.not_found.entries),
      color.dim(shortTime(oldest)),
      color.dim(shortTime(newest)),
    ]);
  }
  const head = `Response cache: ${color.cyan(displayPath(json.file, cwd))} (${formatBytes(json.bytes)}, schema version ${json.schema_version})\n`;
  const total = json.entries === 0 ? "The cache is empty.\n" : `${json.entries} cached answer(s) in all.\n`;
  return `${head}${table.toString()}\n${total}`;
}
