import { z } from "zod";
import type { Paper } from "./paper.js";

/**
 * Running totals over a session's papers: its records, and how many papers have each kind of
 * record or id (the output's stats). A session keeps them up to date paper by paper, so neither
 * resuming nor finishing has to read every paper to count.
 */
export const paperTallySchema = z.object({
  records: z.number().int().nonnegative(),
  papers_with_citations: z.number().int().nonnegative(),
  papers_with_abstracts: z.number().int().nonnegative(),
  papers_with_urls: z.number().int().nonnegative(),
  papers_with_dois: z.number().int().nonnegative(),
  papers_with_arxiv: z.number().int().nonnegative(),
});

export type PaperTally = z.infer<typeof paperTallySchema>;

export function emptyTally(): PaperTally {
  return {
    records: 0,
    papers_with_citations: 0,
    papers_with_abstracts: 0,
    papers_with_urls: 0,
    papers_with_dois: 0,
    papers_with_arxiv: 0,
  };
}

/** One paper's share of the totals. */
export function tallyOf(paper: Paper): PaperTally {
  return {
    records: paper.citations.length + paper.abstracts.length + paper.urls.length + paper.identifiers.length,
    papers_with_citations: paper.citations.length > 0 ? 1 : 0,
    papers_with_abstracts: paper.abstracts.length > 0 ? 1 : 0,
    papers_with_urls: paper.urls.length > 0 ? 1 : 0,
    papers_with_dois: paper.doi !== "" ? 1 : 0,
    papers_with_arxiv: paper.arxiv_id ? 1 : 0,
  };
}

/** Add `part` to `into` (`sign` -1 takes it away). */
export function addTally(into: PaperTally, part: PaperTally, sign: 1 | -1 = 1): void {
  for (const key of Object.keys(into) as Array<keyof PaperTally>) into[key] += sign * part[key];
}

/** The totals over `papers`. */
export function tallyPapers(papers: Iterable<Paper>): PaperTally {
  const total = emptyTally();
  for (const paper of papers) addTally(total, tallyOf(paper));
  return total;
}
