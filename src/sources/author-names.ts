/**
 * Author names as evidence for a title match. Names arrive in every form real records use: "First
 * Last", "Last, First", initials with or without dots and middle initials ("D. Responte" / "Donald J.
 * Responte"), family name first ("Smith JM"), accents or transliterations ("Müller" / "Mueller"), one
 * person in two scripts ("Kyriacos, Κυριάκος, Athanasiou, Αθανασίου"), "et al." and "and others". Each
 * name becomes one or more keys (family name, first initial); two names match when any keys agree.
 */

export interface NameKey {
  family: string;
  /** First letter of the first given name, "" when unknown. */
  initial: string;
  /** First letters of every given name ("Geoffrey E." → "ge"); a middle initial may be missing on one side. */
  initials?: string;
  /** The first given name folded, when written out ("yurii"): transliterations may differ in its first letter. */
  given?: string;
}

import { markupToText } from "./title-clean.js";

// Suffixes only in suffix position: after the family name or after a comma at the end ("John Smith
// V", "Smith, John, Jr."); a leading "V." is an initial.
const SUFFIX = /^(?:(?:jr|sr|ii|iii|iv|2nd|3rd)\.?|v)$/iu;
// Degrees and honorifics are not names: "Prof. Yoshua Bengio", "Yoshua Bengio, PhD".
const HONORIFIC = /^(?:prof|professor|dr|mr|mrs|ms|mx|sir|dame|rev)\.?$/iu;
// Degrees only where they are written as degrees: a multi-letter form ("PhD", "MSc") anywhere, and
// after a comma also a dotted or capital one ("Yi Ma, M.A.", "Smith, MBA"); "Ma", "Ba", "Mba" are names.
const DEGREE_WORD = /^(?:ph\.?d|d\.?phil|m\.?sc|b\.?sc|m\.?eng|frs|ieee|fellow)\.?$/iu;
const DEGREE_PART =
  /^(?:ph\.?\s?d\.?|d\.?\s?phil\.?|m\.?\s?sc\.?|b\.?\s?sc\.?|m\.?\s?eng\.?|MBA|frs|ieee|fellow)$/iu;
// Dotted two-letter degrees read also as initials ("Smith, M. A."): a degree only after a full name.
const DOTTED_DEGREE = /^(?:m\.\s?a|b\.\s?a|m\.\s?d)\.$/iu;
const isDegreePart = (part: string) => DEGREE_PART.test(part.trim());
// Truncation: "et al.", "and others", "u.a.", "+ 7 more", "and 7 others", "...", "…".
const TRUNCATION =
  /\bet\.?\s*al\b\.?|\betal\b\.?|\bu\.\s?a\.|(?:\band\s+|\+\s*)\d*\s*(?:others|more)\b|^\s*others\s*$|\.{3,}|…/giu;
// Name particles written apart or joined: "Le Cun" / "LeCun", "Van Gool" / "VanGool".
const PARTICLES = new Set(
  "de da di del della dei der den des van von le la du dos das ten ter st al el bin ibn zu af av".split(" "),
);

// Letters that accent folding (NFD) does not decompose.
const LETTER_FOLDS: Record<string, string> = {
  ß: "ss",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  ı: "i",
  æ: "ae",
  œ: "oe",
  þ: "th",
};

const GREEK_TO_LATIN: Record<string, string> = {
  α: "a",
  β: "b",
  γ: "g",
  δ: "d",
  ε: "e",
  ζ: "z",
  η: "i",
  θ: "th",
  ι: "i",
  κ: "k",
  λ: "l",
  μ: "m",
  ν: "n",
  ξ: "x",
  ο: "o",
  π: "p",
  ρ: "r",
  σ: "s",
  ς: "s",
  τ: "t",
  υ: "y",
  φ: "f",
  χ: "ch",
  ψ: "ps",
  ω: "o",
};
const CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя";
const CYRILLIC_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" ");
const CYRILLIC_TO_LATIN: Record<string, string> = Object.fromEntries(
  [...CYRILLIC].map((ch, i) => [ch, CYRILLIC_LATIN[i] ?? ""]),
);

/**
 * Case-, accent- and transliteration-folded form of one name part, used on both sides alike:
 * "Müller", "Mueller" and "Muller" all become "muller"; Greek and Cyrillic are romanised.
 */
export function foldNamePart(part: string): string {
  let folded = FOLDED.get(part);
  if (folded === undefined) {
    folded = foldUncached(part);
    if (FOLDED.size >= FOLDED_MAX) FOLDED.clear();
    FOLDED.set(part, folded);
  }
  return folded;
}

