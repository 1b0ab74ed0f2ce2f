import type { SimWork } from "./corpus.js";
import { unitOf } from "./prng.js";

/**
 * Semantic Scholar id gaps. Real S2 records often lack the ids OpenAlex knows: conference papers have
 * no DOI, some list a DOI OpenAlex does not know, and data errors list another paper's DOI. In real
 * collections S2 has no usable id for about a third of title-only papers, so an OpenAlex search stays
 * necessary for them. OpenAlex is unaffected: it keeps the work's true ids.
 */

/** What S2 lists instead of a work's true DOI and arXiv id. */
export type S2Ids =
  | { kind: "none" }
  | { kind: "unknown-doi"; doi: string }
  | { kind: "wrong-doi"; doi: string };

export type S2IdGapKind = S2Ids["kind"];
export const S2_ID_GAP_KINDS: readonly S2IdGapKind[] = ["none", "unknown-doi", "wrong-doi"];

/** The ids S2 lists for a work, spelled as S2 prints them (`10.48550/arXiv.…`). */
export interface S2ListedIds {
  doi?: string;
  arxivId?: string;
}

/** S2 lookups by the ids it lists; only built when some work has a gap. */
export interface S2Indexes {
  s2ByDoi: ReadonlyMap<string, SimWork>;
  s2ByArxiv: ReadonlyMap<string, SimWork>;
}

/**
 * Give a share `share` of `works` an id gap, drawn from hashes of their own (not the corpus's random
 * stream, so the works are the same with or without gaps): about 60 % none, 25 % unknown DOI,
 * 15 % another work's DOI.
 */
export function addS2IdGaps(works: SimWork[], seed: number, share: number): void {
  for (const [position, work] of works.entries()) {
    if (unitOf("s2-id-gap", seed, work.index) >= share) continue;
    work.s2Ids = gapOf(works, position, unitOf("s2-id-gap-kind", seed, work.index));
  }
}

/** The gap of the work at `position` for a draw in [0, 1). */
function gapOf(works: readonly SimWork[], position: number, draw: number): S2Ids {
  if (draw < 0.6) return { kind: "none" };
  if (draw < 0.85) return { kind: "unknown-doi", doi: `10.5555/s2only.${works[position]!.index + 1}` };
  const other = nextDoi(works, position);
  return other ? { kind: "wrong-doi", doi: other } : { kind: "none" };
}

/** The journal DOI of the next work after `position` that has one (wrapping around). */
function nextDoi(works: readonly SimWork[], position: number): string | undefined {
  for (let step = 1; step < works.length; step++) {
    const doi = works[(position + step) % works.length]!.doi;
    if (doi) return doi;
  }
  return undefined;
}

/** The DOI and arXiv id S2 lists for a work: its true ones unless it has a gap. */
export function s2ListedIds(work: SimWork): S2ListedIds {
  const gap = work.s2Ids;
  if (gap) return gap.kind === "none" ? {} : { doi: gap.doi };
  const { doi, arxivId } = work;
  if (!arxivId) return doi ? { doi } : {};
  return { doi: doi ?? s2ArxivDoi(arxivId), arxivId };
}

/**
 * S2's DOI and arXiv indexes: a work is found only by the ids S2 lists for it. A wrong DOI is not an
 * entry, so the work that owns it is still found by it.
 */
export function s2Indexes(works: readonly SimWork[]): S2Indexes {
  const s2ByDoi = new Map<string, SimWork>();
  const s2ByArxiv = new Map<string, SimWork>();
  for (const work of works) {
    if (work.s2Ids?.kind === "wrong-doi") continue;
    const { doi, arxivId } = s2ListedIds(work);
    if (doi) s2ByDoi.set(doi.toLowerCase(), work);
    if (arxivId) s2ByArxiv.set(arxivId, work);
  }
  return { s2ByDoi, s2ByArxiv };
}

/** S2's spelling of an arXiv DataCite DOI: `10.48550/arXiv.…` where OpenAlex writes `arxiv`. */
export const s2ArxivDoi = (arxivId: string): string => `10.48550/arXiv.${arxivId.toLowerCase()}`;
