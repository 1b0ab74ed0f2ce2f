import { statSync } from "node:fs";
import { z } from "zod";
import { isErrnoException, StorageError, UsageError } from "../../errors.js";
import { safeJson, safeLines, safeText } from "../../model/safe-text.js";
import { normalizeSourceLabel, SOURCE_NAMES } from "../../sources/registry.js";
import { type CacheFilter, type CacheStats, ResponseCache } from "../../storage/response-cache.js";
import { cacheFileFrom } from "../cache-location.js";
import { confirmRemoval } from "../confirm-removal.js";
import type { CliDeps } from "../deps.js";
import { formatBytes, parseDuration } from "../duration.js";
import { parseOptions } from "../options.js";
import { cacheStatsToJson, renderCacheStats } from "../render/cache-stats.js";
import type { Colors } from "../render/colors.js";
import { displayPath } from "../render/sessions-table.js";
import { sourceLabel } from "../render/source-labels.js";

const cacheOption = { cache: z.string().min(1).optional() };

const statsOptions = z.object({ json: z.boolean().default(false), ...cacheOption });

const clearOptions = z.object({
  olderThan: z.string().optional(),
  source: z.string().optional(),
  dryRun: z.boolean().default(false),
  yes: z.boolean().default(false),
  ...cacheOption,
});

/** Removing at least this many entries (or a quarter of them, or all) is worth a VACUUM. */
const VACUUM_MIN_ROWS = 1000;

/** `cf cache stats`. */
export async function cacheStatsCommand(raw: Record<string, unknown>, deps: CliDeps): Promise<void> {
  const options = parseOptions(statsOptions, raw);
  const file = cacheFileFrom(options.cache, deps.env, deps.cwd);
  let stats: CacheStats | null = null;
  if (cacheFileExists(file)) {
    const { cache, failed } = await openCache(file, deps);
    try {
      stats = cache.stats();
    } finally {
      cache.close();
    }
    if (failed()) throw new StorageError(`could not read the response cache ${file}`);
  }
  const json = cacheStatsToJson(file, stats);
  if (options.json) {
    deps.stdout(`${safeJson(JSON.stringify(json, null, 2))}\n`);
    return;
  }
  if (stats === null) {
    deps.stdout(`No response cache at ${displayPath(file, deps.cwd)}.\n`);
    return;
  }
  const color = await deps.colors();
  const { default: Table } = await import("cli-table3");
  deps.stdout(renderCacheStats(json, Table, color, deps.cwd));
}

/** `cf cache clear`. */
export async function cacheClearCommand(raw: Record<string, unknown>, deps: CliDeps): Promise<void> {
  const options = parseOptions(clearOptions, raw);
  const olderThanMs =
    options.olderThan === undefined ? undefined : parseDuration(options.olderThan, "--older-than");
  const source = options.source === undefined ? undefined : sourceNameOf(options.source);
  const file = cacheFileFrom(options.cache, deps.env, deps.cwd);
  if (!cacheFileExists(file)) {
    deps.stdout(`No response cache at ${displayPath(file, deps.cwd)}.\n`);
    return;
  }
  const filter: CacheFilter = {
    ...(source === undefined ? {} : { source }),
    ...(olderThanMs === undefined ? {} : { fetchedBefore: new Date(deps.now().getTime() - olderThanMs) }),
  };
  const { cache, failed } = await openCache(file, deps);
  try {
    await clear(cache, failed, filter, options, deps, await deps.colors());
  } finally {
    cache.close();
  }
}

async function clear(
  cache: ResponseCache,
  failed: () => boolean,
  filter: CacheFilter,
  options: { dryRun: boolean; yes: boolean },
  deps: CliDeps,
  color: Colors,
): Promise<void> {
  const where = displayPath(cache.file, deps.cwd);
  const before = cache.stats();
  const total = cache.count(filter);
  // What will go, per source and kind (the sources of the file, also any this cf does not know).
  const preview = new Map<string, { found: number; not_found: number }>();
  for (const row of before.sources) {
    if (filter.source !== undefined && row.source !== filter.source) continue;
    const n = cache.count({ ...filter, source: row.source, status: row.status });
    if (n === 0) continue;
    const counts = preview.get(row.source) ?? { found: 0, not_found: 0 };
    counts[row.status] = n;
    preview.set(row.source, counts);
  }
  if (failed()) throw new StorageError(`could not read the response cache ${cache.file}`);
  if (total === 0) {
    deps.stdout(
      before.sources.length === 0
        ? `The response cache ${where} is empty: nothing to remove.\n`
        : "No cached answers match: nothing removed.\n",
    );
    return;
  }
  deps.stdout(`Will remove ${total} cached answer(s) from ${where} (${formatBytes(before.bytes)}):\n`);
  const width = Math.max(...[...preview.keys()].map((s) => safeText(sourceLabel(s)).length));
  for (const [name, counts] of preview) {
    const label = safeText(sourceLabel(name)).padEnd(width);
    deps.stdout(`  ${color.cyan(label)}  ${counts.found} found, ${counts.not_found} not found\n`);
  }
  if (!(await confirmRemoval(options, `Remove these ${total} cached answer(s)?`, deps, color))) return;
  const removed = cache.clear(filter);
  if (failed()) throw new StorageError(`could not clear the response cache ${cache.file}`);
  const remaining = cache.count();
  if (remaining === 0 || removed >= VACUUM_MIN_ROWS || removed * 4 >= removed + remaining) {
    // Another cf run writing to the cache: the space is left for new answers, quietly.
    cache.vacuum();
  }
  const after = cache.stats().bytes;
  const sizes = failed()
    ? ""
    : `; cache size ${formatBytes(before.bytes)} before, ${formatBytes(after)} after`;
  deps.stdout(color.green(`Removed ${removed} cached answer(s)${sizes}.\n`));
}

/** A source name of the registry (or an older spelling of one) given to `--source`. */
function sourceNameOf(text: string): string {
  const name = normalizeSourceLabel(text.trim());
  if ((SOURCE_NAMES as readonly string[]).includes(name)) return name;
  throw new UsageError(`--source: unknown source "${text}" (use ${SOURCE_NAMES.join(", ")})`);
}

/** Whether the cache file exists; looked at before opening, which would create it. */
function cacheFileExists(file: string): boolean {
  try {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat === undefined) return false;
    if (stat.isFile()) return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOTDIR") return false;
    throw new StorageError(`cannot read the response cache ${file}: ${reason(error)}`, { cause: error });
  }
  throw new UsageError(`the response cache ${file} is not a file`, {
    hint: "Name the cache file with --cache or CF_CACHE (default .cf_state/cache.sqlite).",
  });
}

/**
 * Open the cache; its warnings (a broken file moved aside, a database that stops answering) go to
 * stderr. `failed()` tells whether the cache stopped working after it opened: the class then
 * answers with empty results, which these commands report as a failure instead.
 */
async function openCache(
  file: string,
  deps: CliDeps,
): Promise<{ cache: ResponseCache; failed: () => boolean }> {
  const color = await deps.colors();
  let opened = false;
  let failed = false;
  const onWarning = (message: string) => {
    if (opened) failed = true;
    deps.stderr(`${color.yellow("warning:")} ${safeLines(message)}\n`);
  };
  try {
    const cache = ResponseCache.open(file, { onWarning, now: deps.now });
    opened = true;
    return { cache, failed: () => failed };
  } catch (error) {
    throw new StorageError(`cannot open the response cache ${file}: ${reason(error)}`, { cause: error });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