/** Names recur across papers and answers: folding each once saves most of the matcher's time on them. */
const FOLDED = new Map<string, string>();
const FOLDED_MAX = 100_000;

function foldUncached(part: string): string {
  let s = part.normalize("NFKC").toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
  s = s.replace(/ου/gu, "ou").replace(/αι/gu, "ai").replace(/ει/gu, "ei");
  s = [...s].map((ch) => LETTER_FOLDS[ch] ?? GREEK_TO_LATIN[ch] ?? CYRILLIC_TO_LATIN[ch] ?? ch).join("");
  // German transliteration of umlauts (ue for ü): dropping the e on both sides makes them agree.
  s = s.replace(/([aou])e/gu, "$1");
  return s.replace(/[^\p{L}\p{N}]/gu, "");
}

// Scripts whose names cannot be compared with a romanised spelling: "何恺明" / "Kaiming He" is no evidence.
function scriptOf(token: string): string {
  if (/\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul}/u.test(token)) return "cjk";
  if (/\p{Script=Greek}/u.test(token)) return "greek";
  if (/\p{Script=Cyrillic}/u.test(token)) return "cyrillic";
  if (/\p{Script=Arabic}|\p{Script=Hebrew}/u.test(token)) return "rtl";
  if (/\p{Script=Latin}/u.test(token)) return "latin";
  if (/\p{L}/u.test(token)) return "other";
  return "latin";
}
/**
 * Greek and Cyrillic are romanised by `foldNamePart`; Hebrew, Arabic and other alphabets are compared
 * too (two lists sharing nobody count against). Only Chinese, Japanese and Korean names have no
 * spelling to compare with a romanised one ("何恺明" / "Kaiming He").
 */
const comparableClass = (script: string) => (script === "cjk" ? "cjk" : "latin");

/** An initials token: "J.", "J.M.", "X.-Y.", or a short all-capital group written after a family name ("JM"). */
function isInitials(token: string): boolean {
  return /^(\p{Lu}\.?-?){1,3}$/u.test(token) || /^\p{L}\.(-?\p{L}\.)*$/u.test(token);
}

function initialsOf(given: readonly string[]): string {
  return given
    .flatMap((g) => (isInitials(g) && !g.includes(".") && g.length > 1 ? [...g] : [g]))
    .map((g) => foldNamePart(g).slice(0, 1))
    .filter((c) => c !== "")
    .join("");
}

function keysOfOrdered(given: string[], family: string[]): NameKey[] {
  // "van der Berg" is compared on "Berg" and on "vanderBerg"; "Le" in "Quoc V. Le" is the family name.
  const familyWords = family.filter((w, k) => k === 0 || !SUFFIX.test(w));
  const last = familyWords.at(-1);
  if (last === undefined) return [];
  const initials = initialsOf(given);
  const initial = initials.slice(0, 1);
  const first = given[0] !== undefined && !isInitials(given[0]) ? foldNamePart(given[0]) : "";
  const families = new Set([foldNamePart(last)]);
  // A hyphenated family name also matches either part ("Smith-Jones" / "Jones" / "Smith").
  for (const part of last.split("-")) families.add(foldNamePart(part));
  // Particles joined or apart: "Le Cun" = "LeCun", "De Luca" = "Luca".
  let k = familyWords.length - 1;
  let joined = foldNamePart(last);
  while (k > 0 && (PARTICLES.has(familyWords[k - 1]!.toLowerCase()) || familyWords.length > 1)) {
    joined = foldNamePart(familyWords[k - 1]!) + joined;
    families.add(joined);
    k--;
  }
  // Two family names written "Last, First": "Martínez Sierra, José María" is also "José Martínez".
  const firstFamily = familyWords.find((w) => !PARTICLES.has(w.toLowerCase()));
  if (firstFamily && familyWords.length >= 2) families.add(foldNamePart(firstFamily));
  return [...families]
    .filter((f) => f.length >= 2)
    .map((f) =>
      first.length >= 2 ? { family: f, initial, initials, given: first } : { family: f, initial, initials },
    );
}

