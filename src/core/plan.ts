import type { Paper } from "../model/paper.js";
import { borrowedIds, inputView, lookupView } from "../model/paper-update.js";
import type { SourceName } from "../model/records.js";
import { addUsd, roundUsd } from "../model/usd.js";
import type { SourceDescriptor } from "../sources/descriptor.js";
import { normalizeArxivId, normalizeDoi } from "../sources/identifiers.js";
import { sourceDescriptor } from "../sources/registry.js";
import type { SourceClient } from "../sources/types.js";
import { answerFromCache, type CacheReader } from "./cached-answers.js";
import { feedChunkSize } from "./lookup-queue.js";

/** What a run would do, for `--dry-run`: computed from the clients' own batch planning. */
export interface RunPlan {
  papers: number;
  withDoi: number;
  /** With an arXiv id but no DOI. */
  arxivOnly: number;
  titleOnly: number;
  sources: Array<{
    source: SourceName;
    /** Papers this source has still to look up (all, unless a session has done some: `done`). */
    left: number;
    /** Papers a fresh cached answer serves (no request). */
    cached: number;
    requests: number;
    ratePerSecond: number;
    seconds: number;
    /** For a metered API (OpenAlex): what the run would cost. */
    cost?: CostEstimate;
  }>;
}

/**
 * What a metered source's lookups would cost, by request kind at its documented prices. A title
 * search costs one request, two when its fallback search is needed: hence ranges.
 */
export interface CostEstimate {
  /** List requests (DOI batches): each paid. */
  lists: number;
  /** Papers asked for alone by id: free. */
  singletons: number;
  /** Title-only papers searched whatever other sources find. */
  searched: number;
  /**
   * Title-only papers another source of the run answers first (see IdSharing): searched only when
   * it finds no usable id for them; each it identifies is a free lookup by id instead.
   */
  shared: number;
  /** The sources `shared` papers wait for. */
  sharedWith: SourceName[];
  /** Title searches: at least (every shared paper identified, no fallback), at most. */
  searches: { min: number; max: number };
  usd: { min: number; max: number };
  /** What searching every shared paper would add: the most cross-source ids can save. */
  savedUsd: { max: number };
  /** Dollars a free key may spend per day. */
  freeDailyUsd: number;
}

/**
 * Plan the requests of each source for these papers at the given rates (requests per second), with
 * the papers a fresh cached answer serves (`readCache`) left out. A source that waits for another's
 * ids (OpenAlex for Semantic Scholar) sees the ids that source's cached answers give.
 */
export function planRun(
  papers: Iterable<Paper>,
  clients: readonly SourceClient[],
  rates: Partial<Record<SourceName, number>>,
  readCache?: CacheReader,
  /** Per source, papers already done (a session being continued): not looked up again. */
  done?: Partial<Record<SourceName, ReadonlySet<string>>>,
): RunPlan {
  const running = new Set(clients.map((c) => c.name));
  const tallies = clients.map((client) => ({
    client,
    helpers: (client.waitsForIdsFrom ?? []).filter((s) => s !== client.name && running.has(s)),
    pending: [] as Paper[],
    /** Papers planned so far: the size of the next chunk depends on it, as in a run. */
    planned: 0,
    left: 0,
    cached: 0,
    requests: 0,
    shared: 0,
    lists: 0,
    singletons: 0,
    titleOnly: 0,
  }));
  type Tally = (typeof tallies)[number];
  // Planned in the chunks a run feeds its queue with: a source's papers left, feedChunkSize at a time
  // (the last batch of each may be short). Papers are read one at a time: a million-paper input is
  // never held (issue 16).
  const plan = (tally: Tally) => {
    const { client, helpers } = tally;
    const { known, shared } = shareIds(client, tally.pending, clients, helpers, readCache);
    tally.planned += tally.pending.length;
    tally.pending = [];
    const { served, unanswered: rest } = readCache
      ? answerFromCache(client, known, readCache)
      : { served: [], unanswered: known };
    tally.cached += served.length;
    tally.shared += rest.filter((p) => shared.has(p.paper_id)).length;
    for (const batch of client.planBatches(rest)) {
      tally.requests += 1;
      const ids = batch.filter((p) => !client.titleOnly?.(p)).length;
      tally.titleOnly += batch.length - ids;
      if (ids === 1) tally.singletons += 1;
      else if (ids > 1) tally.lists += 1;
    }
  };
  let count = 0;
  let withDoi = 0;
  let arxivOnly = 0;
  for (const paper of papers) {
    // What a run looks papers up by: ids a source filled in (cf's own output as input) do not count.
    const view = inputView(paper);
    count += 1;
    if (normalizeDoi(view.doi)) withDoi += 1;
    else if (normalizeArxivId(view.arxiv_id)) arxivOnly += 1;
    for (const tally of tallies) {
      if (done?.[tally.client.name]?.has(view.paper_id)) continue;
      tally.left += 1;
      tally.pending.push(view);
      if (tally.pending.length === feedChunkSize(tally.planned)) plan(tally);
    }
  }
  for (const tally of tallies) if (tally.pending.length > 0) plan(tally);
  return {
    papers: count,
    withDoi,
    arxivOnly,
    titleOnly: count - withDoi - arxivOnly,
    sources: tallies.map((tally) => {
      const { client, requests } = tally;
      const ratePerSecond = rates[client.name] ?? 1;
      const pricing = sourceDescriptor(client.name)?.pricing;
      const cost = pricing ? estimateCost(tally, tally.helpers, pricing) : undefined;
      return {
        source: client.name,
        left: tally.left,
        cached: tally.cached,
        requests,
        ratePerSecond,
        seconds: requests / ratePerSecond,
        ...(cost ? { cost } : {}),
      };
    }),
  };
}

