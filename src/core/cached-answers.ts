import type { Paper } from "../model/paper.js";
import { borrowedIds, inputView } from "../model/paper-update.js";
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

/** Papers per cache read and per journal entry of served papers. */
const SERVED_PER_ENTRY = 500;
/** Entries waiting for their journal write at most, before serving waits for them (bounds memory). */
const MAX_WAITING_ENTRIES = 8;

export interface ServeHooks {
  /** Journal the results of one chunk (the promise settles once they are durable). */
  record(results: LookupResult[]): Promise<unknown>;
  /** Write what waits for a group commit now. */
  flush(): void;
  /** True once the run is stopping: serving ends, the papers not yet served stay pending. */
  stopping(): boolean;
  /** Served papers were journaled (to report progress). */
  onJournaled(): void;
}

/**
 * Serve `papers` from fresh cached answers, SERVED_PER_ENTRY at a time (read, replay, journal),
 * yielding between chunks so that signals, progress and the other source go on. Returns the papers
 * left to look up, in input order, or undefined when the run stopped part way (the papers not yet
 * served stay pending; those journaled count).
 */
export async function serveFromCache(
  client: SourceClient,
  papers: readonly Paper[],
  read: CacheReader,
  hooks: ServeHooks,
): Promise<Paper[] | undefined> {
  const rest: Paper[] = [];
  let waiting: Promise<unknown>[] = [];
  const settle = async () => {
    hooks.flush();
    await Promise.all(waiting);
    waiting = [];
    hooks.onJournaled();
  };
  for (let i = 0; i < papers.length; i += SERVED_PER_ENTRY) {
    if (hooks.stopping()) {
      await settle();
      return undefined;
    }
    const chunk = papers.slice(i, i + SERVED_PER_ENTRY);
    const { served, unanswered } = answerFromCache(client, chunk, read);
    rest.push(...unanswered);
    if (served.length > 0) waiting.push(hooks.record(served));
    if (waiting.length >= MAX_WAITING_ENTRIES) await settle();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  if (waiting.length > 0) await settle();
  return rest;
}

/**
 * Split `papers` into those a fresh cached answer serves and those to look up. The client replays
 * each answer as its lookup would; one it cannot replay (it throws, it declines) is a miss.
 */
export function answerFromCache(
  client: SourceClient,
  papers: readonly Paper[],
  read: CacheReader,
): { served: LookupResult[]; unanswered: Paper[] } {
  const keys = papers.map(lookupKey);
  // A paper with an id another source found is answered by that id, else (the id led nowhere) by its title.
  const titleViews = papers.map((paper) => (borrowedIds(paper).length > 0 ? inputView(paper) : undefined));
  const titleKeys = titleViews.map((view) => view && lookupKey(view));
  const wanted = new Set([...keys, ...titleKeys.filter((key): key is string => key !== undefined)]);
  const answers = read(client.name, [...wanted]);
  const replay = (paper: Paper, key: string | undefined): LookupResult | undefined => {
    const answer = key === undefined ? undefined : answers.get(key);
    try {
      return answer ? client.fromCache(paper, answer) : undefined;
    } catch {
      return undefined;
    }
  };
  const served: LookupResult[] = [];
  const unanswered: Paper[] = [];
  papers.forEach((paper, i) => {
    const byTitle = titleViews[i];
    const result = replay(paper, keys[i]) ?? (byTitle ? replay(byTitle, titleKeys[i]) : undefined);
    if (result) served.push(result);
    else unanswered.push(paper);
  });
  return { served, unanswered };
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
    const { status, payload, fetchedAt, byTitle } = item.answer;
    const key = lookupKey(byTitle ? inputView(paper) : paper);
    entries.push({ source, key, status, payload, fetchedAt });
  }
  return entries;
}
