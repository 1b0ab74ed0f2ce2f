import { authorEvidence } from "./author-names.js";
import { partialRatio, ratio, tokenSetRatio, tokenSortRatio } from "./fuzz.js";
import { cleanTitle, cleanTitleAndLabels, isTrackLabelWord } from "./title-clean.js";

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

// B7: a non-greedy replacement for the reference's `\(.*arxiv.*\)`. Track labels ("(Extended
// Abstract)", "[v2]") go in `cleanTitle`; any other bracket group stays, since a notice such as
// "[Retracted]", "[Erratum]" or "(Book Review)" names another publication.
const ARXIV_NOTE = /\s*\([^()]*arxiv[^()]*\)/giu;

const GREEK_NAMES = Object.fromEntries(
  [
    ..."alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma sigma tau upsilon phi chi psi omega".split(
      " ",
    ),
  ].map((name, i) => ["αβγδεζηθικλμνξοπρςστυφχψω"[i]!, name]),
);
// A Greek letter or two used as a symbol ("β-VAE", "μBench", "αβ-divergence"), not a Greek word.
const GREEK_SYMBOL = /(?<!\p{Script=Greek})\p{Script=Greek}{1,2}(?!\p{Script=Greek})/gu;

/**
 * Normalises a title like the reference: NFKC, lowercase, strip the arXiv note, turn every run of
 * non-word characters into one space. Accents are kept ("Café — naïve" → "café naïve"); a Greek letter
 * used as a symbol is spelt out ("β-VAE" → "beta vae"), so that both spellings compare equal.
 */
export function normalizeTitle(title: string | null | undefined): string {
  if (!title) return "";
  let t = cleanTitle(title).normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
  // A title that is only a bracketed note ("[Withdrawn]", "[No title]") names no paper.
  if (/^[([][^()[\]]*[)\]]$/u.test(t)) return "";
  t = t.replace(ARXIV_NOTE, "");
  // "C++", "C#", "F#", "k-Means++" are names of their own, not "C", "F" and "k-Means".
  t = t.replace(/(?<=[\p{L}\p{N}])\+\+/gu, " plusplus").replace(/(?<![\p{L}\p{N}])([cfj])#/gu, "$1sharp");
  t = t.replace(GREEK_SYMBOL, (letters) =>
    [...letters].map((ch) => GREEK_NAMES[ch.normalize("NFD")[0]!] ?? ch).join(""),
  );
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

/** The words of each title that the other lacks, counting repeats ("Deep Nets of Deep Nets"). */
function multisetDifference(tokens1: readonly string[], tokens2: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of tokens2) counts.set(t, (counts.get(t) ?? 0) + 1);
  const out: string[] = [];
  for (const t of tokens1) {
    const n = counts.get(t) ?? 0;
    if (n > 0) counts.set(t, n - 1);
    else out.push(t);
  }
  for (const [t, n] of counts) for (let i = 0; i < n; i++) out.push(t);
  return out;
}

/**
 * Labels that the cleaning dropped but that tell two works apart: "(Track 1)" / "(Track 2)",
 * "(SemEval-2019)" / "(SemEval-2020)", "(v2)" / "(v3)", "Dataset (V2)" / "Dataset". A venue's year
 * on one side only ("Title (ICML 2019)" / "Title") is the same work.
 */
function labelsDiffer(title1: string | null | undefined, title2: string | null | undefined): boolean {
  const marks1 = cleanTitleAndLabels(title1 ?? "").labels;
  const marks2 = cleanTitleAndLabels(title2 ?? "").labels;
  if (marks1.length === 0 && marks2.length === 0) return false;
  const keys1 = marks1.map((m) => m.key);
  const keys2 = marks2.map((m) => m.key);
  const differ = multisetDifference(keys1, keys2);
  if (differ.length === 0) return false;
  if (marks1.length > 0 && marks2.length > 0) return true;
  return [...marks1, ...marks2].some((m) => m.identity);
}

function isNearMiss(tokens1: readonly string[], tokens2: readonly string[]): boolean {
  return multisetDifference(tokens1, tokens2).some((t) => NEGATIONS.has(t) || /\p{N}/u.test(t));
}

const FUZZY_CHARS = 300;
// A title that is another one plus one of these is a different publication about it ("Erratum: X",
// "X: A Survey", "Reply to: X", "X: Part II", "X Revisited"): never accepted by containment.
const DERIVATIVE_WORDS = new Set(
  `erratum errata corrigendum corrigenda correction corrections corrected reply replies response responses
  comment comments commentary commentaries retraction retracted retracting withdrawn withdrawal addendum
  addenda rejoinder discussion discussions reproducibility replication replicating reproduction
  reproducing reanalysis reassessment revisited revisiting revisit retrospective survey surveys review
  reviews reviewing overview tutorial tutorials primer introduction perspective perspectives critique
  summary summaries abstract abstracts supplement supplementary supplemental appendix appendices
  extended extension version reloaded redux reconsidered rethinking rethought reexamined rebuttal
  part parts vol volume volumes chapter chapters episode sequel continued strikes
  book notes note lecture lectures slides poster editorial preface foreword letter correspondence
  concern expression notice reprint translation translated thesis dissertation digest highlights
  really later interview interviews conversation why journal`.split(/\s+/u),
);
// Parts and volumes: "X: Part II", "X, Vol. III".
const ROMAN_NUMERAL = /^(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3})$/u;
// A missing part this short is a subtitle of another paper rather than the rest of the same title.
const MIN_MISSING_CONTENT_WORDS = 3;

