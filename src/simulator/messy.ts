import type { SimAuthor } from "./corpus.js";
import { pick, type Random, unitOf } from "./prng.js";
import * as W from "./words.js";

/**
 * The `messy` corpus option: titles with Unicode math and symbols as the APIs store them, accented
 * author names, S2 names in two scripts and OpenAlex names with a middle initial.
 */

/** Share of messy-corpus titles made from {@link messyTitle}. */
export const MESSY_TITLE_SHARE = 0.06;

/** The parts a title is made of (see `makeTitle`). */
export interface TitleParts {
  name: string;
  adj: string;
  model: string;
  task: string;
  technique: string;
  setting: string;
}

/** A title with "ℓ1", "α", "β", "&" or an apostrophe, as OpenAlex and S2 store such titles. */
export function messyTitle(random: Random, p: TitleParts): string {
  const templates = [
    () => `${p.technique} with ℓ1 Regularization for ${p.task}`,
    () => `${p.adj} ${p.model} under ℓ2 Constraints`,
    () => `α-${p.name}: ${p.adj} ${p.model} for ${p.task}`,
    () => `β-${p.technique} for ${p.task} in ${p.setting}`,
    () => `${p.task} & ${pick(random, W.TASKS)} with ${p.model}`,
    () => `${p.name}: ${p.model} & ${p.technique} for ${p.task}`,
    () => `What's Wrong with ${p.technique} for ${p.task}?`,
    () => `${p.model} Don't Need ${p.technique} in ${p.setting}`,
  ];
  return pick(random, templates)();
}

/** Name parts that the messy corpus always spells with diacritics (so inputs can strip them). */
const ACCENTED: Readonly<Record<string, string>> = {
  Tomas: "Tomás",
  Ines: "Inés",
  Zoe: "Zoé",
  Rafael: "Rafaël",
  Oscar: "Óscar",
  Ivan: "Iván",
  Eva: "Éva",
  Jovanovic: "Jovanović",
  Wojcik: "Wójcik",
  Yilmaz: "Yılmaz",
  Bergstrom: "Bergström",
  Engstrom: "Engström",
  Sorensen: "Sørensen",
  Vasquez: "Vásquez",
  Pham: "Phạm",
  Oyelaran: "Oyèláran",
  Novak: "Novák",
};

/** "Tomas Novak" → "Tomás Novák" for the parts in the accent list. */
export function accented(name: string): string {
  return name
    .split(" ")
    .map((part) => ACCENTED[part] ?? part)
    .join(" ");
}

const GREEK: Readonly<Record<string, string>> = Object.fromEntries(
  [..."abcdefghijklmnopqrstuvwxyz"].map((c, i) => [c, [..."αβκδεφγηιικλμνοπκρστυβωξυζ"][i]!]),
);

/** A Latin word in Greek look-alike letters ("Kyriacos" → "Κυριακοσ", final sigma as ς). */
export function greekLookalike(word: string): string {
  const plain = word.normalize("NFKD").replace(/\p{M}/gu, "");
  const out = [...plain].map((c) => {
    const g = GREEK[c.toLowerCase()];
    if (!g) return c;
    return c === c.toLowerCase() ? g : g.toUpperCase();
  });
  return out.join("").replace(/σ$/u, "ς");
}

/**
 * Name noise of the messy corpus, fixed by the name: about 8% of authors have an S2 name in two
 * scripts (`"Kyriacos, Κυριακος, Athanasiou, Αθανασιου"`), about 10% an OpenAlex display name with a
 * middle initial (`"Donald J. Responte"`) while S2 has `"D. Responte"`.
 */
export function messyAuthor(author: SimAuthor): SimAuthor {
  const [first = "", ...rest] = author.name.split(" ");
  const last = rest.join(" ");
  if (!last) return author;
  const r = unitOf("messy-author", author.name);
  if (r < 0.08) {
    return { ...author, s2Name: `${first}, ${greekLookalike(first)}, ${last}, ${greekLookalike(last)}` };
  }
  if (r < 0.18) {
    const middle = "ABCDEFGHJKLMNPRSTW"[Math.floor(unitOf("middle", author.name) * 18)];
    return { ...author, openalexName: `${first} ${middle}. ${last}`, s2Name: `${first[0]}. ${last}` };
  }
  return author;
}
