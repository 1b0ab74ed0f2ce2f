/**
 * Port of the rapidfuzz 3 `fuzz` scorers used by the title matcher, called without a processor
 * (no lowercasing or trimming). All scores are in 0..100. Strings are compared as sequences of
 * Unicode code points, like Python `str`, not as UTF-16 code units.
 */

type Seq = readonly number[];

function toCodePoints(s: string): number[] {
  return Array.from(s, (ch) => ch.codePointAt(0) ?? 0);
}

/** Length of the longest common subsequence (row-by-row dynamic programming). */
function lcsLength(a: Seq, b: Seq): number {
  const [inner, outer] = a.length <= b.length ? [a, b] : [b, a];
  if (inner.length === 0) return 0;
  let prev = new Uint32Array(inner.length + 1);
  let curr = new Uint32Array(inner.length + 1);
  for (const ch of outer) {
    for (let j = 1; j <= inner.length; j++) {
      curr[j] = inner[j - 1] === ch ? prev[j - 1]! + 1 : Math.max(prev[j]!, curr[j - 1]!);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[inner.length]!;
}

function indelDistance(a: Seq, b: Seq): number {
  return a.length + b.length - 2 * lcsLength(a, b);
}

/** Normalised Indel similarity in 0..1, computed as rapidfuzz does (1 - dist / lensum). */
function indelSimilarity(a: Seq, b: Seq): number {
  const lensum = a.length + b.length;
  if (lensum === 0) return 1;
  return 1 - indelDistance(a, b) / lensum;
}

/** rapidfuzz's `_norm_distance`, used by token_set_ratio; kept separate to reproduce its rounding. */
function normDistance(dist: number, lensum: number): number {
  return lensum === 0 ? 100 : 100 - (100 * dist) / lensum;
}

/** Python `str.split()` followed by `sorted()`: code-point order, not UTF-16 order. */
function sortedTokens(tokens: Iterable<string>): string[] {
  return [...tokens].sort(compareCodePoints);
}

function splitTokens(s: string): string[] {
  return s.split(/\s+/u).filter((t) => t.length > 0);
}

function compareCodePoints(x: string, y: string): number {
  const a = toCodePoints(x);
  const b = toCodePoints(y);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/** rapidfuzz `fuzz.ratio`: 100 · 2·LCS / (|s1| + |s2|); two empty strings score 100. */
export function ratio(s1: string, s2: string): number {
  return indelSimilarity(toCodePoints(s1), toCodePoints(s2)) * 100;
}

/**
 * Best normalised similarity of `needle` against windows of `hay` (needle.length <= hay.length):
 * prefixes shorter than the needle, every full-length window, then suffixes. A window whose new
 * end character does not occur in the needle cannot beat its neighbour, so it is skipped, as in
 * rapidfuzz; the result is still the exact maximum.
 */
function partialRatioImpl(needle: Seq, hay: Seq): number {
  const n = needle.length;
  const m = hay.length;
  const chars = new Set(needle);
  let best = 0;
  const better = (window: Seq): boolean => {
    const sim = indelSimilarity(needle, window);
    if (sim > best) best = sim;
    return best === 1;
  };
  for (let i = 1; i < n; i++) {
    if (chars.has(hay[i - 1]!) && better(hay.slice(0, i))) return 100;
  }
  for (let i = 0; i < m - n; i++) {
    if (chars.has(hay[i + n - 1]!) && better(hay.slice(i, i + n))) return 100;
  }
  for (let i = m - n; i < m; i++) {
    if (chars.has(hay[i]!) && better(hay.slice(i))) return 100;
  }
  return best * 100;
}

/** rapidfuzz `fuzz.partial_ratio`: best `ratio` of the shorter string against windows of the longer. */
export function partialRatio(s1: string, s2: string): number {
  const a = toCodePoints(s1);
  const b = toCodePoints(s2);
  if (a.length === 0 && b.length === 0) return 100;
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  const score = partialRatioImpl(shorter, longer);
  // With equal lengths the end windows differ by direction, so rapidfuzz tries both.
  if (score !== 100 && a.length === b.length) return Math.max(score, partialRatioImpl(longer, shorter));
  return score;
}

/** rapidfuzz `fuzz.token_sort_ratio`: `ratio` of the whitespace tokens sorted and re-joined. */
export function tokenSortRatio(s1: string, s2: string): number {
  const sorted1 = sortedTokens(splitTokens(s1)).join(" ");
  const sorted2 = sortedTokens(splitTokens(s2)).join(" ");
  return ratio(sorted1, sorted2);
}

/** rapidfuzz `fuzz.token_set_ratio`: compares the shared tokens plus each side's own tokens. */
export function tokenSetRatio(s1: string, s2: string): number {
  const tokensA = new Set(splitTokens(s1));
  const tokensB = new Set(splitTokens(s2));
  if (tokensA.size === 0 || tokensB.size === 0) return 0;

  const intersection = [...tokensA].filter((t) => tokensB.has(t));
  const diffAB = [...tokensA].filter((t) => !tokensB.has(t));
  const diffBA = [...tokensB].filter((t) => !tokensA.has(t));
  if (intersection.length > 0 && (diffAB.length === 0 || diffBA.length === 0)) return 100;

  const abJoined = toCodePoints(sortedTokens(diffAB).join(" "));
  const baJoined = toCodePoints(sortedTokens(diffBA).join(" "));
  const sectLen = toCodePoints(intersection.join(" ")).length;
  const sep = sectLen > 0 ? 1 : 0;
  const sectAbLen = sectLen + sep + abJoined.length;
  const sectBaLen = sectLen + sep + baJoined.length;

  // "sect diffAB" vs "sect diffBA" share the prefix "sect ", so only the diffs need aligning.
  const result = normDistance(indelDistance(abJoined, baJoined), sectAbLen + sectBaLen);
  if (sectLen === 0) return result;

  // "sect" vs "sect diff" differ only by the appended " diff".
  const sectAbRatio = normDistance(sep + abJoined.length, sectLen + sectAbLen);
  const sectBaRatio = normDistance(sep + baJoined.length, sectLen + sectBaLen);
  return Math.max(result, sectAbRatio, sectBaRatio);
}
