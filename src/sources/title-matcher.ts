import { sharesAuthor } from "./author-names.js";
import { partialRatio, ratio, tokenSetRatio, tokenSortRatio } from "./fuzz.js";
import { cleanTitle } from "./title-clean.js";

/**
 * Decides whether an API search hit is the same paper as ours (reference-behaviour §3.4), with the
 * fixes for bugs B7 and B8 of §7. Only `exact` and `high_confidence` should be accepted by callers,
 * which must also look at every candidate, not just the first: this module only compares two titles.
 */

/** Minimum score for `high_confidence`. */
export const HIGH_CONFIDENCE_THRESHOLD = 0.95;
/** Minimum score for `medium_confidence` (the Semantic Scholar value of the reference). */
export const MEDIUM_CONFIDENCE_THRESHOLD = 0.87;
/** Scores strictly above this are `low_confidence`. */
export const LOW_CONFIDENCE_THRESHOLD = 0.7;

/** Match categories, strongest first. */
export type MatchType = "exact" | "high_confidence" | "medium_confidence" | "low_confidence" | "no_match";

/** One side of a comparison: a title plus the optional year and author names used as safety checks. */
export interface TitleCandidate {
  title: string | null | undefined;
  year?: number | null | undefined;
  authors?: readonly string[] | null | undefined;
}

/** Result of `compareTitles`: a score in 0..1 and its category. */
export interface TitleMatch {
  score: number;
  type: MatchType;
}

const RANK: Record<MatchType, number> = {
  no_match: 0,
  low_confidence: 1,
  medium_confidence: 2,
  high_confidence: 3,
  exact: 4,
};

// Below an exact title a year apart (0.98), so that the same title wins over a containing one.
const CONTAINMENT_SCORE = 0.97;
// B7: an identical title one year apart (typically arXiv vs proceedings) is still accepted, but it is
// not called `exact` and it ranks below a same-year candidate with the same title.
const ONE_YEAR_EXACT_SCORE = 0.98;
// Titles that differ by a negation or a number are different papers however similar the strings are
// ("Attention Is (Not) All You Need", "GPT-3/GPT-4 Technical Report"), so they are capped below high.
const NEAR_MISS_CAP = 0.94;
const NEGATIONS = new Set(["not", "no", "without", "non", "never", "cannot"]);
// Two author lists that share nobody: the score is multiplied by this (the reference's 0.3 + 0.7·0).
const NO_SHARED_AUTHOR_FACTOR = 0.3;
// B7: containment needs a real title (>= 3 words) covering most (>= 60%) of the longer one.
const MIN_CONTAINED_TOKENS = 3;
const MIN_CONTAINED_SHARE = 0.6;

const VENUE_MARKERS = [
  /\s*\(extended abstract\)/giu,
  /\s*\(short paper\)/giu,
  /\s*\(long paper\)/giu,
  /\s*\(poster\)/giu,
  /\s*\(demo\)/giu,
  /\s*\(vision paper\)/giu,
  /\s*\(position paper\)/giu,
  /\s*\(supplementary material\)/giu,
  /\s*\(appendix\)/giu,
  /\s*:\s*supplementary.*/giu,
  /\s*-\s*supplementary.*/giu,
];
// B7: non-greedy replacements for the reference's `\[.*\]$` and `\(.*arxiv.*\)`.
const TRAILING_BRACKET = /\s*\[[^[\]]*\]\s*$/u;
const ARXIV_NOTE = /\s*\([^()]*arxiv[^()]*\)/giu;

/**
 * Normalises a title like the reference: NFKC, lowercase, strip venue/version markers, turn every
 * run of non-word characters into one space. Accents are kept ("Café — naïve" → "café naïve").
 */
export function normalizeTitle(title: string | null | undefined): string {
  if (!title) return "";
  let t = cleanTitle(title).normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
  for (const marker of VENUE_MARKERS) t = t.replace(marker, "");
  t = t.replace(ARXIV_NOTE, "");
  // Repeated so "title [v2] [withdrawn]" loses both tags, while "a [b] c [d]" keeps "a [b] c".
  while (TRAILING_BRACKET.test(t)) t = t.replace(TRAILING_BRACKET, "");
  // Python's `\w` plus combining marks, so scripts with vowel signs are not cut into pieces; marks
  // with no letter before them (NFKC turns "´" into space + U+0301) are dropped.
  return t
    .replace(/[^\p{L}\p{M}\p{N}_]+/gu, " ")
    .replace(/(^| )\p{M}+/gu, "$1")
    .replace(/ {2,}/gu, " ")
    .trim();
}

