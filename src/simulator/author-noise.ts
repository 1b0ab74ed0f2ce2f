import { pick, type Random } from "./prng.js";

/** Author-list noise of scraped inputs: "Last, First", diacritics stripped, or "First Author, et al.". */

export type AuthorNoiseForm = "last-first" | "no-accents" | "et-al";

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
};

/** The names with one applicable noise form, or unchanged (and no form) when none applies. */
export function noisyAuthors(random: Random, names: string[]): { names: string[]; form?: AuthorNoiseForm } {
  const usable = (Object.keys(FORMS) as AuthorNoiseForm[]).filter((f) => FORMS[f].applies(names));
  if (usable.length === 0) return { names };
  // Stripped accents only show when a name has some: use that form first when it applies.
  const form = usable.includes("no-accents") && random() < 0.5 ? "no-accents" : pick(random, usable);
  return { names: FORMS[form].apply(names), form };
}
