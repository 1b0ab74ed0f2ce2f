import type { AnswerStore } from "../storage/response-cache.js";
import { ResponseCache } from "../storage/response-cache.js";
import type { CacheReader } from "./cached-answers.js";

/** How a run uses the response cache (absent: no cache, no file read or written). */
export interface CacheSettings {
  file: string;
  /** Found answers older than this are fetched again (not-found ones after min(7 days, this)). */
  maxAgeMs: number;
  /** Use no cached answer this run; store the new ones. */
  refresh: boolean;
  /** Said when the file had to be moved aside or the cache stopped working; the run goes on. */
  onWarning?: (message: string) => void;
  /**
   * The name each source's answers are kept under (see `cacheScope`); absent: the source's name.
   * Answers of a simulator or a gateway must never serve a run against the real API.
   */
  scopes?: Readonly<Record<string, string>>;
}

/**
 * The name a source's answers are kept under: the source's name for its default API address,
 * `<name>@<address>` (credentials redacted by the caller) for any other.
 */
export function cacheScope(name: string, baseUrl: string, defaultUrl: string): string {
  const trim = (url: string) => url.replace(/\/+$/, "");
  return trim(baseUrl) === trim(defaultUrl) ? name : `${name}@${trim(baseUrl)}`;
}

/** The cache as a run uses it: where answers go, where fresh ones come from. */
export interface RunCache {
  store: AnswerStore;
  /** Absent with `refresh`. */
  read?: CacheReader;
  close(): void;
}

/** Open the run's cache; undefined (after a warning) when none can be opened: the run goes on without. */
export function openRunCache(settings: CacheSettings, now: () => Date): RunCache | undefined {
  const warn = settings.onWarning ?? (() => {});
  let cache: ResponseCache;
  try {
    cache = ResponseCache.open(settings.file, { onWarning: warn, now });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    warn(`the response cache ${settings.file} cannot be opened (${why}): going on without it`);
    return undefined;
  }
  return {
    store: {
      putMany: (entries) =>
        cache.putMany(entries.map((e) => ({ ...e, source: scopeOf(settings, e.source) }))),
    },
    ...(settings.refresh ? {} : { read: readerOf(cache, settings, now) }),
    close: () => cache.close(),
  };
}

/** A dry run's view of the cache: reads an existing file, creates and changes nothing. */
export function openPlanCache(
  settings: CacheSettings,
  now: () => Date,
): { read: CacheReader; close(): void } | undefined {
  if (settings.refresh) return undefined;
  const cache = ResponseCache.openReadOnly(settings.file, {
    ...(settings.onWarning ? { onWarning: settings.onWarning } : {}),
    now,
  });
  if (!cache) return undefined;
  return { read: readerOf(cache, settings, now), close: () => cache.close() };
}

function readerOf(cache: ResponseCache, settings: CacheSettings, now: () => Date): CacheReader {
  return (source, keys) => cache.getMany(scopeOf(settings, source), keys, settings.maxAgeMs, now());
}

/** The name a source's answers are kept under in this run's cache. */
function scopeOf(settings: CacheSettings, source: string): string {
  return settings.scopes?.[source] ?? source;
}
