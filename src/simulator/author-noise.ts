import { pick, type Random } from "./prng.js";

/**
 * Author-list noise of scraped inputs: "Last, First", diacritics stripped, "First Author, et al.", the
 * whole list in one string ("A. Vaswani, N. Shazeer, N. Parmar, ...", "Vaswani, A., Shazeer, N., &
 * Parmar, N.", "Ashish Vaswani, Noam Shazeer, and Niki Parmar"), honorifics ("Prof."), affiliation
 * marks in markup ("<sup>1</sup>", "$^{1}$") and accents as HTML entities ("Sch&ouml;lkopf").
 */

export type AuthorNoiseForm =
  | "last-first"
  | "no-accents"
  | "et-al"
  | "combined"
  | "honorific"
  | "markup"
  | "entities";

const ENTITY: Readonly<Record<string, string>> = {
  á: "&aacute;",
  é: "&eacute;",
  ë: "&euml;",
  í: "&iacute;",
  ó: "&oacute;",
  Ó: "&Oacute;",
  ö: "&ouml;",
  ü: "&uuml;",
  è: "&egrave;",
  ø: "&oslash;",
  ć: "&#263;",
};

const initialOf = (name: string) => {
  const space = name.lastIndexOf(" ");
  return space < 0 ? { first: "", last: name } : { first: name.slice(0, space), last: name.slice(space + 1) };
};

/** The list as one string, in one of the forms citation exports use. */
function combined(random: Random, names: readonly string[]): string {
  const shown = names.length > 3 ? names.slice(0, 3) : [...names];
  const more = names.length > shown.length;
  const style = Math.floor(random() * 3);
  if (style === 0) {
    const list = shown.map((n) => {
      const { first, last } = initialOf(n);
      return first ? `${first[0]}. ${last}` : last;
    });
    return `${list.join(", ")}${more ? pick(random, [", ...", " …", " et al.", " + 7 more"]) : ""}`;
  }
  if (style === 1) {
    const list = shown.map((n) => {
      const { first, last } = initialOf(n);
      return first ? `${last}, ${first[0]}.` : last;
    });
    return list.length > 1 ? `${list.slice(0, -1).join(", ")}, & ${list.at(-1)}` : list[0]!;
  }
  return shown.length > 1 ? `${shown.slice(0, -1).join(", ")}, and ${shown.at(-1)}` : shown[0]!;
}

// Letters without a Unicode decomposition that ASCII folding still maps.
const FOLD: Readonly<Record<string, string>> = { ı: "i", ø: "o", Ø: "O", ł: "l", Ł: "L", đ: "d", ß: "ss" };

/** "Tomás Yılmaz" → "Tomas Yilmaz". */
export function stripAccents(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[ıøØłŁđß]/gu, (c) => FOLD[c] ?? c);
}

const FORMS: Record<
  AuthorNoiseForm,
  { applies: (names: readonly string[]) => boolean; apply: (names: string[]) => string[] }
> = {
  "last-first": {
    applies: (names) => names.some((n) => n.includes(" ")),
    apply: (names) =>
      names.map((n) => {
        const space = n.lastIndexOf(" ");
        return space < 0 ? n : `${n.slice(space + 1)}, ${n.slice(0, space)}`;
      }),
  },
  "no-accents": {
    applies: (names) => names.some((n) => stripAccents(n) !== n),
    apply: (names) => names.map(stripAccents),
  },
  "et-al": { applies: (names) => names.length >= 2, apply: (names) => [names[0]!, "et al."] },
  combined: { applies: (names) => names.length >= 2, apply: () => [] },
  honorific: {
    applies: (names) => names.length >= 1,
    apply: (names) => names.map((n, i) => (i === 0 ? `Prof. ${n}` : n)),
  },
  markup: {
    applies: (names) => names.length >= 1,
    apply: (names) => names.map((n, i) => (i % 2 === 0 ? `${n}<sup>${i + 1}</sup>` : `${n}$^{${i + 1}}$`)),
  },
  entities: {
    applies: (names) => names.some((n) => /[áéëíóÓöüèøć]/u.test(n)),
    apply: (names) => names.map((n) => n.replace(/[áéëíóÓöüèøć]/gu, (c) => ENTITY[c] ?? c)),
  },
};

/** The names with one applicable noise form, or unchanged (and no form) when none applies. */
export function noisyAuthors(random: Random, names: string[]): { names: string[]; form?: AuthorNoiseForm } {
  const usable = (Object.keys(FORMS) as AuthorNoiseForm[]).filter((f) => FORMS[f].applies(names));
  if (usable.length === 0) return { names };
  // Stripped accents only show when a name has some: use that form first when it applies.
  const form = usable.includes("no-accents") && random() < 0.5 ? "no-accents" : pick(random, usable);
  if (form === "combined") return { names: [combined(random, names)], form };
  return { names: FORMS[form].apply(names), form };
}
