import { decodeHTMLStrict } from "entities";

/**
 * The words of a title as proceedings pages, BibTeX files and HTML exports scrape it: entities
 * decoded, HTML tags and LaTeX markup removed (commands keep their argument), footnote marks and
 * track labels such as "(Extended Abstract)" or "[Oral]" dropped. Used to build search queries and,
 * on both sides, by the title matcher; the title stored in the output is never changed.
 */
export function cleanTitle(raw: string): string {
  return cleanTitleAndLabels(raw).title;
}

/**
 * What a dropped label says about the title's identity: a version ("(v2)", "Dataset (V2)"), a
 * number ("(Track 1)", "Session 3") or a year ("(SemEval-2019)", "(NeurIPS'19)"). The query may go
 * without the label, but two titles whose labels say different things are different works.
 */
export interface LabelMark {
  key: string;
  /** Also tells the title apart from the same title with no label (not a venue's year: "(ICML 2019)"). */
  identity: boolean;
}

/** The cleaned title and the marks of the labels dropped from it. */
export function cleanTitleAndLabels(raw: string): { title: string; labels: LabelMark[] } {
  let cached = CLEANED.get(raw);
  if (cached === undefined) {
    const labels: LabelMark[] = [];
    cached = { title: cleanUncached(raw, labels), labels };
    if (CLEANED.size >= CLEANED_MAX) CLEANED.clear();
    CLEANED.set(raw, cached);
  }
  return cached;
}
const CLEANED = new Map<string, { title: string; labels: LabelMark[] }>();
const CLEANED_MAX = 20_000;

function cleanUncached(raw: string, labels: LabelMark[]): string {
  // No real title is this long; the bound keeps every pattern below cheap on junk input.
  // Invisible format characters (soft hyphen, zero-width space, BOM) would split a word in two.
  let t = decodeEntities(raw.slice(0, MAX_TITLE_CHARS)).replace(/\p{Cf}/gu, "");
  t = t.replace(/[（［｛【〔）］｝】〕]/gu, (ch) => FULLWIDTH_BRACKETS[ch] ?? ch);
  t = htmlToText(t);
  t = dropBraceLabel(t, labels);
  t = latexToText(t);
  // Marks and labels hide each other ("Title* (Extended Abstract)", "Title (Oral)†"): until stable.
  for (let round = 0; round < 5; round++) {
    const before = t;
    t = dropFootnoteMarks(t);
    t = dropArxivReference(t);
    t = dropTrackLabels(t.replace(/\s+/gu, " ").trim(), labels);
    if (t === before) break;
  }
  return t.replace(/\s+/gu, " ").trim();
}

// A year in these labels is the work's own (a shared task's edition), not the venue's.
const TASK_LABEL = /semeval|challenge|competition|results|report|shared|task|track|dataset|edition/iu;

// A version on one side only tells works apart when it versions a dataset or the like ("Dataset
// (V2)"); "Title [v2]" is the arXiv version of the paper.
const VERSIONED = /\b(?:data\s?sets?|benchmarks?|corpus|corpora|suite|toolkit|library|software|models?)\b/iu;

function labelMarks(group: string, rest: string): LabelMark[] {
  const tokens = group.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
  const versioned = VERSIONED.test(rest);
  const taskYear = TASK_LABEL.test(group);
  const venue = tokens.some((w) => VENUES.has(w.toLowerCase()));
  return tokens.flatMap((w): LabelMark[] => {
    if (/^v\d+$/iu.test(w)) return [{ key: w.toLowerCase(), identity: versioned }];
    if (/^(?:19|20)\d\d$/u.test(w) || (venue && /^\d\d$/u.test(w)))
      return [{ key: `y${w.slice(-2)}`, identity: taskYear }];
    // "(Oral; Top 1%)" is a rank, not the work's number.
    if (/^\d+$/u.test(w) && !group.includes("%")) return [{ key: `n${Number(w)}`, identity: true }];
    return [];
  });
}

