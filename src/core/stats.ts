import type { PaperTally } from "../model/paper-tally.js";
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

/** The stats of `total` papers whose totals are `tally` (records from the input included), with per-source outcomes. */
export function computeStats(
  total: number,
  tally: PaperTally,
  sources: Partial<Record<SourceName, SourceState>>,
  durationMs: number,
  checkpointCost: { snapshotMs: number; journalMs: number } = { snapshotMs: 0, journalMs: 0 },
): ConsolidationStats {
  const seconds = durationMs / 1000;
  return {
    total_papers: total,
    duration_seconds: Math.round(seconds * 10) / 10,
    papers_per_second: seconds > 0 ? Math.round((total / seconds) * 1000) / 1000 : 0,
    papers_with_citations: tally.papers_with_citations,
    papers_with_abstracts: tally.papers_with_abstracts,
    papers_with_urls: tally.papers_with_urls,
    papers_with_dois: tally.papers_with_dois,
    papers_with_arxiv: tally.papers_with_arxiv,
    sources,
    checkpoint_seconds: Math.round(checkpointCost.snapshotMs) / 1000,
    journal_seconds: Math.round(checkpointCost.journalMs) / 1000,
    method: "parallel",
  };
}
