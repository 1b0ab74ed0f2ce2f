import { type Paper, parsePaper } from "../../../src/model/paper.js";
import { type EnrichmentSet, normalizeSourceLabel, RECORD_KINDS } from "../../../src/model/records.js";

/** An independent model of mergeEnrichments (README "Merging enrichments") and its helpers. */

export function newPaper(records: EnrichmentSet = {}): Paper {
  const result = parsePaper(
    { title: "T", venue: "V", year: 2020, authors: ["Ada Quill", "Bo"], ...records },
    0,
  );
  if (!result.ok) throw new Error(`bad fixture: ${JSON.stringify(result.issues)}`);
  return result.paper;
}

/** Deep value identity with key order ignored, written independently of the product's canonicalJson. */
export function sameness(value: unknown): unknown {
  if (Array.isArray(value)) return ["[", ...value.map(sameness)];
  if (value === null || typeof value !== "object") return value;
  return [
    "{",
    ...Object.keys(value)
      .sort()
      .map((k) => [k, sameness((value as Record<string, unknown>)[k])]),
  ];
}

export const identity = (r: { source: string; data: unknown }) =>
  `${normalizeSourceLabel(r.source)}\u0000${JSON.stringify(sameness(r.data))}`;

/**
 * Per list, the (source, data) identities a merge must end with, sorted: the paper's own records as
 * they are (duplicates in an input are not the merge's business), then each new identity once.
 */
export function model(initial: EnrichmentSet, sets: readonly EnrichmentSet[]) {
  const lists: Record<string, string[]> = {};
  for (const kind of RECORD_KINDS) {
    const own = (initial[kind] ?? []).map(identity);
    const seen = new Set(own);
    const added = sets
      .flatMap((set) => (set[kind] ?? []).map(identity))
      .filter((k) => !seen.has(k) && seen.add(k));
    lists[kind] = [...own, ...added].sort();
  }
  return lists;
}

export const held = (paper: Paper) =>
  Object.fromEntries(
    RECORD_KINDS.map((kind) => [
      kind,
      (paper[kind] as Array<{ source: string; data: unknown }>).map(identity).sort(),
    ]),
  );

/** Split `items` at the given cut points (any sizes, empty batches included). */
export function batches<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  return [...at, items.length].map((end, i) => items.slice(i === 0 ? 0 : at[i - 1], end));
}

export const flatten = (sets: readonly EnrichmentSet[]) =>
  sets.flatMap((set) =>
    RECORD_KINDS.flatMap((kind) => (set[kind] ?? []).map((record) => ({ kind, record }))),
  );