const FULLWIDTH_BRACKETS: Record<string, string> = {
  "（": "(",
  "）": ")",
  "［": "[",
  "］": "]",
  "｛": "{",
  "｝": "}",
  "【": "[",
  "】": "]",
  "〔": "[",
  "〕": "]",
};

/**
 * Text with its markup decoded: entities, HTML/JATS tags and LaTeX (accents, commands, braces).
 * Footnote marks and track labels stay; used for author names.
 */
export function markupToText(raw: string, maxChars = MAX_TITLE_CHARS): string {
  const t = decodeEntities(raw.slice(0, maxChars)).replace(/\p{Cf}/gu, "");
  return latexToText(htmlToText(t));
}

/** Longest title considered; the rest of a longer one is ignored for searching and matching. */
export const MAX_TITLE_CHARS = 1000;

// ---------------------------------------------------------------------------------------------
// HTML

/**
 * Decodes named and numeric entities, also multiply encoded ones (`&amp;amp;amp;`) until stable.
 * Entities need their semicolon ("Search&notification" is not "Search¬ification"), except HTML's
 * legacy names and numeric references followed by neither a letter, digit nor semicolon
 * (`Caf&eacute Networks`, `Na&#xef Bayes`, `Vision &amp Language`).
 */
function decodeEntities(text: string): string {
  let out = text;
  for (let i = 0; i < 8 && out.includes("&"); i++) {
    const next = decodeHTMLStrict(out.replace(BARE_ENTITY, bareEntity));
    if (next === out) break;
    out = next;
  }
  return out;
}

