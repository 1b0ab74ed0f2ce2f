import { pick, type Random } from "./prng.js";
import { contentTokens } from "./search.js";

/**
 * Noise that scraped titles carry (proceedings pages, BibTeX, HTML exports): track labels, HTML
 * entities and tags, LaTeX markup, BibTeX braces, TeX math for Unicode symbols, footnote marks. Every
 * form keeps the words: once decoded and stripped, the title has the same content words again.
 */

export type TitleNoiseForm =
  | "track"
  | "entity-amp"
  | "entity-colon"
  | "entity-apostrophe"
  | "entity-dash"
  | "entity-quot"
  | "entity-nbsp"
  | "entity-double"
  | "html-tag"
  | "latex"
  | "bibtex-braces"
  | "math"
  | "footnote"
  | "html-footnote"
  | "line-break"
  | "entity-multi";

export const TRACK_LABELS: readonly string[] = [
  "(Extended Abstract)",
  "[Short Paper]",
  "[Oral]",
  "(Poster)",
  "(Spotlight)",
  "(Workshop)",
  "(Student Abstract)",
  "(Demo)",
  "[Findings]",
  "(Long Paper)",
  "(Position Paper)",
  // Issue 10 audit: labels of the same kind.
  "(Short)",
  "(WiP)",
  "(Doctoral Consortium)",
  "(Late-Breaking Results)",
  "(Brief Announcement)",
  "(Datasets and Benchmarks Track)",
  "(Oral; Top 1%)",
  "(NIPS'17)",
  "(Best Paper Award)",
  "（Extended Abstract）",
  "{Extended Abstract}",
  "--- Extended Abstract",
  ", Extended Abstract",
  "(arXiv:2101.00001)",
];
export const FOOTNOTE_MARKS: readonly string[] = ["*", "†", "∗", "⋆", "‡", "^*", "&ast;", " (*)"];

