import type { Paper } from "../model/paper.js";
import type { SourceName } from "../model/records.js";
import { lookupKey } from "../sources/lookup-key.js";
import type { BatchResult, LookupResult, RawAnswer, SourceClient } from "../sources/types.js";
import type { CacheEntry } from "../storage/response-cache.js";

/**
 * The engine's side of the response cache: which pending papers a cached answer serves (the
 * client replays it as its lookup would, or declines), and which answers of a looked-up batch
 * the cache keeps. Keys come from the papers' input view, as lookups do.
 */

/** Fresh cached answers of one source, by lookup key (freshness is the reader's business). */
export type CacheReader = (source: SourceName, keys: readonly string[]) => Map<string, RawAnswer>;

export interface ServedFromCache {
  /** Results for the papers the cache answered, in input order. */
  served: LookupResult[];
  /** The papers left to look up, in input order. */
  rest: Paper[];
}

/** Split `papers` into those a fresh cached answer serves and those to look up. */
export function serveFromCache(
  client: SourceClient,
  papers: readonly Paper[],
  read: CacheReader,
): ServedFromCache {
  const keys = papers.map(lookupKey);
  const answers = read(client.name, [...new Set(keys)]);
  const served: LookupResult[] = [];
  const rest: Paper[] = [];
  papers.forEach((paper, i) => {
    const answer = answers.get(keys[i]!);
    const result = answer ? client.fromCache(paper, answer) : undefined;
    if (result) served.push(result);
    else rest.push(paper);
  });
  return { served, rest };
}

/** The answers of a looked-up batch that the cache keeps: found and not found, never failures. */
export function answersToKeep(
  source: SourceName,
  batch: readonly Paper[],
  result: BatchResult,
): CacheEntry[] {
  const byId = new Map(batch.map((paper) => [paper.paper_id, paper]));
  const entries: CacheEntry[] = [];
  for (const item of result.results) {
    const paper = byId.get(item.paper_id);
    if (item.outcome === "failed" || !item.answer || !paper) continue;
    const { status, payload, fetchedAt } = item.answer;
    entries.push({ source, key: lookupKey(paper), status, payload, fetchedAt });
  }
  return entries;
}
