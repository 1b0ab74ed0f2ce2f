import type { Corpus, SimWork } from "./corpus.js";

/** Token-overlap title search over a corpus, standing in for OpenAlex `title.search` and S2 title match. */

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

/** One search hit; `score` is the Jaccard overlap of content words, 0..1. */
export interface SearchHit {
  work: SimWork;
  score: number;
}

/** Options of {@link searchTitles}. */
export interface SearchOptions {
  yearFrom?: number;
  yearTo?: number;
  /** Hits must share at least this part of the query's words (default 0.5). */
  minShare?: number;
}

const indexes = new WeakMap<Corpus, Map<string, number[]>>();

function indexOf(corpus: Corpus): Map<string, number[]> {
  let index = indexes.get(corpus);
  if (!index) {
    index = new Map();
    for (const work of corpus.works) {
      for (const token of new Set(contentTokens(work.title))) {
        const list = index.get(token) ?? [];
        list.push(work.index);
        index.set(token, list);
      }
    }
    indexes.set(corpus, index);
  }
  return index;
}

/** Works whose titles share words with `query`, best first (ties by corpus order). */
export function searchTitles(corpus: Corpus, query: string, options: SearchOptions = {}): SearchHit[] {
  const wanted = [...new Set(contentTokens(query))];
  if (wanted.length === 0) return [];
  const index = indexOf(corpus);
  const shared = new Map<number, number>();
  for (const token of wanted) {
    for (const i of index.get(token) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
  }
  const minShare = options.minShare ?? 0.5;
  const hits: SearchHit[] = [];
  for (const [i, common] of shared) {
    const work = corpus.works[i];
    if (!work || common < minShare * wanted.length) continue;
    if (options.yearFrom !== undefined && work.year < options.yearFrom) continue;
    if (options.yearTo !== undefined && work.year > options.yearTo) continue;
    const own = new Set(contentTokens(work.title)).size;
    hits.push({ work, score: common / (wanted.length + own - common) });
  }
  return hits.sort((a, b) => b.score - a.score || a.work.index - b.work.index);
}
