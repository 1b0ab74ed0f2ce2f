import { partialRatio, ratio, tokenSetRatio, tokenSortRatio } from "./fuzz.js";

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

const CONTAINMENT_SCORE = 0.98;
// B7: an identical title one year apart (typically arXiv vs proceedings) is still accepted, but it is
// not called `exact` and it ranks below a same-year candidate with the same title.
const ONE_YEAR_EXACT_SCORE = 0.98;
// Titles that differ by a negation or a number are different papers however similar the strings are
// ("Attention Is (Not) All You Need", "GPT-3/GPT-4 Technical Report"), so they are capped below high.
const NEAR_MISS_CAP = 0.94;
const NEGATIONS = new Set(["not", "no", "without", "non", "never", "cannot"]);
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
  let t = title.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
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

function yearGap(y1: number | null | undefined, y2: number | null | undefined): number | undefined {
  if (typeof y1 !== "number" || typeof y2 !== "number") return undefined;
  if (!Number.isFinite(y1) || !Number.isFinite(y2)) return undefined;
  return Math.abs(y1 - y2);
}

interface AuthorName {
  initial: string;
  last: string;
}

const GENERATIONAL = /^(jr|sr)\.?$/u;
const ROMAN = /^(ii|iii|iv|v)\.?$/u;

/** A trailing suffix is dropped; a roman numeral only after two name parts ("Mnih, V." keeps its V). */
function isSuffix(part: string, partsBefore: number): boolean {
  return partsBefore >= 1 && (GENERATIONAL.test(part) || (partsBefore >= 2 && ROMAN.test(part)));
}

function dropTrailingSuffix(parts: string[]): string[] {
  const out = [...parts];
  while (out.length > 0 && isSuffix(out[out.length - 1]!, out.length - 1)) out.pop();
  return out;
}

/** Parses "Last, First" or "First Last" into (first initial, last name), case- and accent-folded. */
function parseAuthor(raw: string): AuthorName | undefined {
  const name = foldAccents(raw.normalize("NFKC").toLowerCase()).replace(/\./gu, ". ");
  const words = (s: string) => s.split(/\s+/u).filter((w) => w !== "");
  const commaParts = dropTrailingSuffix(name.split(",").flatMap((p) => (p.trim() === "" ? [] : [p.trim()])));
  let family: string[];
  let given: string[];
  if (commaParts.length >= 2) {
    family = words(commaParts[0]!);
    given = words(commaParts[1]!);
  } else {
    const all = dropTrailingSuffix(words(commaParts[0] ?? ""));
    family = all.slice(-1);
    given = all.slice(0, -1);
  }
  // Compared on the family name's final word, so "van der Berg, Jan" and "Jan van der Berg" agree
  // (and "Smith-Jones" matches "Smith Jones").
  const lastWord = family.at(-1)?.split("-").at(-1) ?? "";
  const last = lastWord.replace(/[^\p{L}\p{N}]/gu, "");
  if (last === "") return undefined;
  const initial = (given[0] ?? "").match(/[\p{L}\p{N}]/u)?.[0] ?? "";
  return { initial, last };
}

function sameAuthor(a: AuthorName, b: AuthorName): boolean {
  return a.last === b.last && (a.initial === b.initial || a.initial === "" || b.initial === "");
}

/**
 * B8 fix: overlap = matches / min(n1, n2), symmetric in its arguments (the reference divided by
 * min(n1, n2 + matches)). Greedy one-to-one matching over the shorter list.
 */
function authorFactor(
  authors1: readonly string[] | null | undefined,
  authors2: readonly string[] | null | undefined,
): number {
  const parse = (list: readonly string[] | null | undefined) =>
    (list ?? []).flatMap((n) => (typeof n === "string" ? (parseAuthor(n) ?? []) : []));
  const names1 = parse(authors1);
  const names2 = parse(authors2);
  // No usable names on one side means no evidence either way.
  if (names1.length === 0 || names2.length === 0) return 1;
  const [shorter, longer] = names1.length <= names2.length ? [names1, names2] : [names2, names1];
  const used = new Set<number>();
  let matches = 0;
  for (const name of shorter) {
    const j = longer.findIndex((other, idx) => !used.has(idx) && sameAuthor(name, other));
    if (j >= 0) {
      used.add(j);
      matches++;
    }
  }
  return 0.3 + 0.7 * (matches / shorter.length);
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
  const [shorter, longer] = tokens1.length <= tokens2.length ? [tokens1, tokens2] : [tokens2, tokens1];
  const containment = key1 !== key2 && isTokenContained(shorter, longer);

  let score: number;
  if (key1 === key2) {
    score = farApart ? 0.5 : gap === 1 ? ONE_YEAR_EXACT_SCORE : 1;
  } else if (containment) {
    score = CONTAINMENT_SCORE * (farApart ? 0.5 : 1);
  } else {
    const weighted =
      0.4 * tokenSortRatio(key1, key2) +
      0.3 * tokenSetRatio(key1, key2) +
      0.2 * partialRatio(key1, key2) +
      0.1 * ratio(key1, key2);
    score = (weighted / 100) * (farApart ? 0.5 : gap === 1 ? 0.95 : 1);
  }
  score *= authorFactor(a.authors, b.authors);
  if (isNearMiss(tokens1, tokens2)) score = Math.min(score, NEAR_MISS_CAP);
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