const BARE_ENTITY = /&(#\d{1,7}|#x[\da-f]{1,6}|[a-z][a-z\d]{1,7})(?![\p{L}\p{N};])/giu;
// The entities decoded without their semicolon: a safe few of the names browsers decode so, and
// accented letters. Never symbols that may be words ("&not Good", "Copyright&copy Law", "Macro&micro").
const LEGACY_ENTITIES = new Set(
  `AElig AMP Aacute Acirc Agrave Aring Atilde Auml Ccedil ETH Eacute Ecirc Egrave Euml GT Iacute
  Icirc Igrave Iuml LT Ntilde Oacute Ocirc Ograve Oslash Otilde Ouml QUOT THORN Uacute Ucirc Ugrave
  Uuml Yacute aacute acirc aelig agrave amp aring atilde auml ccedil eacute ecirc egrave eth euml gt
  iacute icirc igrave iuml lt nbsp ntilde oacute ocirc ograve oslash otilde ouml quot szlig thorn
  uacute ucirc ugrave uuml yacute yuml`.split(/\s+/u),
);
const bareEntity = (whole: string, name: string) =>
  name.startsWith("#") || LEGACY_ENTITIES.has(name) ? `&${name};` : whole;

// Only known tag names, so that "a < b and c > d" is not taken for a tag.
const TAG_NAMES =
  "i|b|u|s|em|strong|sub|sup|small|big|tt|code|scp|sc|span|font|a|br|p|div|italic|bold|underline|mark|" +
  "math|mi|mn|mo|ms|mrow|msub|msup|msubsup|mfrac|msqrt|mtext|mover|munder|semantics|annotation|" +
  "inline-formula|disp-formula|tex-math|alternatives|named-content|styled-content|img|graphic|" +
  "inline-graphic|label|x";
const HTML_TAG = new RegExp(`</?(?:mml:|m:|jats:)?(?:${TAG_NAMES})(?:\\s[^<>]*)?/?>`, "giu");
const NS = "(?:mml:|m:|jats:)?";
const element = (name: string, flags = "giu") =>
  new RegExp(`<${NS}(${name})(?:\\s[^<>]*)?>([\\s\\S]*?)</${NS}\\1\\s*>`, flags);
// A formula in several renderings (JATS: TeX, MathML and an image): one of them is the text.
const FORMULA = element("inline-formula|disp-formula|alternatives");
const TEX_MATH = element("tex-math", "iu");
const MML_MATH = element("math", "iu");
// Source annotations of MathML repeat the formula as TeX.
const ANNOTATION = element("annotation|annotation-xml");
const LINE_BREAK = new RegExp(`<${NS}br\\s*/?>`, "giu");
// A superscript footnote mark: symbols anywhere; numbers or the letters a-c only at the end (or before
// a bracketed label or a dash that sets a label off) and after a whole word of four letters or more ("Deep Learning<sup>1,2</sup>",
// "…Vision<sup>a</sup>"). Anything else is an exponent ("R<sup>n</sup>", "TC<sup>0</sup>",
// "cm<sup>2</sup>", "Tori<sup>n</sup>"): when in doubt it stays.
const SUP_SYMBOL = new RegExp(`<${NS}sup(?:\\s[^<>]*)?>\\s*[*†‡∗⋆§¶#,\\s]+</${NS}sup\\s*>`, "giu");
const SUP_TRAILING = new RegExp(
  `((?<![\\p{L}\\p{N}])\\p{L}{4,}(?:[\\s*†‡∗⋆}]|</[\\w:-]+>)*)<${NS}sup(?:\\s[^<>]*)?>\\s*(?:[\\p{N}abc*†‡∗⋆](?:[,\\s]*[\\p{N}abc*†‡∗⋆]){0,4})\\s*</${NS}sup\\s*>(?=[\\s*†‡∗⋆★§¶^]*(?:$|\\s*[([{]|\\s+(?:-{2,3}|[—–])\\s))`,
  "u",
);

/** HTML, JATS and MathML markup to text: tags go, line breaks become spaces, one rendering per formula. */
function htmlToText(text: string): string {
  if (!text.includes("<")) return text;
  let t = text.replace(ANNOTATION, "");
  for (let i = 0; i < 3; i++) {
    const next = t.replace(FORMULA, (_, _name: string, inner: string) => {
      const tex = TEX_MATH.exec(inner);
      if (tex) return tex[2]!;
      const mml = MML_MATH.exec(inner);
      return mml ? mml[0] : inner;
    });
    if (next === t) break;
    t = next;
  }
  t = t.replace(LINE_BREAK, " ").replace(SUP_SYMBOL, " ").replace(SUP_TRAILING, "$1");
  return t.replace(HTML_TAG, "");
}

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
  dag: "†",
  ddag: "‡",
  textdagger: "†",
  textdaggerdbl: "‡",
  textasteriskcentered: "∗",
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
// At the end, after a whole word of four letters or more and outside math: "Title$^{1}$",
// "Vision$^{a,b}$", "Vision\\textsuperscript{1}"; never an exponent ("$\\ell^p$", "$\\mathrm{GL}^{n}$",
// "AC$^0$", "ZnO$^{2}$ (Extended Abstract)").
const TRAILING_NUMBER_MARK =
  /(?<![\p{L}\p{N}\\{])(\p{L}{4,}\}?[\s*†‡∗⋆]*)(?:\\textsuperscript\s*\{\s*[\p{N}abc,*]{1,7}\s*\}|\$\^\s*(?:\{\s*[\p{N}abc,\s*]{1,9}\}|[\p{N}abc])\s*\$)(?=[\s*†‡∗⋆★§¶^]*(?:$|\s*[([]|\s*\\?\{[^{}]*\}\s*$))/u;

/** The trailing mark goes only outside math: an even number of `$` before it. */
function dropTrailingNumberMark(text: string): string {
  const m = TRAILING_NUMBER_MARK.exec(text);
  if (!m) return text;
  const before = text.slice(0, m.index);
  if ((before.match(/\$/gu) ?? []).length % 2 === 1) return text;
  return `${before}${m[1]}${text.slice(m.index + m[0].length)}`;
}
// Colour and box commands whose first argument is not text: \textcolor{red}{word} keeps "word".
const COLOUR_ARGUMENT =
  /\\(?:textcolor|color|colorbox|fcolorbox|highlight)\s*(?:\[[^\]]*\])?\s*\{[^{}]*\}(?:\s*\{[^{}]*\}(?=\s*\{))?/gu;
const ESCAPED = /\\([&%$#_{}])/gu;
const ESCAPE_BASE = 0xe000; // private-use code points stand in for escaped characters meanwhile

/** LaTeX and BibTeX markup to plain text: `\textit{Privacy}` → `Privacy`, `$\ell_1$` → `ℓ1`. */
function latexToText(text: string): string {
  if (!/[\\${}~]/u.test(text)) return text;
  let t = text.replace(ESCAPED, (_, ch: string) => String.fromCharCode(ESCAPE_BASE + ch.charCodeAt(0)));
  t = t.replace(DROPPED_WITH_ARGUMENT, " ").replace(COLOUR_ARGUMENT, "").replace(SUPERSCRIPT_MARK, " ");
  t = dropTrailingNumberMark(t);
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

// Daggers, stars and section signs mark footnotes wherever they are; an asterisk, a caret and
// superscript digits only at the end of the title ("A* Search", "O(n²)" keep theirs), the digits only
// after a word ("Networks¹", not "L²"); a mark alone in brackets ("(*)", "[†]") too.
const FOOTNOTE_SYMBOLS = /[†‡∗⋆★☆✝✞§¶⁎⁑]+/gu;
const TRAILING_MARKS = new Set([..."*^†‡∗⋆★☆✝✞§¶⁎⁑, "]);
const SUPERSCRIPT_DIGITS = new Set([..."⁰¹²³⁴⁵⁶⁷⁸⁹"]);
const BRACKETED_MARK = /\s*[([{]\s*[*†‡∗⋆★§¶]{1,3}\s*[)\]}]\s*$/u;

function dropFootnoteMarks(title: string): string {
  let t = title;
  for (let changed = true; changed; ) {
    changed = false;
    let end = t.length;
    while (end > 0) {
      const ch = t[end - 1]!;
      if (TRAILING_MARKS.has(ch)) end--;
      // After a whole word of four letters or more: "Networks¹", not "km²" or "AC⁰".
      else if (
        SUPERSCRIPT_DIGITS.has(ch) &&
        /(?<![\p{L}\p{N}])\p{L}{4,}[⁰¹²³⁴⁵⁶⁷⁸⁹]*$/u.test(t.slice(0, end))
      )
        end--;
      else break;
    }
    const bracketed = BRACKETED_MARK.exec(t.slice(0, end));
    if (bracketed) end = bracketed.index;
    if (end < t.length) {
      t = t.slice(0, end);
      changed = true;
    }
  }
  return t.replace(FOOTNOTE_SYMBOLS, " ");
}

// ---------------------------------------------------------------------------------------------
// Track labels

/** Words that make a bracketed group a track label on their own. */
const TRACK_WORDS = new Set(
  `abstract abstracts paper papers poster posters oral orals spotlight spotlights workshop workshops
  demo demos demonstration demonstrations track tracks talk talks presentation presentations findings
  highlight highlights keynote tutorial award awards preprint session sessions short long full wip lbr srw
  abridged consortium breaking progress announcement camera ready report competition challenge nectar
  honorable honourable mention runner winner nominee finalist accepted lightning journal results sky`.split(
    /\s+/u,
  ),
);
/** Words that may accompany them inside the label. */
const LABEL_WORDS = new Set(
  `student position vision invited research industry industrial technical contributed archival non
  nonarchival doctoral late work best outstanding selected system systems main conference journal first
  proceedings brief tiny arxiv revised corrected new ext only top applied data science datasets
  benchmarks benchmark application applications resource resources reproducibility blue sky idea ideas
  senior member members extended version camera ready early career emerging in at the and of on for a an
  to with from as up`.split(/\s+/u),
);
/** Track words allowed in an unbracketed suffix after a separator ("…: Extended Abstract"). */
const SUFFIX_TRACK_WORDS = new Set("abstract paper poster oral spotlight demo preprint".split(" "));
/**
 * Notices: a group naming another publication about the title (its erratum, retraction, review,
 * supplement, an extended version) is never a label, so that the titles stay different.
 */
const NOTICE_WORDS = new Set(
  `erratum errata corrigendum corrigenda correction corrections retraction retracted withdrawn
  withdrawal addendum supplement supplementary supplemental appendix appendices review reviews survey
  reply response comment comments commentary rejoinder discussion summary expression concern
  reproducibility replication tutorial tutorials highlight highlights`.split(/\s+/u),
);

/** A word that track labels are made of ("industry", "track", "short", "paper", a venue acronym). */
export function isTrackLabelWord(word: string): boolean {
  const lower = word.toLowerCase();
  return (
    (TRACK_WORDS.has(lower) || LABEL_WORDS.has(lower) || VENUES.has(lower)) && !STOP_LABEL_WORDS.has(lower)
  );
}
const STOP_LABEL_WORDS = new Set("in at the and of on for a an to with from as up new first".split(" "));

function isLabelToken(token: string): boolean {
  const lower = token.toLowerCase();
  return (
    TRACK_WORDS.has(lower) ||
    LABEL_WORDS.has(lower) ||
    /^(19|20)\d\d$/u.test(token) ||
    /^\d{1,2}$/u.test(token) ||
    /^v\d+$/iu.test(token) ||
    VENUES.has(lower)
  );
}

/** Venue acronyms seen in track labels: "(ICML 2019)", "[AAAI-21]", "(NeurIPS 2023 Workshop)". */
const VENUES = new Set(
  `neurips nips icml iclr aaai ijcai cvpr iccv eccv wacv bmvc accv acl emnlp naacl eacl aacl coling conll
  lrec tacl kdd www sigir wsdm cikm recsys aistats uai colt alt corl rss icra iros miccai isbi interspeech
  icassp siggraph chi uist cscw mlsys tmlr jmlr icdm sdm ecml pkdd acml ijcnlp ecai aamas icaps kr ijcnn
  icpr icip icdar ecir sigmod vldb icde pods focs stoc soda icalp nsdi osdi sosp eurosys ccs ndss icse fse
  ase pldi popl gecco semeval sigdial interspeech ismir ubicomp mobicom sigcomm infocom isca asplos hpca
  l4dc midl`.split(/\s+/u),
);

/** A group of words that only names a track, e.g. "Extended Abstract", "NeurIPS 2023 Workshop", "Oral". */
function isTrackLabel(group: string, trackWords: ReadonlySet<string>): boolean {
  // "NIPS'17", "ICML’19": a venue and the year's last two digits.
  const tokens = group.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
  if (tokens.length === 0 || tokens.length > 8) return false;
  const lastWord = tokens.at(-1)!.toLowerCase();
  const namesTrack = trackWords === TRACK_WORDS && (lastWord === "track" || lastWord === "session");
  // A notice wins over "Track" or "Session": "(Erratum Track)", "(Reproducibility Track)".
  // A survey track publishes surveys under their own titles: "(Survey Track)" stays a label.
  const notice = (w: string) => NOTICE_WORDS.has(w) && !(namesTrack && (w === "survey" || w === "surveys"));
  if (tokens.some((w) => notice(w.toLowerCase()))) return false;
  // "(Workshop Report)" and "(The Journal Version Paper)" name other publications.
  if (/\bworkshop\s+report\b|\bjournal\s+version\b/iu.test(group)) return false;
  // "[v2]": an arXiv version.
  if (tokens.length === 1 && /^v\d{1,2}$/iu.test(tokens[0]!)) return true;
  // "(Extended Version)" is the journal extension, another publication; "(Extended Abstract)" is not.
  if (/\bextended\s+version\b/iu.test(group)) return false;
  const isYear = (w: string) => /^(19|20)\d\d$|^\d\d$/u.test(w);
  if (!tokens.every(isLabelToken)) {
    // "(Applied Data Science Track)", "(Survey Track)": any few words naming a track.
    return namesTrack && tokens.length <= 6 && tokens.every((w) => /^\p{L}+$/u.test(w));
  }
  if (tokens.some((w) => trackWords.has(w.toLowerCase()))) return true;
  // A known venue and its year: "(ICML 2019)", "[AAAI-21]"; not "(COVID-19)".
  return trackWords === TRACK_WORDS && tokens.some(isYear) && tokens.some((w) => VENUES.has(w.toLowerCase()));
}

// "… arXiv preprint arXiv:1706.03762v2", as citation exports append it (matched from its last
// "arxiv" on, so that a long title costs one scan), also in brackets: "(arXiv:1706.03762)".
const ARXIV_ID = String.raw`(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?`;
const ARXIV_REFERENCE = new RegExp(
  String.raw`^(?:arxiv\s+preprint\s*)?(?:arxiv\s*(?::|\s)\s*)?${ARXIV_ID}\s*[)\]]?\s*$`,
  "iu",
);
const ARXIV_GROUP = new RegExp(
  String.raw`\s*[([]\s*(?:arxiv\s+preprint\s*)?(?:arxiv|abs)\s*(?::|\s)\s*${ARXIV_ID}\s*[)\]]\s*`,
  "giu",
);

function dropArxivReference(title: string): string {
  if (!/arxiv|abs/iu.test(title)) return title;
  const t = title.replace(ARXIV_GROUP, " ").trim();
  const lower = t.toLowerCase();
  let at = lower.lastIndexOf("arxiv");
  if (at < 0 || !ARXIV_REFERENCE.test(t.slice(at))) return t;
  const preprint = lower.lastIndexOf("arxiv preprint", at);
  if (preprint >= 0 && ARXIV_REFERENCE.test(t.slice(preprint))) at = preprint;
  const rest = t.slice(0, at).replace(/[\s,.]+$/u, "");
  return /[\p{L}\p{N}]/u.test(rest) ? rest : t;
}
const LEADING_PREFIX = /^\s*([\p{L}\s]{2,40}?)\s*:\s*/u;
const TRAILING_GROUP = /\s*[([]([^()[\]]*)[)\]]\s*$/u;
const LEADING_GROUP = /^\s*[([]([^()[\]]*)[)\]]\s*/u;
const TRAILING_SUFFIX = /\s*(?:[:|–—,]|\s-(?!-)|\s?-{2,}|\.\s)\s*([\p{L}\s.]+)$/u;

/** A track label in BibTeX braces at the end ("Title {Extended Abstract}"), before the braces go. */
function dropBraceLabel(title: string, labels: LabelMark[]): string {
  const m = /\s*\{([^{}]*)\}\s*$/u.exec(title);
  if (!m || !/\s/u.test(m[1]!.trim()) || !isTrackLabel(m[1]!, TRACK_WORDS)) return title;
  const rest = title.slice(0, m.index);
  if (!/[\p{L}\p{N}]/u.test(rest)) return title;
  labels.push(...labelMarks(m[1]!, rest));
  return rest;
}

/** Drops track labels at either end, repeatedly ("Title (Extended Abstract) [Oral]"). */
function dropTrackLabels(title: string, labels: LabelMark[]): string {
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
      // After a comma or a double dash only a label of two words or more ("--- Extended Abstract"):
      // "Rock, Paper" and "Concrete, Abstract" are titles.
      if (
        pattern === TRAILING_SUFFIX &&
        /^\s*(?:,|\s?-{2,})/u.test(m[0]) &&
        !/\p{L}\s+\p{L}/u.test(m[1]!.trim())
      )
        continue;
      const rest = `${t.slice(0, m.index)} ${t.slice(m.index + m[0].length)}`.trim();
      // Never reduce a title to nothing: "[Oral]" alone stays.
      if (!/[\p{L}\p{N}]/u.test(rest)) continue;
      labels.push(...labelMarks(m[1]!, rest));
      t = rest.replace(/[\s:|–—,-]+$/u, "");
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
