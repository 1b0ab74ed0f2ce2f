import { type Corpus, type SimWork, syntheticWork } from "./corpus.js";

/**
 * A corpus of any size for the scale benchmark (issue 16): every DOI `<prefix><n>` is a work, made
 * when it is asked for (nothing is held), so a million-paper run needs no million-work corpus. Only
 * lookups by DOI find anything: searches, arXiv and S2 ids find nothing.
 */
export function syntheticCorpus(options: { seed?: number; prefix?: string } = {}): Corpus {
  const seed = options.seed ?? 16;
  const prefix = (options.prefix ?? "10.5555/bench.").toLowerCase();
  const empty = new Map<never, SimWork>();
  return {
    seed,
    works: [],
    byDoi: lazyMap((doi: string) => {
      if (!doi.startsWith(prefix)) return undefined;
      const rest = doi.slice(prefix.length);
      if (!/^\d{1,9}$/.test(rest)) return undefined;
      return syntheticWork(seed, Number(rest), doi);
    }),
    byMergedDoi: empty,
    byArxiv: empty,
    byPaperId: empty,
    byCorpusId: empty,
    byOpenAlexId: empty,
  };
}

/** A read-only map whose values are computed on `get` (the simulator's routes only `get` and `has`). */
function lazyMap<K, V>(make: (key: K) => V | undefined): ReadonlyMap<K, V> {
  const map = new Map<K, V>();
  return Object.assign(Object.create(map) as ReadonlyMap<K, V>, {
    get: (key: K) => make(key),
    has: (key: K) => make(key) !== undefined,
  });
}
