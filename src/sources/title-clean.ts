import { decodeHTMLStrict } from "entities";

/**
 * The words of a title as proceedings pages, BibTeX files and HTML exports scrape it: entities
 * decoded, HTML tags and LaTeX markup removed (commands keep their argument), footnote marks and
 * track labels such as "(Extended Abstract)" or "[Oral]" dropped. Used to build search queries and,
 * on both sides, by the title matcher; the title stored in the output is never changed.
 */
export function cleanTitle(raw: string): string {
  // No real title is this long; the bound keeps every pattern below cheap on junk input.
  // Invisible format characters (soft hyphen, zero-width space, BOM) would split a word in two.
  let t = decodeEntities(raw.slice(0, MAX_TITLE_CHARS)).replace(/\p{Cf}/gu, "");
  t = t.replace(HTML_TAG, "");
  t = latexToText(t);
  t = dropFootnoteMarks(t);
  t = dropArxivReference(t);
  t = dropTrackLabels(t.replace(/\s+/gu, " ").trim());
  return t.replace(/\s+/gu, " ").trim();
}

/** Longest title considered; the rest of a longer one is ignored for searching and matching. */
export const MAX_TITLE_CHARS = 1000;

// ---------------------------------------------------------------------------------------------
// HTML

/** Decodes named and numeric entities, also double-encoded ones (`&amp;amp;`), at most 3 levels. */
function decodeEntities(text: string): string {
  // Only entities with their semicolon ("Search&notification" is not "Search¬ification"), but the
  // common "&amp " without one.
  let out = text.replace(/&amp(?=[\s&]|$)/giu, "&amp;");
  for (let i = 0; i < 3 && /&(#\d+|#x[\da-f]+|[a-z][a-z\d]*);/iu.test(out); i++) {
    const next = decodeHTMLStrict(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

// Only known tag names, so that "a < b and c > d" is not taken for a tag.
const TAG_NAMES =
  "i|b|u|s|em|strong|sub|sup|small|big|tt|code|scp|sc|span|font|a|br|p|div|italic|bold|underline|mark|" +
  "math|mi|mn|mo|ms|mrow|msub|msup|msubsup|mfrac|msqrt|mtext|mover|munder|semantics|annotation|" +
  "inline-formula|tex-math|alternatives|named-content|styled-content";
const HTML_TAG = new RegExp(`</?(?:mml:|m:|jats:)?(?:${TAG_NAMES})(?:\\s[^<>]*)?/?>`, "giu");

// ---------------------------------------------------------------------------------------------
// LaTeX and BibTeX

const ACCENT_MARKS: Record<string, string> = {
  "'": "\u0301",
  "`": "\u0300",
  "^": "\u0302",
  '"': "\u0308",
  "~": "\u0303",
  "=": "\u0304",
  ".": "\u0307",
  u: "\u0306",
  v: "\u030c",
  H: "\u030b",
  c: "\u0327",
  k: "\u0328",
  r: "\u030a",
  d: "\u0323",
  b: "\u0331",
};
// \'e  \'{e}  \"{\i}  and the letter accents \c{c}  \v s
const SYMBOL_ACCENT = /\\(['`^"~=.])\s*(?:\{\s*\\?([A-Za-z])\s*\}|\\?([A-Za-z]))/gu;
const LETTER_ACCENT = /\\([uvHckrdb])(?:\s*\{\s*\\?([A-Za-z])\s*\}|\s+([A-Za-z]))/gu;

const SPECIAL_LETTERS: Record<string, string> = {
  ss: "ß",
  o: "ø",
  O: "Ø",
  ae: "æ",
  AE: "Æ",
  oe: "œ",
  OE: "Œ",
  aa: "å",
  AA: "Å",
  l: "ł",
  L: "Ł",
  i: "i",
  j: "j",
};

const GREEK =
  "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi omega";
const GREEK_LOWER = "αβγδεζηθικλμνξπρστυφχψω";
const GREEK_UPPER = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΠΡΣΤΥΦΧΨΩ";

/** Commands that stand for one character. */
const SYMBOLS: Record<string, string> = {
  ...Object.fromEntries(GREEK.split(" ").map((name, i) => [name, GREEK_LOWER[i]!])),
  ...Object.fromEntries(
    GREEK.split(" ").map((name, i) => [name[0]!.toUpperCase() + name.slice(1), GREEK_UPPER[i]!]),
  ),
  varepsilon: "ε",
  vartheta: "θ",
  varphi: "φ",
  varrho: "ρ",
  varsigma: "ς",
  ell: "ℓ",
  infty: "∞",
  partial: "∂",
  nabla: "∇",
  times: "×",
  cdot: "·",
  pm: "±",
  leq: "≤",
  le: "≤",
  geq: "≥",
  ge: "≥",
  neq: "≠",
  approx: "≈",
  sim: "~",
  to: "→",
  rightarrow: "→",
  leftarrow: "←",
  in: "∈",
  sum: "∑",
  prod: "∏",
  sqrt: "√",
  ...Object.fromEntries("log exp sin cos tan max min arg det lim sup inf".split(" ").map((f) => [f, f])),
  LaTeX: "LaTeX",
  TeX: "TeX",
  textendash: "–",
  textemdash: "—",
  ldots: "…",
  dots: "…",
  // Footnote symbols: removed with the other marks below.
  dagger: "†",
  ddagger: "‡",
  star: "⋆",
  ast: "∗",
  S: "§",
  P: "¶",
};

/** Commands dropped together with their argument: notes, not title words. */
// The argument may hold one level of braces: \thanks{Work done at {Google}}.
const DROPPED_WITH_ARGUMENT =
  /\\(?:thanks|footnote|footnotemark|cite[a-z]*|label|ref|index)\*?\s*(?:\[[^\]]*\])?\s*(?:\{(?:[^{}]|\{[^{}]*\})*\})?/gu;
/**
 * Footnote marks written in LaTeX: `\textsuperscript{*}` and `^{*}` / `^\dagger` anywhere, a
 * superscript number only at the end of the title (`Title$^{1}$`); inside a title `^2` is an exponent.
 */
const SUPERSCRIPT_MARK =
  /\\textsuperscript\s*\{\s*[*†‡∗⋆]{1,3}\s*\}|\^\s*(?:\{\s*(?:[*†‡∗⋆]|\\(?:ast|star|dagger|ddagger)){1,3}\s*\}|[*†‡∗⋆]|\\(?:ast|star|dagger|ddagger)\b)/gu;
const TRAILING_NUMBER_MARK =
  /(?:\\textsuperscript\s*\{\s*[\d,]{1,5}\s*\}|\$?\^\s*\{?\s*[\d,]{1,5}\s*\}?\$?)\s*$/u;
const ESCAPED = /\\([&%$#_{}])/gu;
const ESCAPE_BASE = 0xe000; // private-use code points stand in for escaped characters meanwhile

/** LaTeX and BibTeX markup to plain text: `\textit{Privacy}` → `Privacy`, `$\ell_1$` → `ℓ1`. */
function latexToText(text: string): string {
  if (!/[\\${}~]/u.test(text)) return text;
  let t = text.replace(ESCAPED, (_, ch: string) => String.fromCharCode(ESCAPE_BASE + ch.charCodeAt(0)));
  t = t.replace(DROPPED_WITH_ARGUMENT, " ").replace(SUPERSCRIPT_MARK, " ").replace(TRAILING_NUMBER_MARK, "");
  t = t
    .replace(SYMBOL_ACCENT, (_, accent: string, a?: string, b?: string) => `${a ?? b}${ACCENT_MARKS[accent]}`)
    .replace(LETTER_ACCENT, (_, accent: string, a?: string, b?: string) => `${a ?? b}${ACCENT_MARKS[accent]}`)
    .normalize("NFC");
  // \href{url}{text} keeps its text.
  t = t.replace(/\\href\s*\{[^{}]*\}\s*/gu, "");
  t = t.replace(/\\([A-Za-z]+)\*?(\s*\[[^\]]*\])?/gu, (_, name: string, option?: string) => {
    if (name in SPECIAL_LETTERS && !option) return SPECIAL_LETTERS[name]!;
    if (name in SYMBOLS && !option) return SYMBOLS[name]!;
    return ""; // \textit{x}, \emph{x}, {\em x}: the command goes, its argument stays
  });
  // Spacing commands, the discretionary hyphen and the tie.
  t = t
    .replace(/\\-/gu, "")
    .replace(/\\[,;:! ]/gu, " ")
    .replace(/\\\\/gu, " ")
    .replace(/~/gu, " ");
  // Math: delimiters go; sub- and superscripts join their base (`\ell_1` → ℓ1).
  t = t.replace(/\$+|\\[()[\]]/gu, "").replace(/[_^]/gu, "");
  t = t.replace(/[{}]/gu, "");
  return t.replace(/[\ue000-\ue07f]/gu, (ch) => String.fromCharCode(ch.charCodeAt(0) - ESCAPE_BASE));
}

// ---------------------------------------------------------------------------------------------
// Footnote marks

// Daggers, stars and section signs mark footnotes wherever they are; an asterisk and superscript
// digits only at the end of the title ("A* Search", "O(n²)" keep theirs).
const FOOTNOTE_SYMBOLS = /[†‡∗⋆★☆✝✞§¶⁎⁑]+/gu;
const TRAILING_MARKS = new Set([..."*†‡∗⋆★☆✝✞§¶⁎⁑⁰¹²³⁴⁵⁶⁷⁸⁹, "]);

function dropFootnoteMarks(title: string): string {
  let end = title.length;
  while (end > 0 && TRAILING_MARKS.has(title[end - 1]!)) end--;
  return title.slice(0, end).replace(FOOTNOTE_SYMBOLS, " ");
}

// ---------------------------------------------------------------------------------------------
// Track labels

/** Words that make a bracketed group a track label on their own. */
const TRACK_WORDS = new Set(
  `abstract abstracts paper papers poster posters oral orals spotlight spotlights workshop workshops
  demo demos demonstration demonstrations track talk talks presentation version findings highlight
  highlights keynote tutorial award preprint supplementary appendix extended`.split(/\s+/u),
);
/** Words that may accompany them inside the label. */
const LABEL_WORDS = new Set(
  `short long full student position vision invited research industry industrial camera ready technical
  report lightning contributed accepted archival non nonarchival doctoral consortium late breaking work
  progress best outstanding honorable honourable mention selected system systems main conference
  journal proceedings summary brief tiny arxiv revised updated corrected new paper papers in at the
  and of on for a an to with from`.split(/\s+/u),
);
/** Track words allowed in an unbracketed suffix after a separator ("…: Extended Abstract"). */
const SUFFIX_TRACK_WORDS = new Set(
  "abstract paper poster oral spotlight demo version preprint supplementary appendix".split(" "),
);

function isLabelToken(token: string): boolean {
  const lower = token.toLowerCase();
  return (
    TRACK_WORDS.has(lower) ||
    LABEL_WORDS.has(lower) ||
    /^(19|20)\d\d$/u.test(token) ||
    /^'?\d\d$/u.test(token) ||
    /^v\d+$/iu.test(token) ||
    VENUES.has(lower)
  );
}

/** Venue acronyms seen in track labels: "(ICML 2019)", "[AAAI-21]", "(NeurIPS 2023 Workshop)". */
const VENUES = new Set(
  `neurips nips icml iclr aaai ijcai cvpr iccv eccv wacv bmvc acl emnlp naacl eacl aacl coling conll
  lrec tacl kdd www sigir wsdm cikm recsys aistats uai colt corl rss icra iros miccai interspeech
  icassp siggraph chi uist mlsys tmlr jmlr icdm sdm ecml pkdd acml ijcnlp`.split(/\s+/u),
);

/** A group of words that only names a track, e.g. "Extended Abstract", "NeurIPS 2023 Workshop", "Oral". */
function isTrackLabel(group: string, trackWords: ReadonlySet<string>): boolean {
  const tokens = group.split(/[^\p{L}\p{N}']+/u).filter((w) => w !== "");
  if (tokens.length === 0 || tokens.length > 8) return false;
  if (!tokens.every(isLabelToken)) return false;
  if (tokens.some((w) => trackWords.has(w.toLowerCase()))) return true;
  // A known venue and its year: "(ICML 2019)", "[AAAI-21]"; not "(COVID-19)".
  const isYear = (w: string) => /^(19|20)\d\d$|^'?\d\d$/u.test(w);
  return trackWords === TRACK_WORDS && tokens.some(isYear) && tokens.some((w) => VENUES.has(w.toLowerCase()));
}

// "… arXiv preprint arXiv:1706.03762v2", as citation exports append it (matched from its last
// "arxiv" on, so that a long title costs one scan).
const ARXIV_REFERENCE = /^(?:arxiv\s+preprint\s*)?arxiv\s*:\s*\d{4}\.\d{4,5}(?:v\d+)?\s*$/iu;

function dropArxivReference(title: string): string {
  const lower = title.toLowerCase();
  let at = lower.lastIndexOf("arxiv");
  if (at < 0 || !ARXIV_REFERENCE.test(title.slice(at))) return title;
  const preprint = lower.lastIndexOf("arxiv preprint", at);
  if (preprint >= 0 && ARXIV_REFERENCE.test(title.slice(preprint))) at = preprint;
  return title.slice(0, at).replace(/[\s,.]+$/u, "");
}
const LEADING_PREFIX = /^\s*([\p{L}\s]{2,40}?)\s*:\s*/u;
const TRAILING_GROUP = /\s*[([]([^()[\]]*)[)\]]\s*$/u;
const LEADING_GROUP = /^\s*[([]([^()[\]]*)[)\]]\s*/u;
const TRAILING_SUFFIX = /\s*(?:[:|–—]|\s-|\.\s)\s*([\p{L}\s]+)$/u;

/** Drops track labels at either end, repeatedly ("Title (Extended Abstract) [Oral]"). */
function dropTrackLabels(title: string): string {
  let t = title.replace(/[\s.]+$/u, "");
  for (let changed = true; changed; ) {
    changed = false;
    for (const [pattern, words] of [
      [TRAILING_GROUP, TRACK_WORDS],
      [LEADING_GROUP, TRACK_WORDS],
      [TRAILING_SUFFIX, SUFFIX_TRACK_WORDS],
      [LEADING_PREFIX, SUFFIX_TRACK_WORDS],
    ] as const) {
      const m = pattern.exec(t);
      if (!m || !isTrackLabel(m[1]!, words)) continue;
      const rest = `${t.slice(0, m.index)} ${t.slice(m.index + m[0].length)}`.trim();
      // Never reduce a title to nothing: "[Oral]" alone stays.
      if (!/[\p{L}\p{N}]/u.test(rest)) continue;
      t = rest.replace(/[\s:|–—-]+$/u, "");
      changed = true;
    }
  }
  return t;
}

/**
 * The words of a cleaned title that every search index stores alike, for the fallback searches:
 * words that Unicode compatibility folding would change (ℓ1, ﬁ, superscripts) or that mix in Greek
 * or math letters (α-divergence) are left out, since an index may hold either form. A title made only
 * of such words is returned whole.
 */
export function plainSearchWords(cleaned: string): string {
  const words = cleaned.split(/[^\p{L}\p{M}\p{N}]+/u).filter((w) => w !== "");
  const plain = words.filter((w) => w.normalize("NFKC") === w && !/[\p{Script=Greek}\p{Sm}]/u.test(w));
  return (plain.length > 0 ? plain : words).join(" ");
}