/** Strips accents (NFD, then drop \p{M}); used only for comparing, never for display. */
function foldAccents(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "");
}

function comparisonTokens(title: string | null | undefined): string[] {
  const key = foldAccents(normalizeTitle(title));
  return key.split(" ").filter((tok) => tok !== "");
}

/** True when `shorter` occurs as consecutive whole words in `longer` and is long enough to count. */
function isTokenContained(shorter: readonly string[], longer: readonly string[]): boolean {
  if (shorter.length < MIN_CONTAINED_TOKENS || shorter.length < MIN_CONTAINED_SHARE * longer.length) {
    return false;
  }
  for (let start = 0; start + shorter.length <= longer.length; start++) {
    if (shorter.every((tok, i) => longer[start + i] === tok)) return true;
  }
  return false;
}

function isNearMiss(tokens1: readonly string[], tokens2: readonly string[]): boolean {
  const set1 = new Set(tokens1);
  const set2 = new Set(tokens2);
  const differing = [...tokens1.filter((t) => !set2.has(t)), ...tokens2.filter((t) => !set1.has(t))];
  return differing.some((t) => NEGATIONS.has(t) || /\p{N}/u.test(t));
}

const FUZZY_CHARS = 300;
// A title that is another one plus one of these is a different publication about it
// ("Erratum: X", "X: A Reproducibility Study", "Reply to: X").
const DERIVATIVE_WORDS = new Set(
  `erratum errata corrigendum correction corrections reply response comment comments commentary
  retraction retracted retracting addendum rejoinder discussion reproducibility replication reproduction
  revisited retrospective`.split(/\s+/u),
);
// Words whose change does not make another paper ("Learning to Rank with/on Graphs").
const STOP_WORDS = new Set(
  "a an and as at by for from in into of on or the to toward towards via vs versus with using".split(" "),
);

/**
 * One word in two spellings: singular and plural, British and American (`-ise`/`-ize`,
 * `-our`/`-or`, `-tre`/`-ter`, `-lled`/`-led`), or a one-letter typo in a long word. Derived forms
 * (`learned`/`learning`, `origin`/`original`) are other words.
 */
function isSpellingVariant(x: string, y: string): boolean {
  const fold = (w: string) => singular(american(w));
  if (fold(x) === fold(y)) return true;
  return Math.min(x.length, y.length) >= 7 && editDistanceAtMostOne(x, y);
}

function american(w: string): string {
  return w
    .replace(/isation/gu, "ization")
    .replace(/ise(d|s)?$/u, "ize$1")
    .replace(/is(ing)$/u, "iz$1")
    .replace(/our(s)?$/u, "or$1")
    .replace(/([^aeiou])tre(s)?$/u, "$1ter$2")
    .replace(/ll(ed|ing)$/u, "l$1");
}

function singular(w: string): string {
  if (w.length <= 3) return w;
  if (/ies$/u.test(w)) return `${w.slice(0, -3)}y`;
  if (/(ss|x|ch|sh|s)es$/u.test(w)) return w.slice(0, -2);
  // "bias", "process", "corpus", "analysis" end in s but are singular.
  if (/(ss|us|is|as)$/u.test(w)) return w;
  return w.replace(/s$/u, "");
}