// Words whose change does not make another paper ("Learning to Rank with/on Graphs"); "Towards X" is
// not X.
const STOP_WORDS = new Set(
  "a an and as at by for from in into of on or the to via vs versus with using".split(" "),
);

/**
 * One word in two spellings: singular and plural, British and American (`-ise`/`-ize`,
 * `-our`/`-or`, `-tre`/`-ter`, `-lled`/`-led`), or a one-letter typo in a long word (see `sameWord`).
 * Derived forms (`learned`/`learning`, `origin`/`original`) are other words.
 */
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

/** Spelling-folded form of a word, computed once per token for the alignment below. */
const fold = (w: string) => singular(american(w));

/** The same word, or two spellings of it. */
function sameWord(x: string, fx: string, y: string, fy: string): boolean {
  // A typo never touches the first two letters: "Methanol" / "Ethanol", "Synchronous" / "Asynchronous"
  // and "Macroeconomics" / "Microeconomics" are other words.
  return (
    x === y ||
    fx === fy ||
    (Math.min(x.length, y.length) >= 7 && x.slice(0, 2) === y.slice(0, 2) && editDistanceAtMostOne(x, y))
  );
}

const ARTICLES = new Set(["a", "an"]);

// The alignment below costs len1 × len2; no real title has more words than this.
const MAX_ALIGNED_TOKENS = 150;

/**
 * True when the two titles' content words pair up in the same order, each used once: the longest
 * common subsequence of words (equal or spelling variants, a word written as two — `pre training` /
 * `pretraining`) leaves no content word of either title out. "Is Attention All You Need" /
 * "Attention Is All You Need", "Learning Graphs from Text" / "Learning Text from Graphs" and "Code
 * Comments: …Source Code" / "Comments: …Source Code" fail; "Learning to Rank with/on Graphs" passes.
 */
function contentWordsAligned(tokens1: readonly string[], tokens2: readonly string[]): boolean {
  const a = tokens1.slice(0, MAX_ALIGNED_TOKENS);
  const b = tokens2.slice(0, MAX_ALIGNED_TOKENS);
  const fa = a.map(fold);
  const fb = b.map(fold);
  const n = a.length;
  const m = b.length;
  // Content words weigh more than all stop words together: an optimal alignment covers every content
  // word that any in-order alignment can.
  const wa = a.map((t) => (STOP_WORDS.has(t) ? 1 : 1000));
  const wb = b.map((t) => (STOP_WORDS.has(t) ? 1 : 1000));
  const eq = (i: number, j: number) => sameWord(a[i]!, fa[i]!, b[j]!, fb[j]!);
  // A word written as two ("pre training" / "pretraining"): the same letters, or one plural; each
  // pair is folded once. An article never joins ("A Symmetric" is not "Asymmetric").
  const pairs = (t: readonly string[]) =>
    t.map((w, k) => (k + 1 < t.length && !ARTICLES.has(w) ? w + t[k + 1]! : ""));
  const pa = pairs(a);
  const pb = pairs(b);
  const fpa = pa.map((p) => (p === "" ? "" : fold(p)));
  const fpb = pb.map((p) => (p === "" ? "" : fold(p)));
  const joinedA = (i: number, j: number) => pa[i] !== "" && (pa[i] === b[j] || fpa[i] === fb[j]);
  const joinedB = (i: number, j: number) => pb[j] !== "" && (a[i] === pb[j] || fa[i] === fpb[j]);
  // best[i][j]: most words of a[i..] and b[j..] covered by an in-order alignment.
  const best = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      let v = Math.max(best[i + 1]![j]!, best[i]![j + 1]!);
      if (eq(i, j)) v = Math.max(v, best[i + 1]![j + 1]! + wa[i]! + wb[j]!);
      if (joinedA(i, j)) v = Math.max(v, best[i + 2]![j + 1]! + wa[i]! + wa[i + 1]! + wb[j]!);
      if (joinedB(i, j)) v = Math.max(v, best[i + 1]![j + 2]! + wa[i]! + wb[j]! + wb[j + 1]!);
      best[i]![j] = v;
    }
  }
  // Walk one optimal alignment and check that every content word is in it.
  const usedA = new Uint8Array(n);
  const usedB = new Uint8Array(m);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const v = best[i]![j]!;
    if (eq(i, j) && v === best[i + 1]![j + 1]! + wa[i]! + wb[j]!) {
      usedA[i++] = 1;
      usedB[j++] = 1;
    } else if (joinedA(i, j) && v === best[i + 2]![j + 1]! + wa[i]! + wa[i + 1]! + wb[j]!) {
      usedA[i] = usedA[i + 1] = 1;
      usedB[j] = 1;
      i += 2;
      j += 1;
    } else if (joinedB(i, j) && v === best[i + 1]![j + 2]! + wa[i]! + wb[j]! + wb[j + 1]!) {
      usedA[i] = 1;
      usedB[j] = usedB[j + 1] = 1;
      i += 1;
      j += 2;
    } else if (v === best[i + 1]![j]!) i++;
    else j++;
  }
  if (tokens1.length !== a.length || tokens2.length !== b.length) return false;
  // Left out: a content word, or a stop word that the other title also left out ("Kubernetes Cluster
  // for X" / "Kubernetes for Cluster X": the same words, moved).
  const leftA = a.filter((_, k) => usedA[k] === 0);
  const leftB = new Set(b.filter((_, k) => usedB[k] === 0));
  return (
    !leftA.some((t) => !STOP_WORDS.has(t) || leftB.has(t)) && ![...leftB].some((t) => !STOP_WORDS.has(t))
  );
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