const MATH: ReadonlyArray<readonly [RegExp, string]> = [
  [/ℓ(\d)/u, "$\\ell_$1$"],
  [/[αΑ]/u, "$\\alpha$"],
  [/[βΒ]/u, "$\\beta$"],
];
// Greek letters spelt out, as some indexes store them ("beta-VAE").
const GREEK_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/[αΑ]/u, "Alpha"],
  [/[βΒ]/u, "beta"],
];
// A raw "&", not the start of an entity.
const RAW_AMP = /&(?![#\w]+;)/u;
const AND = / and /iu;

/** Indexes of the space-separated words that are plain content words (not already marked up). */
function plainWords(words: readonly string[]): number[] {
  return words.flatMap((w, i) =>
    /^\p{L}[\p{L}\p{N}-]*$/u.test(w) && contentTokens(w).length > 0 ? [i] : [],
  );
}

/** Apply `wrap` to one plain word of the title. */
function wrapWord(random: Random, title: string, wrap: (word: string) => string): string {
  const words = title.split(" ");
  const i = pick(random, plainWords(words));
  words[i] = wrap(words[i]!);
  return words.join(" ");
}

interface Form {
  applies: (title: string) => boolean;
  apply: (random: Random, title: string) => string;
}

const hasPlainWord = (t: string) => plainWords(t.split(" ")).length > 0;

const FORMS: Record<TitleNoiseForm, Form> = {
  track: { applies: () => true, apply: (r, t) => `${t} ${pick(r, TRACK_LABELS)}` },
  "entity-amp": {
    applies: (t) => RAW_AMP.test(t) || AND.test(t),
    apply: (_, t) => (RAW_AMP.test(t) ? t.replace(RAW_AMP, "&amp;") : t.replace(AND, " &amp; ")),
  },
  "entity-colon": { applies: (t) => t.includes(":"), apply: (_, t) => t.replace(":", "&#58;") },
  "entity-apostrophe": { applies: (t) => t.includes("'"), apply: (_, t) => t.replace("'", "&#39;") },
  "entity-dash": {
    applies: (t) => t.includes(": ") || /\p{L}-\p{L}/u.test(t),
    apply: (_, t) =>
      t.includes(": ") ? t.replace(": ", " &#x2013; ") : t.replace(/(\p{L})-(\p{L})/u, "$1&#x2013;$2"),
  },
  "entity-quot": { applies: hasPlainWord, apply: (r, t) => wrapWord(r, t, (w) => `&quot;${w}&quot;`) },
  "entity-nbsp": {
    applies: (t) => t.includes(" "),
    apply: (r, t) => {
      const words = t.split(" ");
      const i = 1 + Math.floor(r() * (words.length - 1));
      return `${words.slice(0, i).join(" ")}&nbsp;${words.slice(i).join(" ")}`;
    },
  },
  "entity-double": {
    applies: (t) => RAW_AMP.test(t) || AND.test(t) || t.includes("'") || t.includes(":"),
    apply: (_, t) => {
      if (RAW_AMP.test(t)) return t.replace(RAW_AMP, "&amp;amp;");
      if (AND.test(t)) return t.replace(AND, " &amp;amp; ");
      return t.includes("'") ? t.replace("'", "&amp;#39;") : t.replace(":", "&amp;#58;");
    },
  },
  "html-tag": {
    applies: hasPlainWord,
    apply: (r, t) => {
      const tag = pick(r, ["i", "b", "sub"]);
      return wrapWord(r, t, (w) => `<${tag}>${w}</${tag}>`);
    },
  },
  latex: {
    applies: hasPlainWord,
    apply: (r, t) => {
      const command = pick(r, ["\\textit{", "\\emph{", "\\textbf{", "{\\em "]);
      return wrapWord(r, t, (w) => `${command}${w}}`);
    },
  },
  "bibtex-braces": {
    applies: hasPlainWord,
    // {BERT} for a word with inner capitals, else {G}raph.
    apply: (r, t) => wrapWord(r, t, (w) => (/^.+\p{Lu}/u.test(w) ? `{${w}}` : `{${w[0]}}${w.slice(1)}`)),
  },
  math: {
    applies: (t) => MATH.some(([re]) => re.test(t)),
    apply: (r, t) => {
      const greek = GREEK_NAMES.find(([m]) => m.test(t));
      if (greek && r() < 0.3) return t.replace(greek[0], greek[1]);
      const [re, tex] = MATH.find(([m]) => m.test(t))!;
      return t.replace(re, tex);
    },
  },
  "html-footnote": {
    applies: () => true,
    apply: (r, t) =>
      `${t.replace(/[?.!]$/u, "")}${pick(r, ["<sup>1,2</sup>", "<sup>a</sup>", "$^{a,b}$", "<sup>*</sup>"])}`,
  },
  "line-break": {
    applies: (t) => t.includes(" "),
    apply: (r, t) => {
      const words = t.split(" ");
      const i = 1 + Math.floor(r() * (words.length - 1));
      return `${words.slice(0, i).join(" ")}${pick(r, ["<br>", "<br/>", " <br /> "])}${words.slice(i).join(" ")}`;
    },
  },
  "entity-multi": {
    applies: (t) => RAW_AMP.test(t) || AND.test(t),
    apply: (_, t) =>
      RAW_AMP.test(t) ? t.replace(RAW_AMP, "&amp;amp;amp;amp;") : t.replace(AND, " &amp;amp;amp; "),
  },
  footnote: {
    applies: () => true,
    apply: (r, t) => {
      const mark = pick(r, FOOTNOTE_MARKS);
      return r() < 0.5 || !hasPlainWord(t) ? `${t}${mark}` : wrapWord(r, t, (w) => `${w}${mark}`);
    },
  },
};

export const TITLE_NOISE_FORMS = Object.keys(FORMS) as TitleNoiseForm[];
/** Forms for characters that few titles have (ℓ1, α, &, '): used first when they apply, so that they occur. */
const RARE: readonly TitleNoiseForm[] = ["math", "entity-amp", "entity-apostrophe"];
const rareOf = (usable: readonly TitleNoiseForm[], title: string) =>
  usable.filter(
    (f) =>
      RARE.includes(f) ||
      (f === "entity-double" && /[&']| and /u.test(title)) ||
      (f === "entity-multi" && /&| and /u.test(title)),
  );

/** The title with one or two noise forms (a track label stays the trailing suffix), and the forms used. */
export function noisyTitle(random: Random, title: string): { title: string; forms: TitleNoiseForm[] } {
  const forms: TitleNoiseForm[] = [];
  let out = title;
  const count = random() < 0.5 ? 1 : 2;
  for (let n = 0; n < count; n++) {
    const usable = TITLE_NOISE_FORMS.filter((f) => !forms.includes(f) && FORMS[f].applies(out));
    const rare = rareOf(usable, out);
    const form = rare.length > 0 && random() < 0.75 ? pick(random, rare) : pick(random, usable);
    forms.push(form);
    if (form !== "track") out = FORMS[form].apply(random, out);
  }
  if (forms.includes("track")) {
    // A footnote mark may sit before the label ("Title* (Extended Abstract)").
    if (random() < 0.2) out = `${out}${pick(random, ["*", "†", "&ast;"])}`;
    const label = pick(random, TRACK_LABELS);
    out = /^[,\s]/u.test(label) ? `${out}${label}` : `${out} ${label}`;
  }
  return { title: out, forms };
}
