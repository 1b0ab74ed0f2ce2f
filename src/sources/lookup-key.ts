import { createHash } from "node:crypto";
import { foldNamePart } from "./author-names.js";
import { normalizeArxivId, normalizeDoi } from "./identifiers.js";
import { normalizeTitle } from "./title-matcher.js";

/** What a lookup reads of a paper. */
export interface LookupFields {
  doi?: string | null | undefined;
  arxiv_id?: string | null | undefined;
  title: string;
  year: number;
  authors?: readonly { name: string }[];
}

/**
 * The key under which a source's answer for a paper is kept in the response cache: what the lookup
 * asks the API for. A DOI when the paper has one, else its arXiv id, else its cleaned, normalised
 * title with the year (the title searches filter by year) and the authors (the matcher weighs them:
 * two papers of one title and year by other people may get other answers). Spellings that name the same thing give
 * the same key (`https://doi.org/10.1/X` and `10.1/x`; `arXiv:2106.01234v2` and `2106.01234`;
 * `{BERT}: Pre-training…` and `BERT: pre-training…`). Computed from the paper's input view, as
 * lookups are, so a key does not change when a source fills in a DOI.
 */
export function lookupKey(paper: LookupFields): string {
  const doi = normalizeDoi(paper.doi);
  if (doi) return `doi:${doi}`;
  const arxiv = normalizeArxivId(paper.arxiv_id);
  if (arxiv) return `arxiv:${arxiv.toLowerCase()}`;
  const title = `title:${normalizeTitle(paper.title)}|${paper.year}`;
  const authors = authorsPrint(paper.authors ?? []);
  return authors === undefined ? title : `${title}|${authors}`;
}

/**
 * The authors in a form that ignores their order, case, accents and "Last, First" spelling: the
 * sorted folded name tokens, hashed to 12 hex digits. Undefined for a paper without authors.
 */
function authorsPrint(authors: readonly { name: string }[]): string | undefined {
  const tokens = new Set<string>();
  for (const { name } of authors) {
    for (const token of name.split(/[\s,.]+/u)) {
      const folded = foldNamePart(token);
      if (folded.length > 1) tokens.add(folded);
    }
  }
  if (tokens.size === 0) return undefined;
  return createHash("sha256")
    .update([...tokens].sort().join(" "))
    .digest("hex")
    .slice(0, 12);
}