/**
 * The views `client` would look papers up by: a title-only paper that a helper source's cached
 * answer identifies gets that id (as in a run); `shared` holds the title-only papers a helper will
 * answer first without the cache telling how.
 */
function shareIds(
  client: SourceClient,
  views: readonly Paper[],
  clients: readonly SourceClient[],
  helpers: readonly SourceName[],
  readCache: CacheReader | undefined,
): { known: Paper[]; shared: Set<string> } {
  const shared = new Set<string>();
  if (helpers.length === 0 || !client.titleOnly) return { known: [...views], shared };
  const titleOnly = views.filter((p) => client.titleOnly?.(p));
  const byId = new Map(titleOnly.map((p) => [p.paper_id, p]));
  const identified = new Map<string, Paper>();
  const answered = new Set<string>();
  for (const helper of clients.filter((c) => helpers.includes(c.name))) {
    const served = readCache ? answerFromCache(helper, titleOnly, readCache).served : [];
    for (const result of served) {
      answered.add(result.paper_id);
      const paper = byId.get(result.paper_id);
      if (!paper || identified.has(result.paper_id) || result.outcome !== "matched") continue;
      // The view a run would give this paper once the helper's records are in (see lookupView).
      const records = [...(paper.identifiers ?? []), ...(result.update.records.identifiers ?? [])];
      const view = lookupView({ ...paper, identifiers: records }, client.name);
      if (borrowedIds(view).length > 0)
        identified.set(result.paper_id, { ...view, identifiers: paper.identifiers });
    }
  }
  for (const paper of titleOnly) if (!answered.has(paper.paper_id)) shared.add(paper.paper_id);
  return { known: views.map((p) => identified.get(p.paper_id) ?? p), shared };
}

/** Requests by kind over a source's planned batches; title-only papers another source answers first. */
interface RequestCounts {
  lists: number;
  singletons: number;
  titleOnly: number;
  shared: number;
}

function estimateCost(
  counts: RequestCounts,
  sharedWith: SourceName[],
  pricing: NonNullable<SourceDescriptor["pricing"]>,
): CostEstimate {
  const { lists, singletons, titleOnly, shared } = counts;
  const searched = titleOnly - shared;
  const searches = { min: searched, max: 2 * titleOnly };
  const listUsd = roundUsd(lists * pricing.list + singletons * pricing.singleton);
  return {
    lists,
    singletons,
    searched,
    shared,
    sharedWith,
    searches,
    usd: {
      min: addUsd(listUsd, searches.min * pricing.search),
      max: addUsd(listUsd, searches.max * pricing.search),
    },
    savedUsd: { max: roundUsd(2 * shared * pricing.search) },
    freeDailyUsd: pricing.freeDailyUsd,
  };
}
