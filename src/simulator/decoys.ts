import type { SimWork } from "./corpus.js";
import { hashOf, intIn, mulberry32, pick, type Random, shuffle } from "./prng.js";
import { contentTokens, searchTerms, titleKey } from "./search.js";
import * as W from "./words.js";

/**
 * Near-miss decoys: real works whose titles differ from a true work's by one word, a "Not", a subtitle
 * naming another publication about it (": A Survey", " (Erratum)"), a word repeated, two words
 * swapped, a question form ("Is …?"), or only by the year. They are cited more and rank above their true work, so a matcher that trusts the top hit
 * picks them; the same title edits make the near-miss absent papers of the input generator.
 */

export type DecoyKind =
  | "insert"
  | "negation"
  | "substitute"
  | "far-year"
  | "subtitle"
  | "repeat"
  | "swap"
  | "question";
export const DECOY_KINDS: readonly DecoyKind[] = [
  "insert",
  "negation",
  "substitute",
  "far-year",
  "subtitle",
  "repeat",
  "swap",
  "question",
];
/**
 * Kinds whose title has the same content words as the true one (in another order, one repeated, or
 * a question word the search ignores): the same title key, told apart only by word order and count.
 */
export const SAME_WORDS_KINDS: readonly DecoyKind[] = ["far-year", "repeat", "swap", "question"];

const FIRST_YEAR = 2015;
const LAST_YEAR = 2025;
/** How far a far-year decoy is from its true work. */
export const FAR_YEARS = 3;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const regexes = new Map<string, RegExp>();
/** `entry` as whole words (not inside "GraphFormer" or "Self-Supervised"). */
function wordRegex(entry: string): RegExp {
  let re = regexes.get(entry);
  if (!re) {
    re = new RegExp(`(?<![\\p{L}\\p{N}-])${escapeRegex(entry)}(?![\\p{L}\\p{N}-])`, "u");
    regexes.set(entry, re);
  }
  return re;
}

const overlaps = (title: string, words: string) => {
  const own = new Set(contentTokens(title));
  return contentTokens(words).some((t) => own.has(t));
};

/** The title with one adjective it lacks inserted before a content word after the first. */
export function insertWord(random: Random, title: string): string | undefined {
  const words = title.split(" ");
  const spots = words.flatMap((w, i) =>
    i > 0 && /^\p{Lu}/u.test(w) && contentTokens(w).length > 0 ? [i] : [],
  );
  const adjectives = W.ADJECTIVES.filter((a) => !overlaps(title, a));
  if (spots.length === 0 || adjectives.length === 0) return undefined;
  words.splice(pick(random, spots), 0, pick(random, adjectives));
  return words.join(" ");
}

/** The title negated: "Improves" → "Does Not Improve", "Help" → "Not Help", else "Not" after the first word. */
export function negate(title: string): string | undefined {
  if (/\bNot\b/i.test(title)) return undefined;
  if (title.includes(" Improves ")) return title.replace(" Improves ", " Does Not Improve ");
  if (title.includes(" Help ")) return title.replace(" Help ", " Not Help ");
  if (title.includes(" Is ")) return title.replace(" Is ", " Is Not ");
  const words = title.split(" ");
  if (words.length < 2) return undefined;
  words.splice(1, 0, "Not");
  return words.join(" ");
}

/** Subtitles and notes that make a publication about the title, not the title itself. */
export const DERIVATIVE_SUBTITLES: readonly string[] = [
  ": A Survey",
  ": A Review",
  ": A Tutorial",
  ": An Overview",
  ": Part II",
  " (Erratum)",
  " [Retracted]",
  ": A Reproducibility Study",
  " Revisited",
  ": Really?",
];

/** The title with a subtitle or note naming another publication about it. */
export function derivativeTitle(random: Random, title: string): string {
  return `${title.replace(/[?.!]$/u, "")}${pick(random, DERIVATIVE_SUBTITLES)}`;
}

