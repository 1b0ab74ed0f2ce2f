import type { Paper } from "../model/paper.js";
import { inputView } from "../model/paper-update.js";
import type { SourceName } from "../model/records.js";
import { normalizeArxivId, normalizeDoi } from "../sources/identifiers.js";
import type { SourceClient } from "../sources/types.js";
import { answerFromCache, type CacheReader } from "./cached-answers.js";

/** What a run would do, for `--dry-run`: computed from the clients' own batch planning. */
export interface RunPlan {
  papers: number;
  withDoi: number;
  /** With an arXiv id but no DOI. */
  arxivOnly: number;
  titleOnly: number;
  sources: Array<{
    source: SourceName;
    /** Papers a fresh cached answer serves (no request). */
    cached: number;
    requests: number;
    ratePerSecond: number;
    seconds: number;
  }>;
}

/**
 * Plan the requests of each source for these papers at the given rates (requests per second), with
 * the papers a fresh cached answer serves (`readCache`) left out.
 */
export function planRun(
  papers: readonly Paper[],
  clients: readonly SourceClient[],
  rates: Partial<Record<SourceName, number>>,
  readCache?: CacheReader,
): RunPlan {
  // What a run looks papers up by: ids a source filled in (cf's own output as input) do not count.
  const views = papers.map(inputView);
  let withDoi = 0;
  let arxivOnly = 0;
  for (const paper of views) {
    if (normalizeDoi(paper.doi)) withDoi += 1;
    else if (normalizeArxivId(paper.arxiv_id)) arxivOnly += 1;
  }
  return {
    papers: papers.length,
    withDoi,
    arxivOnly,
    titleOnly: papers.length - withDoi - arxivOnly,
    sources: clients.map((client) => {
      const { served, unanswered: rest } = readCache
        ? answerFromCache(client, views, readCache)
        : { served: [], unanswered: views };
      const requests = client.planBatches(rest).length;
      const ratePerSecond = rates[client.name] ?? 1;
      const seconds = requests / ratePerSecond;
      return { source: client.name, cached: served.length, requests, ratePerSecond, seconds };
    }),
  };
}