/** Keys of a name written without commas: "First [Middle] Last", or "Last Initials" ("Smith JM"). */
function keysOfPlain(words: string[]): NameKey[] {
  // A suffix only after two name words at least ("John Smith V"; "Smith V" is Smith, initial V).
  const parts = words.length >= 3 && SUFFIX.test(words.at(-1)!) ? words.slice(0, -1) : words;
  if (parts.length === 0) return [];
  if (parts.every(isInitials)) {
    // "Y. LI", "K. HE": a capital word without dots beside dotted initials is the family name (Li, He,
    // Ng, Le, Wu); a capital group alone ("AR") is a family name or the initials of a whole name.
    const undotted = parts.filter((w) => !w.includes(".") && w.length >= 2);
    if (undotted.length === 0) return [];
    const keys = undotted.flatMap((fam) =>
      keysOfOrdered(
        parts.filter((w) => w !== fam),
        [fam],
      ),
    );
    if (parts.length === 1) keys.push({ family: `#${foldNamePart(parts[0]!)}`, initial: "" });
    return keys;
  }
  if (parts.length === 1) return keysOfOrdered([], parts);
  const keys: NameKey[] = [];
  // All capitals ("ANDREW NG"): the last word may be a family name rather than initials.
  const allCaps = parts.every((w) => !/\p{Ll}/u.test(w));
  if (allCaps && isInitials(parts.at(-1)!) && !parts.at(-1)!.includes(".")) {
    keys.push(...keysOfOrdered(parts.slice(0, -1), parts.slice(-1)));
  }
  if (isInitials(parts.at(-1)!) && !isInitials(parts[0]!)) {
    let end = parts.length;
    while (end > 1 && isInitials(parts[end - 1]!)) end--;
    keys.push(...keysOfOrdered(parts.slice(end), parts.slice(0, end)));
  } else {
    // Particles before the family name belong to it: "Y. Le Cun", "Luc Van Gool".
    let start = parts.length - 1;
    while (start > 1 && PARTICLES.has(parts[start - 1]!.toLowerCase())) start--;
    keys.push(...keysOfOrdered(parts.slice(0, start), parts.slice(start)));
    if (start < parts.length - 1) keys.push(...keysOfOrdered(parts.slice(0, start), parts.slice(-1)));
    // Two family names ("Gabriel García Márquez" / "G. García").
    if (parts.length >= 3 && !isInitials(parts.at(-2)!) && !PARTICLES.has(parts.at(-2)!.toLowerCase()))
      keys.push(...keysOfOrdered(parts.slice(0, 1), [parts.at(-2)!]));
  }
  return keys;
}

const words = (s: string) => s.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));

/** Keys of one person's name (already without marks, honorifics and truncation). */
function keysOfOne(name: string): NameKey[] {
  const tokens = name.split(/[\s,]+/u).filter((t) => /[\p{L}\p{N}]/u.test(t));
  const scripts = new Set(tokens.map(scriptOf));
  // One person written in several scripts: read each script's words as a name of its own.
  if (scripts.size > 1) {
    return [...scripts].flatMap((script) => keysOfPlain(tokens.filter((t) => scriptOf(t) === script)));
  }
  const commaParts = name
    .split(",")
    .map((p) => p.trim())
    .filter((p, k) => /[\p{L}]/u.test(p) && !(k >= 1 && /^(?:jr|sr|ii|iii|iv)\.?$/iu.test(p)));
  if (commaParts.length === 2) {
    // "Last, First", or "First Last, Affiliation".
    const first = words(commaParts[0]!);
    return [...keysOfOrdered(words(commaParts[1]!), first), ...(first.length >= 2 ? keysOfPlain(first) : [])];
  }
  if (commaParts.length > 2) {
    // Ambiguous: "Last, First, …" or a list of words; both readings count.
    return [
      ...keysOfOrdered(words(commaParts[1]!), words(commaParts[0]!)),
      ...keysOfPlain(commaParts.flatMap(words)),
    ];
  }
  return keysOfPlain(words(commaParts[0] ?? ""));
}

const MAX_AUTHOR_ENTRY_CHARS = 20_000;

