import type { Corpus, SimWork } from "./corpus.js";
import { type DecoyKind, farYear, nearMissTitle } from "./decoys.js";
import { pick, type Random } from "./prng.js";
import { titleKey } from "./search.js";

/**
 * Absent papers that look like corpus works: one word substituted, "Not" inserted, a subtitle naming
 * another publication about the work (": A Survey", " (Erratum)"), or the exact title at least two
 * years away. No corpus work has the same title key within a year, so a correct matcher
 * reports them not found.
 */

const KINDS: readonly DecoyKind[] = ["substitute", "negation", "far-year", "subtitle"];

/** A title, year and the work it imitates. */
export interface NearMiss {
  title: string;
  year: number;
  base: SimWork;
}

/** Years of the corpus works per title key. */
export function yearsByKey(corpus: Corpus): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const w of corpus.works) {
    const key = titleKey(w.title);
    const years = out.get(key);
    if (years) years.push(w.year);
    else out.set(key, [w.year]);
  }
  return out;
}

/** A near miss of one of `bases`, or undefined when 50 tries found none that is safe. */
export function nearMiss(
  random: Random,
  bases: readonly SimWork[],
  years: ReadonlyMap<string, readonly number[]>,
): NearMiss | undefined {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = pick(random, bases);
    const kind = pick(random, KINDS);
    const title = nearMissTitle(random, kind, base.title);
    if (title === undefined) continue;
    const year = kind === "far-year" ? farYear(random, base.year) : base.year;
    const taken = years.get(titleKey(title)) ?? [];
    if (taken.every((y) => Math.abs(y - year) > 1)) return { title, year, base };
  }
  return undefined;
}
