import { normalizeArxivId, normalizeDoi } from "./identifiers.js";
import { normalizeTitle } from "./title-matcher.js";

/** What a lookup reads of a paper. */
export interface LookupFields {
  doi?: string | null | undefined;
  arxiv_id?: string | null | undefined;
  title: string;
  year: number;
}

/**
 * The key under which a source's answer for a paper is kept in the response cache: what the lookup
 * asks the API for. A DOI when the paper has one, else its arXiv id, else its cleaned, normalised
 * title with the year (the title searches filter by year). Spellings that name the same thing give
 * the same key (`https://doi.org/10.1/X` and `10.1/x`; `arXiv:2106.01234v2` and `2106.01234`;
 * `{BERT}: Pre-training…` and `BERT: pre-training…`). Computed from the paper's input view, as
 * lookups are, so a key does not change when a source fills in a DOI.
 */
export function lookupKey(paper: LookupFields): string {
  const doi = normalizeDoi(paper.doi);
  if (doi) return `doi:${doi}`;
  const arxiv = normalizeArxivId(paper.arxiv_id);
  if (arxiv) return `arxiv:${arxiv.toLowerCase()}`;
  return `title:${normalizeTitle(paper.title)}|${paper.year}`;
}
