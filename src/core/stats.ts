import type { Paper } from "../model/paper.js";
import type { SourceName } from "../model/records.js";
import type { SourceState } from "../storage/session-files.js";

/** Output statistics, in the Python tool's names where it had them (reference §2.2). */
export interface ConsolidationStats {
  total_papers: number;
  duration_seconds: number;
  papers_per_second: number;
  papers_with_citations: number;
  papers_with_abstracts: number;
  papers_with_urls: number;
  papers_with_dois: number;
  papers_with_arxiv: number;
  sources: Partial<Record<SourceName, SourceState>>;
  /** Seconds this run spent on snapshots and on journaling batches (its checkpoint cost). */
  checkpoint_seconds: number;
  journal_seconds: number;
  method: "parallel";
}

/** Count papers with non-empty lists (original records included) and per-source outcomes. */
export function computeStats(
  papers: readonly Paper[],
  sources: Partial<Record<SourceName, SourceState>>,
  durationMs: number,
  checkpointCost: { snapshotMs: number; journalMs: number } = { snapshotMs: 0, journalMs: 0 },
): ConsolidationStats {
  const seconds = durationMs / 1000;
  const count = (test: (p: Paper) => boolean) => papers.reduce((n, p) => n + (test(p) ? 1 : 0), 0);
  return {
    total_papers: papers.length,
    duration_seconds: Math.round(seconds * 10) / 10,
    papers_per_second: seconds > 0 ? Math.round((papers.length / seconds) * 1000) / 1000 : 0,
    papers_with_citations: count((p) => p.citations.length > 0),
    papers_with_abstracts: count((p) => p.abstracts.length > 0),
    papers_with_urls: count((p) => p.urls.length > 0),
    papers_with_dois: count((p) => p.doi !== ""),
    papers_with_arxiv: count((p) => Boolean(p.arxiv_id)),
    sources,
    checkpoint_seconds: Math.round(checkpointCost.snapshotMs) / 1000,
    journal_seconds: Math.round(checkpointCost.journalMs) / 1000,
    method: "parallel",
  };
}