/**
 * The words a contained title lacks make the rest of the same title only when they are a real
 * subtitle: at least three content words, no word naming another publication about it (a survey,
 * review, erratum, reply, part II, …), and no question ("X: Really?", "X (Or Is It?)").
 */
function isSubstantialRest(
  shorter: readonly string[],
  longer: readonly string[],
  longerTitle: string | null | undefined,
  shorterTitle: string | null | undefined,
): boolean {
  const rest = multisetDifference(longer, shorter);
  // A track label inside the longer title ("X (Industry Track): Benchmarks") is not part of it.
  const words = rest.filter((t) => !STOP_WORDS.has(t) && !isTrackLabelWord(t));
  if (words.length < MIN_MISSING_CONTENT_WORDS) return false;
  if (rest.some((t) => DERIVATIVE_WORDS.has(t) || ROMAN_NUMERAL.test(t))) return false;
  const questions = (title: string | null | undefined) =>
    (cleanTitle(title ?? "").match(/[?¿]/gu) ?? []).length;
  return questions(longerTitle) <= questions(shorterTitle);
}

function yearGap(y1: number | null | undefined, y2: number | null | undefined): number | undefined {
  if (typeof y1 !== "number" || typeof y2 !== "number") return undefined;
  if (!Number.isFinite(y1) || !Number.isFinite(y2)) return undefined;
  return Math.abs(y1 - y2);
}

// A title this short ("Editorial", "Deep Learning", "Preface to the Volume") names many works.
const GENERIC_TITLE_CONTENT_WORDS = 3;

/**
 * Authors count against a match only when the two lists share nobody (truncated lists, "et al.",
 * initials and odd spellings are normal); no usable names on one side is no evidence either way.
 * Names in scripts with no comparable spelling (all Chinese against all Latin) are no evidence for a
 * real title, but a generic one is not accepted on the title alone against them: they count against.
 */
function authorFactor(
  authors1: readonly string[] | null | undefined,
  authors2: readonly string[] | null | undefined,
  tokens: readonly string[],
): number {
  const evidence = authorEvidence(authors1, authors2);
  if (evidence === "none_shared") return NO_SHARED_AUTHOR_FACTOR;
  if (evidence === "incomparable") {
    const content = tokens.filter((t) => !STOP_WORDS.has(t)).length;
    if (content <= GENERIC_TITLE_CONTENT_WORDS) return NO_SHARED_AUTHOR_FACTOR;
  }
  return 1;
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
  // An article stays apart: "A Symmetric X" is not "Asymmetric X".
  const unspaced = (tokens: readonly string[]) => tokens.map((t) => (ARTICLES.has(t) ? `${t}|` : t)).join("");
  const sameWords = key1 === key2 || unspaced(tokens1) === unspaced(tokens2);
  const aIsShorter = tokens1.length <= tokens2.length;
  const [shorter, longer] = aIsShorter ? [tokens1, tokens2] : [tokens2, tokens1];
  const [shorterTitle, longerTitle] = aIsShorter ? [a.title, b.title] : [b.title, a.title];
  const containment =
    !sameWords &&
    isTokenContained(shorter, longer) &&
    isTitlePart(shorter, longerTitle) &&
    isSubstantialRest(shorter, longer, longerTitle, shorterTitle);

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
    // strings ("… for Image Classification" / "… for Image Segmentation", "Robust X" / "X"), and so do
    // the same words in another order ("Is Attention All You Need?") or repeated ("Code Comments").
    if (!contentWordsAligned(tokens1, tokens2)) score = Math.min(score, NEAR_MISS_CAP);
  }
  score *= authorFactor(a.authors, b.authors, shorter);
  // "Non-local" / "Nonlocal", "GPT-3" / "GPT3": the same words are never a near miss.
  if (!sameWords && isNearMiss(tokens1, tokens2)) score = Math.min(score, NEAR_MISS_CAP);
  if (labelsDiffer(a.title, b.title)) score = Math.min(score, NEAR_MISS_CAP);
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
