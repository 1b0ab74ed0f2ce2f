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
}

const SUFFIX = /^(jr|sr|ii|iii|iv|v)\.?$/iu;
const ET_AL = /\bet\.?\s*al\b\.?|\band\s+others\b|^others$/giu;

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

function scriptOf(token: string): string {
  if (/\p{Script=Greek}/u.test(token)) return "greek";
  if (/\p{Script=Cyrillic}/u.test(token)) return "cyrillic";
  if (/\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul}/u.test(token)) return "cjk";
  if (/\p{Script=Arabic}|\p{Script=Hebrew}/u.test(token)) return "rtl";
  return "latin";
}

/** An initials token: "J.", "J.M.", or a short all-capital group written after a family name ("JM"). */
function isInitials(token: string): boolean {
  return /^(\p{Lu}\.?-?){1,3}$/u.test(token) || /^\p{L}\.$/u.test(token);
}

function keysOfOrdered(given: string[], family: string[]): NameKey[] {
  // "van der Berg" is compared on "Berg"; "Le" in "Quoc V. Le" is the family name itself.
  const familyWords = [...family];
  while (familyWords.length > 1 && SUFFIX.test(familyWords.at(-1)!)) familyWords.pop();
  const last = familyWords.at(-1);
  if (last === undefined) return [];
  const initial = foldNamePart(given[0] ?? "").slice(0, 1);
  // A hyphenated family name also matches its last part ("Smith-Jones" / "Jones").
  const families = new Set([foldNamePart(last), foldNamePart(last.split("-").at(-1) ?? "")]);
  return [...families].filter((f) => f.length >= 2).map((f) => ({ family: f, initial }));
}

/** Keys of a name written without commas: "First [Middle] Last", or "Last Initials" ("Smith JM"). */
function keysOfPlain(words: string[]): NameKey[] {
  const parts = [...words];
  while (parts.length > 1 && SUFFIX.test(parts.at(-1)!)) parts.pop();
  if (parts.length === 0) return [];
  if (parts.length === 1) return keysOfOrdered([], parts);
  const keys: NameKey[] = [];
  if (isInitials(parts.at(-1)!) && !isInitials(parts[0]!)) {
    keys.push(...keysOfOrdered(parts.slice(1), parts.slice(0, 1)));
  } else {
    keys.push(...keysOfOrdered(parts.slice(0, -1), parts.slice(-1)));
    // Two family names ("Gabriel García Márquez" / "G. García").
    if (parts.length >= 3 && !isInitials(parts.at(-2)!))
      keys.push(...keysOfOrdered(parts.slice(0, 1), [parts.at(-2)!]));
  }
  return keys;
}

function keysOfOne(raw: string): NameKey[] {
  // Affiliation marks after a name ("A. Radford1", "Kim*†") are not part of it.
  const name = raw
    .replace(/[\d*†‡§¶⁰¹²³⁴⁵⁶⁷⁸⁹]+(?=[\s,]|$)/gu, "")
    .replace(/\./gu, ". ")
    .replace(/\s+/gu, " ")
    .trim();
  if (name === "") return [];
  const tokens = name.split(/[\s,]+/u).filter((t) => /[\p{L}\p{N}]/u.test(t));
  const scripts = new Set(tokens.map(scriptOf));
  // One person written in several scripts: read each script's words as a name of its own.
  if (scripts.size > 1) {
    return [...scripts].flatMap((script) => keysOfPlain(tokens.filter((t) => scriptOf(t) === script)));
  }
  const commaParts = name
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "" && !SUFFIX.test(p));
  const words = (s: string) => s.split(" ").filter((w) => w !== "");
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

/** Keys of one author entry; an entry may hold several people joined by " and " (BibTeX). */
export function nameKeys(raw: string): NameKey[][] {
  const cleaned = raw.normalize("NFKC").replace(ET_AL, " ");
  return cleaned
    .split(/\s+and\s+|;/u)
    .flatMap((entry) => {
      // A comma list of full names ("Alec Radford, Jong Wook Kim, Chris Hallacy") is several people.
      const parts = entry.split(",").map((p) => p.trim());
      const fullNames = parts.length > 2 && parts.every((p) => p.split(/\s+/u).length >= 2);
      return fullNames ? parts : [entry];
    })
    .map((person) => [...keysOfOne(person), ...wholeNameKey(person)])
    .filter((keys) => keys.length > 0);
}

/** The whole name as a set of words, so that "Zhang Wei" and "Wei Zhang" agree (but not "Wei Zhou"). */
function wholeNameKey(person: string): NameKey[] {
  const words = person
    .split(/[\s,]+/u)
    .map(foldNamePart)
    .filter((w) => w.length >= 2);
  if (words.length < 2) return [];
  return [{ family: `=${[...new Set(words)].sort().join(" ")}`, initial: "" }];
}

// Initials differ between transliterations: Κωνσταντίνος / Constantinos.
const sameInitial = (a: string, b: string) =>
  a === b || a === "" || b === "" || (/^[ck]$/u.test(a) && /^[ck]$/u.test(b));

function keysMatch(a: NameKey, b: NameKey): boolean {
  return a.family === b.family && sameInitial(a.initial, b.initial);
}

/**
 * Whether two author lists share at least one person; `undefined` when either side has no usable
 * name (no evidence either way). Lists may be truncated or end in "et al.".
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
  return people1.some((keys1) =>
    people2.some((keys2) => keys1.some((a) => keys2.some((b) => keysMatch(a, b)))),
  );
}