const contentSpots = (words: readonly string[]) =>
  words.flatMap((w, i) => (/^\p{L}[\p{L}-]*$/u.test(w) && contentTokens(w).length > 0 ? [i] : []));

/** The title with one content word written twice ("Graph Transformers for Graph Generation"). */
export function repeatWord(random: Random, title: string): string | undefined {
  const words = title.split(" ");
  const spots = contentSpots(words).filter((i) => i + 1 < words.length);
  if (spots.length === 0) return undefined;
  const i = pick(random, spots);
  words.splice(i + 1, 0, words[i]!);
  return words.join(" ");
}

/** The title with two adjacent content words swapped. */
export function swapWords(random: Random, title: string): string | undefined {
  const words = title.split(" ");
  const spots = contentSpots(words).filter(
    (i) => contentSpots(words).includes(i + 1) && words[i]!.toLowerCase() !== words[i + 1]!.toLowerCase(),
  );
  if (spots.length === 0) return undefined;
  const i = pick(random, spots);
  [words[i], words[i + 1]] = [words[i + 1]!, words[i]!];
  return words.join(" ");
}

/** The title as a question: "X Is Y" → "Is X Y?", else "Is X?" / "Does X?" (the search ignores the word). */
export function questionForm(random: Random, title: string): string | undefined {
  if (title.endsWith("?")) return undefined;
  const verb = / (Is|Are|Does|Do|Can) /u.exec(title);
  if (verb) return `${verb[1]} ${title.replace(verb[0], " ")}?`;
  return `${pick(random, ["Is", "Does"])} ${title}?`;
}

const LISTS = [W.ADJECTIVES, W.VERBS, W.PROPERTIES, W.TASKS, W.MODELS, W.TECHNIQUES, W.SETTINGS];

/** The title with one word-list entry replaced by another of the same list (single words preferred). */
export function substituteWord(random: Random, title: string): string | undefined {
  const found = LISTS.flatMap((list) =>
    list.filter((e) => wordRegex(e).test(title)).map((entry) => ({ list, entry })),
  );
  const single = found.filter((f) => !f.entry.includes(" "));
  const choices = single.length > 0 ? single : found;
  if (choices.length === 0) return undefined;
  const { list, entry } = pick(random, choices);
  const others = list.filter(
    (e) => e !== entry && (entry.includes(" ") || !e.includes(" ")) && !overlaps(title, e),
  );
  if (others.length === 0) return undefined;
  const other = pick(random, others);
  return title.replace(wordRegex(entry), other);
}

/** A year exactly {@link FAR_YEARS} away from `year`, inside the corpus years when possible. */
export function farYear(random: Random, year: number): number {
  if (year - FAR_YEARS < FIRST_YEAR) return year + FAR_YEARS;
  if (year + FAR_YEARS > LAST_YEAR) return year - FAR_YEARS;
  return random() < 0.5 ? year - FAR_YEARS : year + FAR_YEARS;
}

/** The near-miss title of a kind (far-year keeps the title), or undefined when the edit does not apply. */
export function nearMissTitle(random: Random, kind: DecoyKind, title: string): string | undefined {
  if (kind === "insert") return insertWord(random, title);
  if (kind === "negation") return negate(title);
  if (kind === "substitute") return substituteWord(random, title);
  if (kind === "subtitle") return derivativeTitle(random, title);
  if (kind === "repeat") return repeatWord(random, title);
  if (kind === "swap") return swapWords(random, title);
  if (kind === "question") return questionForm(random, title);
  return title;
}

/**
 * A rank boost that puts a decoy above its true work for any query that hits both: for a decoy that
 * adds `a` and removes `r` of the true title's `n` terms, the true work's Jaccard score exceeds the
 * decoy's by less than (a + r) / (n + a). Checked for plain and stemmed terms (the two searches).
 */