function editDistanceAtMostOne(x: string, y: string): boolean {
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (x.length > y.length) i++;
    else if (y.length > x.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (x.length - i) + (y.length - j) <= 1;
}

/** True when a content word of one title has no counterpart (equal or a spelling variant) in the other. */
function hasUnmatchedContentWord(tokens1: readonly string[], tokens2: readonly string[]): boolean {
  const set1 = new Set(tokens1);
  const set2 = new Set(tokens2);
  const only1 = [...set1].filter((t) => !set2.has(t) && !STOP_WORDS.has(t));
  const only2 = [...set2].filter((t) => !set1.has(t) && !STOP_WORDS.has(t));
  const unmatched = (mine: string[], theirs: string[]) =>
    mine.some((w) => !theirs.some((o) => isSpellingVariant(w, o)));
  return unmatched(only1, only2) || unmatched(only2, only1);
}

/**
 * Containment counts only when the shorter title is a whole part of the longer one's structure: its
 * main title or its subtitle ("BERT: Pre-training of …"), not a run of words with one more word at an
 * edge ("Sparse Experts" / "Sparse Experts Revisited" are two papers).
 */
function isTitlePart(shorter: readonly string[], longerTitle: string | null | undefined): boolean {
  const parts = cleanTitle(longerTitle ?? "")
    .split(/\s*[:|?!()[\]–—]\s*|\s+-\s+|\.\s+/u)
    .map((part) => comparisonTokens(part))
    .filter((tokens) => tokens.length > 0);
  const key = shorter.join(" ");
  for (let k = 1; k < parts.length; k++) {
    if (parts.slice(0, k).flat().join(" ") === key || parts.slice(k).flat().join(" ") === key) return true;
  }
  return false;
}

function yearGap(y1: number | null | undefined, y2: number | null | undefined): number | undefined {
  if (typeof y1 !== "number" || typeof y2 !== "number") return undefined;
  if (!Number.isFinite(y1) || !Number.isFinite(y2)) return undefined;
  return Math.abs(y1 - y2);
}

/**
 * Authors count against a match only when the two lists share nobody (truncated lists, "et al.",
 * initials and odd spellings are normal); no usable names on one side is no evidence either way.
 */
function authorFactor(
  authors1: readonly string[] | null | undefined,
  authors2: readonly string[] | null | undefined,
): number {
  return sharesAuthor(authors1, authors2) === false ? NO_SHARED_AUTHOR_FACTOR : 1;
}

function classify(score: number, containment: boolean): MatchType {
  if (score >= 1) return "exact";
  if (score >= HIGH_CONFIDENCE_THRESHOLD) return "high_confidence";
  if (score >= MEDIUM_CONFIDENCE_THRESHOLD) return "medium_confidence";
  // Reference quirk kept: a contained title is never `no_match`.
  if (containment || score > LOW_CONFIDENCE_THRESHOLD) return "low_confidence";
  return "no_match";
}

/** Scores how likely two titles (with optional year and authors) name the same paper. Pure. */
export function compareTitles(a: TitleCandidate, b: TitleCandidate): TitleMatch {
  const tokens1 = comparisonTokens(a.title);
  const tokens2 = comparisonTokens(b.title);
  // B7: a title that normalises to nothing ("[Withdrawn]", "???") carries no evidence.
  if (tokens1.length === 0 || tokens2.length === 0) return { score: 0, type: "no_match" };

  const gap = yearGap(a.year, b.year);
  const farApart = gap !== undefined && gap > 1;
  const key1 = tokens1.join(" ");
  const key2 = tokens2.join(" ");
  // "Pre-training" / "pretraining": the same words written with or without a break.
  const sameWords = key1 === key2 || key1.replaceAll(" ", "") === key2.replaceAll(" ", "");
  const aIsShorter = tokens1.length <= tokens2.length;
  const [shorter, longer] = aIsShorter ? [tokens1, tokens2] : [tokens2, tokens1];
  const containment =
    !sameWords &&
    isTokenContained(shorter, longer) &&
    isTitlePart(shorter, (aIsShorter ? b : a).title) &&
    !longer.some((t) => DERIVATIVE_WORDS.has(t) && !shorter.includes(t));

  let score: number;
  if (sameWords) {
    score = farApart ? 0.5 : gap === 1 ? ONE_YEAR_EXACT_SCORE : 1;
  } else if (containment) {
    score = CONTAINMENT_SCORE * (farApart ? 0.5 : 1);
  } else {
    // The fuzzy ratios grow with the square of the length; no real title needs more than this.
    const [k1, k2] = [key1.slice(0, FUZZY_CHARS), key2.slice(0, FUZZY_CHARS)];
    const weighted =
      0.4 * tokenSortRatio(k1, k2) +
      0.3 * tokenSetRatio(k1, k2) +
      0.2 * partialRatio(k1, k2) +
      0.1 * ratio(k1, k2);
    score = (weighted / 100) * (farApart ? 0.5 : gap === 1 ? 0.95 : 1);
    // A content word that one title has and the other lacks makes another paper, however similar the
    // strings ("… for Image Classification" / "… for Image Segmentation", "Robust X" / "X").
    if (hasUnmatchedContentWord(tokens1, tokens2)) score = Math.min(score, NEAR_MISS_CAP);
  }
  score *= authorFactor(a.authors, b.authors);
  // "Non-local" / "Nonlocal", "GPT-3" / "GPT3": the same words are never a near miss.
  if (!sameWords && isNearMiss(tokens1, tokens2)) score = Math.min(score, NEAR_MISS_CAP);
  return { score, type: classify(score, containment) };
}

/** True when `compareTitles` reaches at least `minConfidence`; plain strings are titles alone. */
export function isSameTitle(
  a: TitleCandidate | string,
  b: TitleCandidate | string,
  minConfidence: MatchType = "high_confidence",
): boolean {
  const toCandidate = (c: TitleCandidate | string): TitleCandidate =>
    typeof c === "string" ? { title: c } : c;
  return RANK[compareTitles(toCandidate(a), toCandidate(b)).type] >= RANK[minConfidence];
}