/** One entry as text: markup decoded, marks, e-mails, honorifics, truncation and notes removed. */
function cleanEntry(raw: string): string {
  let t = raw
    .normalize("NFKC")
    // Superscript marks go whole, before the markup is decoded ("Radford<sup>1</sup>", "$^{a}$").
    .replace(/<sup\b[^<>]*>[^<>]*<\/sup\s*>/giu, " ")
    .replace(/\$?\^\s*(?:\{[^{}]*\}|[\p{L}\p{N}*†‡]+|\\[a-z]+)\$?|\\textsuperscript\s*\{[^{}]*\}/gu, " ");
  // A whole author list in one string may be long: none of its names is cut off.
  t = markupToText(t, MAX_AUTHOR_ENTRY_CHARS)
    .replace(/<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?/gu, " ")
    .replace(TRUNCATION, " ")
    .replace(/[\d*†‡§¶⁰¹²³⁴⁵⁶⁷⁸⁹∗⋆✉✝#]+/gu, " ");
  // Bracketed notes ("(OpenAI)", "(1)") go; the same name in another script stays ("Κυριάκος (Kyriacos)").
  const outside = t.replace(/[([][^()[\]]*[)\]]/gu, " ");
  const outsideScripts = new Set(words(outside).map(scriptOf));
  t = t.replace(/[([]([^()[\]]*)[)\]]/gu, (_, inner: string) =>
    words(inner).some((w) => !outsideScripts.has(scriptOf(w))) ? ` ${inner} ` : " ",
  );
  t = t.replace(/\./gu, ". ").replace(/\s+/gu, " ");
  // Honorifics before a name and degrees after it.
  const parts = t.split(",");
  const kept = parts
    .map((part) => {
      const ws = part.trim().split(" ");
      while (ws.length > 1 && HONORIFIC.test(ws[0]!)) ws.shift();
      return ws.filter((w, k) => k === 0 || !DEGREE_WORD.test(w)).join(" ");
    })
    .filter(
      (part, k, all) =>
        /\p{L}/u.test(part) &&
        !(k >= 1 && (isDegreePart(part) || (DOTTED_DEGREE.test(part) && words(all[k - 1]!).length >= 2))),
    );
  // A lone lower-case letter after a name is an affiliation mark ("Alec Radford a").
  return kept
    .join(", ")
    .replace(/\s\p{Ll}(?=\s*(?:,|$))/gu, " ")
    .replace(/[\s,-]+$/u, "")
    .trim();
}

/** Parts of a comma list that are initials only ("A.", "J. M.", "N"), as in "Vaswani, A., Shazeer, N.". */
const isInitialsPart = (part: string) => {
  const ws = words(part);
  return ws.length > 0 && ws.length <= 3 && ws.every(isInitials);
};

/** The people of one comma-separated chunk; every plausible reading of an ambiguous one counts. */
function peopleOfChunk(chunk: string): string[][] {
  const parts = chunk
    .split(",")
    .map((p) => p.trim())
    .filter((p) => /\p{L}/u.test(p));
  if (parts.length <= 1) return [[chunk]];
  // "Vaswani, A., Shazeer, N., Parmar, N.": family names and initials in turn.
  if (parts.length % 2 === 0 && parts.every((p, i) => (i % 2 === 1) === isInitialsPart(p))) {
    const out: string[][] = [];
    for (let i = 0; i < parts.length; i += 2) out.push([`${parts[i]}, ${parts[i + 1]}`]);
    return out;
  }
  const full = parts.filter((p) => words(p).length >= 2);
  if (parts.length > 2 && full.length >= parts.length - 1) return parts.map((p) => [p]);
  if (parts.length === 2 && full.length === 2 && !isInitialsPart(parts[1]!)) {
    // "Ashish Vaswani, Noam Shazeer" or "Martínez Sierra, José María": both readings.
    return [[chunk, parts[0]!], [parts[1]!]];
  }
  return [[chunk]];
}

/** Keys of one author entry; an entry may hold several people ("A and B", "A; B", "A & B", "A, B, and C"). */
export function nameKeys(raw: string): NameKey[][] {
  let keys = KEYS.get(raw);
  if (keys === undefined) {
    keys = nameKeysUncached(raw);
    if (KEYS.size >= FOLDED_MAX) KEYS.clear();
    KEYS.set(raw, keys);
  }
  return keys;
}

/** The same names recur in every answer about a paper: each entry is read once. */
const KEYS = new Map<string, NameKey[][]>();

function nameKeysUncached(raw: string): NameKey[][] {
  const entry = cleanEntry(raw);
  if (entry === "") return [];
  return entry
    .split(/\s+(?:and|und|et)\s+|\s*[;&|]\s*/u)
    .map((chunk) => chunk.replace(/^[\s,]+|[\s,]+$/gu, ""))
    .filter((chunk) => /\p{L}/u.test(chunk))
    .flatMap(peopleOfChunk)
    .map((readings) => readings.flatMap((person) => [...keysOfOne(person), ...wholeNameKey(person)]))
    .filter((keys) => keys.length > 0);
}

/**
 * The whole name as a set of words, so that "Zhang Wei" / "Wei Zhang" agree, and its initials
 * ("Alec Radford" is "#ar", as a record giving only "AR" writes it). Vietnamese middle names may be
 * left out ("Nguyễn Văn An" / "An Nguyen"); no other word may.
 */
function wholeNameKey(person: string): NameKey[] {
  const raw = person.split(/[\s,]+/u).filter((w) => /\p{L}/u.test(w));
  const ws = raw.map(foldNamePart).filter((w) => w.length >= 2);
  if (ws.length < 2 || ws.length !== raw.length) return [];
  const key = [...new Set(ws.filter((w) => !VIETNAMESE_MIDDLE.has(w)))].sort().join(" ");
  return [
    { family: `=${key}`, initial: "" },
    { family: `%${ws.map((w) => w[0]).join("")}`, initial: "" },
  ];
}
const VIETNAMESE_MIDDLE = new Set(["van", "thi"]);

/**
 * Transliterations of one given name whose first letters differ (Κωνσταντίνος / Constantinos /
 * Konstantinos, Юрий / Yurii / Iurii / Jurij): only written-out names, never bare initials.
 */
const transliterated = (given: string) =>
  given
    .replace(/[yj]/gu, "i")
    .replace(/c/gu, "k")
    .replace(/(.)\1+/gu, "$1");

/**
 * The first initials agree ("Yang" / "Jie" and "John M." / "Mary" do not); a middle initial may be
 * missing on one side, but two middle initials must agree.
 */
function sameInitial(a: NameKey, b: NameKey): boolean {
  if (a.initial === "" || b.initial === "") return true;
  if (a.initial !== b.initial) {
    if (a.given === undefined || b.given === undefined) return false;
    return transliterated(a.given) === transliterated(b.given);
  }
  const [ia, ib] = [a.initials ?? a.initial, b.initials ?? b.initial];
  return ia.length < 2 || ib.length < 2 || ia[1] === ib[1];
}

function keysMatch(a: NameKey, b: NameKey): boolean {
  const [ma, mb] = [a.family[0], b.family[0]];
  const marked = (m: string | undefined) => m === "=" || m === "#" || m === "%";
  if (marked(ma) || marked(mb)) {
    // Whole names agree with whole names; initials alone ("AR") with a whole name's ("Alec Radford").
    if (ma === "=" || mb === "=") return a.family === b.family;
    return (
      ((ma === "#" && mb === "%") || (ma === "%" && mb === "#")) && a.family.slice(1) === b.family.slice(1)
    );
  }
  return a.family === b.family && sameInitial(a, b);
}

const classesOf = (keys: readonly NameKey[]) =>
  new Set(keys.map((k) => comparableClass(scriptOf(k.family.replace(/^[=#%]/u, "")))));

/**
 * Whether two author lists share at least one person; `undefined` when either side has no usable
 * name, or when no name of one side is written in a script comparable with the other's (no evidence
 * either way). Lists may be truncated or end in "et al.".
 */
export function sharesAuthor(
  authors1: readonly unknown[] | null | undefined,
  authors2: readonly unknown[] | null | undefined,
): boolean | undefined {
  const evidence = authorEvidence(authors1, authors2);
  return evidence === "shared" ? true : evidence === "none_shared" ? false : undefined;
}

/**
 * What two author lists say: they share someone, they share nobody, one has no usable name, or every
 * name of one is in a script that none of the other's can be compared with (all-CJK / all-Latin).
 */
export function authorEvidence(
  authors1: readonly unknown[] | null | undefined,
  authors2: readonly unknown[] | null | undefined,
): "shared" | "none_shared" | "no_names" | "incomparable" {
  const parse = (list: readonly unknown[] | null | undefined) =>
    (list ?? []).flatMap((n) => (typeof n === "string" ? nameKeys(n) : []));
  const people1 = parse(authors1);
  const people2 = parse(authors2);
  if (people1.length === 0 || people2.length === 0) return "no_names";
  if (
    people1.some((keys1) => people2.some((keys2) => keys1.some((a) => keys2.some((b) => keysMatch(a, b)))))
  ) {
    return "shared";
  }
  const classes2 = new Set(people2.flatMap((keys) => [...classesOf(keys)]));
  return people1.some((keys) => [...classesOf(keys)].some((c) => classes2.has(c)))
    ? "none_shared"
    : "incomparable";
}