export function decoyBoost(trueTitle: string, decoyTitle: string): number {
  let boost = 0;
  for (const terms of [(t: string) => new Set(contentTokens(t)), (t: string) => new Set(searchTerms(t))]) {
    const [own, decoy] = [terms(trueTitle), terms(decoyTitle)];
    const added = [...decoy].filter((t) => !own.has(t)).length;
    const removed = [...own].filter((t) => !decoy.has(t)).length;
    boost = Math.max(boost, (added + removed) / (own.size + added));
  }
  return boost + 0.01;
}

/** Options of {@link makeDecoys}. */
export interface DecoyOptions {
  seed: number;
  /** Share of `originals` that get a decoy (0..1). */
  share: number;
  /** Title keys of the corpus; decoy keys are added (far-year decoys share their true work's key). */
  seenTitles: Set<string>;
  /** arXiv ids of the corpus; a decoy whose generated id is taken gets none. */
  arxivIds: ReadonlySet<string>;
  /** Index of the first decoy (decoys come after every other work). */
  firstIndex: number;
  /** A new work with this title and year (ids, authors, venue, abstract, counts drawn from `random`). */
  build: (random: Random, index: number, title: string, year: number) => SimWork;
}

/** One decoy for `share` of `originals`, in corpus order; their own random stream leaves the rest alone. */
export function makeDecoys(originals: readonly SimWork[], o: DecoyOptions): SimWork[] {
  const random = mulberry32(hashOf("decoys", o.seed));
  const count = Math.round(originals.length * Math.min(1, Math.max(0, o.share)));
  const chosen = shuffle(random, originals)
    .slice(0, count)
    .sort((a, b) => a.index - b.index);
  const out: SimWork[] = [];
  for (const original of chosen) {
    const first = DECOY_KINDS.indexOf(pick(random, DECOY_KINDS));
    const kinds = [...DECOY_KINDS.slice(first), ...DECOY_KINDS.slice(0, first)];
    for (const kind of kinds) {
      const title = nearMissTitle(random, kind, original.title);
      if (title === undefined) continue;
      const key = titleKey(title);
      // A same-words decoy shares its true work's key (and only that one).
      if (SAME_WORDS_KINDS.includes(kind) ? key !== titleKey(original.title) : o.seenTitles.has(key))
        continue;
      o.seenTitles.add(key);
      const year =
        kind === "far-year"
          ? farYear(random, original.year)
          : Math.min(LAST_YEAR, Math.max(FIRST_YEAR, original.year + pick(random, [-1, 0, 0, 1])));
      out.push(decoyOf(random, original, kind, o.build(random, o.firstIndex + out.length, title, year), o));
      break;
    }
  }
  return out;
}

/** Mark `work` as a decoy of `original`: more citations, sometimes one shared author, a unique arXiv id. */
function decoyOf(
  random: Random,
  original: SimWork,
  kind: DecoyKind,
  built: SimWork,
  o: DecoyOptions,
): SimWork {
  let work = built;
  if (work.arxivId && o.arxivIds.has(work.arxivId)) {
    const { arxivId: _taken, pdfUrl, ...rest } = work;
    work = {
      ...rest,
      doi: work.doi ?? `10.5555/sim.${work.index + 1}`,
      ...(pdfUrl ? { pdfUrl: `https://proceedings.sim.example.org/sim-${work.index + 1}.pdf` } : {}),
    };
  }
  const authors = [...work.authors];
  const shared = pick(random, original.authors);
  if (random() < 0.3 && !authors.some((a) => a.name === shared.name)) {
    authors[intIn(random, 0, authors.length - 1)] = shared;
  }
  const more = (n: number) => Math.ceil(n * (1.5 + random())) + intIn(random, 3, 40);
  return {
    ...work,
    authors,
    citedByCount: more(original.citedByCount),
    citationCount: more(original.citationCount),
    decoyOf: original.index,
    decoyKind: kind,
    rankBoost: decoyBoost(original.title, work.title),
  };
}
