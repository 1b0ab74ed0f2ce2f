import type { Paper } from "../model/paper.js";

/** Identifier helpers shared by both clients. */

/** A DOI in canonical form: lowercase, without `https://doi.org/` or `doi:`; undefined when empty. */
export function normalizeDoi(doi: string | null | undefined): string | undefined {
  if (!doi) return undefined;
  let bare = doi
    .trim()
    .replace(/^(https?:\/\/)?(www\.|dx\.)?doi\.org\//i, "")
    .replace(/^doi:\s*/i, "");
  if (/%[0-9a-f]{2}/i.test(bare)) {
    try {
      bare = decodeURIComponent(bare);
    } catch {
      // not valid percent-encoding: keep it as written
    }
  }
  bare = bare.toLowerCase();
  return bare.startsWith("10.") ? bare : undefined;
}

/** An arXiv id without the `arXiv:` prefix, URL, or version suffix (`2106.01234v2` → `2106.01234`). */
export function normalizeArxivId(id: string | null | undefined): string | undefined {
  if (!id) return undefined;
  const bare = id
    .trim()
    .replace(/^(https?:\/\/)?(www\.|export\.)?arxiv\.org\/(abs|pdf)\//i, "")
    .replace(/^arxiv:\s*/i, "")
    .replace(/\.pdf$/i, "")
    .replace(/v\d+$/i, "");
  return /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/i.test(bare) ? bare : undefined;
}

/** The DataCite DOI arXiv assigns: `10.48550/arxiv.<id>` (lowercase canonical form). */
export function arxivDoi(arxivId: string): string {
  return `10.48550/arxiv.${arxivId.toLowerCase()}`;
}

/** The paper's DOI, or the arXiv DOI when it only has an arXiv id. */
export function lookupDoi(paper: Paper): string | undefined {
  const doi = normalizeDoi(paper.doi);
  if (doi) return doi;
  const arxiv = normalizeArxivId(paper.arxiv_id);
  return arxiv ? arxivDoi(arxiv) : undefined;
}
