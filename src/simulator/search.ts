import type { Corpus, SimWork } from "./corpus.js";

/**
 * Title and full-text search over a corpus: a loose token-overlap search standing in for the S2 title
 * match, and an AND search standing in for OpenAlex `title.search` and `search=`.
 */

const STOP_WORDS = new Set(
  "a an and are as at by for from in into is of on or the to towards via vs with without when does".split(
    " ",
  ),
);

/** Content words of a text: accent- and case-folded, split on anything but letters and digits, no stop words. */
export function contentTokens(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== "" && !STOP_WORDS.has(t));
}

/** Order-free identity of a title: its sorted distinct content words (corpus titles are unique by it). */
export function titleKey(title: string): string {
  return [...new Set(contentTokens(title))].sort().join(" ");
}

/** A trailing plural "s" dropped ("networks" → "network"), but not from "-ss", "-us", "-is" or short words. */
export function stem(token: string): string {
  return token.length > 3 && token.endsWith("s") && !/(?:ss|us|is)$/.test(token) ? token.slice(0, -1) : token;
}

/** Distinct stemmed content words: the terms of the AND search. */
export function searchTerms(text: string): string[] {
  return [...new Set(contentTokens(text).map(stem))];
}

/** One search hit: `score` is the Jaccard overlap of content words (0..1), `rank` adds the decoy boost. */
export interface SearchHit {
  work: SimWork;
  score: number;
  rank: number;
}

/** Options of {@link searchTitles}. */
export interface SearchOptions {
  yearFrom?: number;
  yearTo?: number;
  /** Hits must share at least this part of the query's words (default 0.5). */
  minShare?: number;
}

/** Best first: rank (score plus decoy boost), then corpus order. */
const byRank = (a: SearchHit, b: SearchHit) => b.rank - a.rank || a.work.index - b.work.index;
const hit = (work: SimWork, score: number): SearchHit => ({
  work,
  score,
  rank: score + (work.rankBoost ?? 0),
});
const inYears = (work: SimWork, o: { yearFrom?: number; yearTo?: number }) =>
  (o.yearFrom === undefined || work.year >= o.yearFrom) && (o.yearTo === undefined || work.year <= o.yearTo);

/** token → ascending work indexes; built on first use per corpus and kind. */
type Postings = Map<string, number[]>;
const indexes = {
  loose: new WeakMap<Corpus, Postings>(),
  title: new WeakMap<Corpus, Postings>(),
  full: new WeakMap<Corpus, Postings>(),
};

function postings(corpus: Corpus, kind: keyof typeof indexes, terms: (w: SimWork) => Iterable<string>) {
  let index = indexes[kind].get(corpus);
  if (!index) {
    index = new Map();
    for (const work of corpus.works) {
      for (const token of terms(work)) {
        const list = index.get(token);
        if (list) list.push(work.index);
        else index.set(token, [work.index]);
      }
    }
    indexes[kind].set(corpus, index);
  }
  return index;
}

/** Works whose titles share at least `minShare` of the query's words, best first (the S2 title match). */
export function searchTitles(corpus: Corpus, query: string, options: SearchOptions = {}): SearchHit[] {
  const wanted = [...new Set(contentTokens(query))];
  if (wanted.length === 0) return [];
  const index = postings(corpus, "loose", (w) => new Set(contentTokens(w.title)));
  const shared = new Map<number, number>();
  for (const token of wanted) {
    for (const i of index.get(token) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
  }
  const minShare = options.minShare ?? 0.5;
  const hits: SearchHit[] = [];
  for (const [i, common] of shared) {
    const work = corpus.works[i];
    if (!work || common < minShare * wanted.length || !inYears(work, options)) continue;
    const own = new Set(contentTokens(work.title)).size;
    hits.push(hit(work, common / (wanted.length + own - common)));
  }
  return hits.sort(byRank);
}

/** Options of {@link searchAll}. */
export interface AndSearchOptions {
  yearFrom?: number;
  yearTo?: number;
  /** Also look in abstracts (OpenAlex `search=`); the full-text index is built on first use. */
  abstracts?: boolean;
}

/**
 * Works that hold every term of the query (stemmed content words) in their title, or with `abstracts`
 * in title plus abstract; no hit at all when one term is missing, like OpenAlex. Ranked by the Jaccard
 * overlap of query and title terms plus the decoy boost, ties in corpus order.
 */
export function searchAll(corpus: Corpus, query: string, options: AndSearchOptions = {}): SearchHit[] {
  const wanted = searchTerms(query);
  if (wanted.length === 0) return [];
  const index = options.abstracts
    ? postings(corpus, "full", (w) => new Set([...searchTerms(w.title), ...searchTerms(w.abstract ?? "")]))
    : postings(corpus, "title", (w) => searchTerms(w.title));
  const lists = wanted.map((t) => index.get(t) ?? []).sort((a, b) => a.length - b.length);
  let found = lists[0] ?? [];
  for (const list of lists.slice(1)) found = intersect(found, list);
  const hits: SearchHit[] = [];
  for (const i of found) {
    const work = corpus.works[i];
    if (!work || !inYears(work, options)) continue;
    const own = searchTerms(work.title);
    const common = own.filter((t) => wanted.includes(t)).length;
    hits.push(hit(work, common / (wanted.length + own.length - common)));
  }
  return hits.sort(byRank);
}

/** The common elements of two ascending lists; binary search in the longer one. */
function intersect(short: readonly number[], long: readonly number[]): number[] {
  const out: number[] = [];
  let from = 0;
  for (const value of short) {
    let [lo, hi] = [from, long.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (long[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    if (long[lo] === value) out.push(value);
    from = lo;
  }
  return out;
}
