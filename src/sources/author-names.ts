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
  /** First letters of every given name ("Geoffrey E." → "ge"); a middle initial alone also agrees. */
  initials?: string;
}

import { markupToText } from "./title-clean.js";

const SUFFIX = /^(jr|sr|ii|iii|iv|v|2nd|3rd)\.?$/iu;
// Degrees and honorifics are not names: "Prof. Yoshua Bengio", "Yoshua Bengio, PhD".
const HONORIFIC = /^(?:prof|professor|dr|mr|mrs|ms|mx|sir|dame|rev)\.?$/iu;
const DEGREE = /^(?:ph\.?\s?d|d\.?\s?phil|m\.?d|m\.?sc|b\.?sc|m\.?a|b\.?a|mba|m\.?eng|frs|ieee|fellow)\.?$/iu;
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
/** Greek and Cyrillic are romanised by `foldNamePart`; other scripts compare only with themselves. */
const comparableClass = (script: string) =>
  script === "greek" || script === "cyrillic" || script === "latin" ? "latin" : script;

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
  const familyWords = family.filter((w) => !SUFFIX.test(w) && !DEGREE.test(w));
  const last = familyWords.at(-1);
  if (last === undefined) return [];
  const initials = initialsOf(given);
  const initial = initials.slice(0, 1);
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
  return [...families].filter((f) => f.length >= 2).map((f) => ({ family: f, initial, initials }));
}

/** Keys of a name written without commas: "First [Middle] Last", or "Last Initials" ("Smith JM"). */
function keysOfPlain(words: string[]): NameKey[] {
  const parts = words.filter((w) => !SUFFIX.test(w) && !DEGREE.test(w));
  if (parts.length === 0) return [];
  // Initials alone ("AR") name nobody.
  if (parts.every(isInitials)) return [];
  if (parts.length === 1) return keysOfOrdered([], parts);
  const keys: NameKey[] = [];
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
    .filter((p) => /[\p{L}]/u.test(p) && !SUFFIX.test(p) && !DEGREE.test(p));
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

/** One entry as text: markup decoded, marks, e-mails, honorifics, truncation and notes removed. */
function cleanEntry(raw: string): string {
  let t = raw
    .normalize("NFKC")
    // Superscript marks go whole, before the markup is decoded ("Radford<sup>1</sup>", "$^{a}$").
    .replace(/<sup\b[^<>]*>[^<>]*<\/sup\s*>/giu, " ")
    .replace(/\$?\^\s*(?:\{[^{}]*\}|[\p{L}\p{N}*†‡]+|\\[a-z]+)\$?|\\textsuperscript\s*\{[^{}]*\}/gu, " ");
  t = markupToText(t)
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
  const kept = t
    .split(",")
    .map((part) => {
      const ws = part.trim().split(" ");
      while (ws.length > 1 && HONORIFIC.test(ws[0]!)) ws.shift();
      return ws.filter((w) => !DEGREE.test(w) || /^\p{Lu}{2}$/u.test(w)).join(" ");
    })
    .filter((part) => /\p{L}/u.test(part) && !/^(?:ph\.?\s?d\.?|m\.?\s?d\.?)$/iu.test(part.trim()));
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

/** The whole name as a set of words, so that "Zhang Wei" / "Wei Zhang" and "Nguyễn Văn An" / "An Nguyen" agree. */
function wholeNameKey(person: string): NameKey[] {
  const ws = person
    .split(/[\s,]+/u)
    .map(foldNamePart)
    .filter((w) => w.length >= 2);
  if (ws.length < 2) return [];
  return [{ family: `=${[...new Set(ws)].sort().join(" ")}`, initial: "" }];
}

// Initials differ between transliterations: Κωνσταντίνος / Constantinos, Юрий / Yurii / Iurii.
const INITIAL_CLASS: Record<string, string> = { c: "k", y: "i", j: "i" };
const initialClass = (c: string) => INITIAL_CLASS[c] ?? c;

function sameInitial(a: NameKey, b: NameKey): boolean {
  if (a.initial === "" || b.initial === "") return true;
  const setA = new Set([...(a.initials ?? a.initial)].map(initialClass));
  const setB = new Set([...(b.initials ?? b.initial)].map(initialClass));
  // The first initial of one is among the other's ("Geoffrey E. Hinton" / "E. Hinton").
  return setB.has(initialClass(a.initial)) || setA.has(initialClass(b.initial));
}

function keysMatch(a: NameKey, b: NameKey): boolean {
  if (a.family.startsWith("=") || b.family.startsWith("=")) {
    if (!a.family.startsWith("=") || !b.family.startsWith("=")) return false;
    // One whole name within the other ("An Nguyen" in "Nguyen Van An").
    const [x, y] = [a.family.slice(1).split(" "), b.family.slice(1).split(" ")];
    const [small, large] = x.length <= y.length ? [x, new Set(y)] : [y, new Set(x)];
    return small.every((w) => large.has(w));
  }
  return a.family === b.family && sameInitial(a, b);
}

const classesOf = (keys: readonly NameKey[]) =>
  new Set(keys.map((k) => comparableClass(scriptOf(k.family.replace(/^=/u, "")))));

/**
 * Whether two author lists share at least one person; `undefined` when either side has no usable
 * name, or when no name of one side is written in a script comparable with the other's (no evidence
 * either way). Lists may be truncated or end in "et al.".
 */
export function sharesAuthor(
  authors1: readonly unknown[] | null | undefined,
  authors2: readonly unknown[] | null | undefined,
): boolean | undefined {
  const parse = (list: readonly unknown[] | null | undefined) =>
    (list ?? []).flatMap((n) => (typeof n === "string" ? nameKeys(n) : []));
  const people1 = parse(authors1);
  const people2 = parse(authors2);
  if (people1.length === 0 || people2.length === 0) return undefined;
  if (
    people1.some((keys1) => people2.some((keys2) => keys1.some((a) => keys2.some((b) => keysMatch(a, b)))))
  ) {
    return true;
  }
  const classes2 = new Set(people2.flatMap((keys) => [...classesOf(keys)]));
  return people1.some((keys) => [...classesOf(keys)].some((c) => classes2.has(c))) ? false : undefined;
}
