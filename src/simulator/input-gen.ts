import type { Corpus, SimWork } from "./corpus.js";
import { hashOf, intIn, mulberry32, pick, type Random, shuffle } from "./prng.js";
import { titleKey } from "./search.js";
import * as W from "./words.js";

/** Options of {@link generateInputFile}. */
export interface GenerateInputOptions {
  count: number;
  /** `doi`: every paper has a DOI; `title`: titles only; `mixed`: 55% DOI, 15% arXiv id, 30% title only. */
  mix: "doi" | "title" | "mixed";
  seed?: number;
  /** Share of papers that are not in the corpus (default 0.05). */
  notFoundShare?: number;
}

/** A paper of the generated input, as `cf collect` writes it. */
export interface SimInputPaper {
  title: string;
  authors: Array<{ name: string; affiliations: string[]; email: string }>;
  venue: string;
  year: number;
  doi?: string;
  arxiv_id?: string;
  paper_id: string;
}

/** The `cf collect` envelope. */
export interface SimInputFile {
  collection_metadata: {
    timestamp: string;
    venues: string[];
    years: number[];
    total_papers: number;
    scrapers_used: string[];
  };
  papers: SimInputPaper[];
}

type Kind = "doi" | "arxiv" | "title";

/** A deterministic input file whose papers reference corpus works, plus a share that is in no API. */
export function generateInputFile(corpus: Corpus, options: GenerateInputOptions): SimInputFile {
  const random = mulberry32(hashOf("input", corpus.seed, options.seed ?? 0, options.mix, options.count));
  const absent = Math.round(options.count * Math.min(1, Math.max(0, options.notFoundShare ?? 0.05)));
  const kindOf = (): Kind => {
    if (options.mix !== "mixed") return options.mix;
    const r = random();
    return r < 0.55 ? "doi" : r < 0.7 ? "arxiv" : "title";
  };
  const pool = shuffle(random, corpus.works);
  const taken = new Set<number>();
  const takeWork = (kind: Kind): SimWork => {
    const work = pool.find(
      (w) => !taken.has(w.index) && (kind !== "doi" || w.doi) && (kind !== "arxiv" || w.arxivId),
    );
    if (!work) throw new RangeError(`the corpus has too few works for ${options.count} ${kind} papers`);
    taken.add(work.index);
    return work;
  };
  const slots = shuffle(random, [
    ...Array.from({ length: options.count - absent }, () => false),
    ...Array.from({ length: absent }, () => true),
  ]);
  const papers = slots.map((isAbsent, i) => {
    const kind = kindOf();
    return isAbsent ? absentPaper(random, corpus, kind, i) : presentPaper(random, takeWork(kind), kind, i);
  });
  return {
    collection_metadata: {
      timestamp: "2026-01-15T09:30:00.000000",
      venues: [...new Set(papers.map((p) => p.venue))].sort(),
      years: [...new Set(papers.map((p) => p.year))].sort((a, b) => a - b),
      total_papers: papers.length,
      scrapers_used: ["simulator"],
    },
    papers,
  };
}

/** The corpus work a generated paper refers to (by DOI, arXiv id or title), or undefined when it has none. */
export function expectedWork(corpus: Corpus, paper: SimInputPaper): SimWork | undefined {
  const doi = paper.doi
    ?.toLowerCase()
    .replace(/^https?:\/\/doi\.org\//, "")
    .trim();
  if (doi) return corpus.byDoi.get(doi) ?? corpus.byMergedDoi.get(doi);
  const arxiv = paper.arxiv_id?.replace(/^arxiv:/i, "").replace(/v\d+$/, "");
  if (arxiv) return corpus.byArxiv.get(arxiv);
  const key = titleKey(paper.title);
  return corpus.works.find((w) => titleKey(w.title) === key && w.year === paper.year);
}

function presentPaper(random: Random, work: SimWork, kind: Kind, i: number): SimInputPaper {
  const paper = base(
    work.title,
    work.authors.map((a) => a.name),
    work.venue,
    work.year,
    i,
  );
  if (kind === "doi" && work.doi) {
    const r = random();
    paper.doi = r < 0.1 ? `https://doi.org/${work.doi}` : r < 0.2 ? work.doi.toUpperCase() : work.doi;
  } else if (kind === "arxiv" && work.arxivId) {
    const r = random();
    paper.arxiv_id =
      r < 0.5 ? `${work.arxivId}v${intIn(random, 1, 3)}` : r < 0.6 ? `arXiv:${work.arxivId}` : work.arxivId;
  } else {
    paper.title = titleVariant(random, work.title);
  }
  return paper;
}

/** The same title in another case or punctuation: equal for the title matcher. */
function titleVariant(random: Random, title: string): string {
  const variants = [
    (t: string) => t,
    (t: string) => t.toLowerCase(),
    (t: string) => t.replace(": ", " - "),
    (t: string) => `${t.replace(/\?$/, "")}.`,
    (t: string) => t.replace(/\b\p{Ll}/gu, (c) => c.toUpperCase()),
    (t: string) => t.replace(/-/g, " "),
    (t: string) => t.toUpperCase(),
  ];
  return pick(random, variants)(title);
}

function absentPaper(random: Random, corpus: Corpus, kind: Kind, i: number): SimInputPaper {
  const words = shuffle(random, W.ABSENT_WORDS);
  const title = `${pick(random, W.VERBS)} ${words[0]} ${words[1]} Dynamics in ${words[2]} ${words[3]}`;
  const authors = Array.from(
    { length: intIn(random, 1, 4) },
    () => `${pick(random, W.FIRST_NAMES)} ${pick(random, W.ABSENT_LAST_NAMES)}`,
  );
  const year = intIn(random, 2015, 2025);
  const paper = base(title, [...new Set(authors)], pick(random, W.VENUES)[0], year, i);
  if (kind === "doi") paper.doi = `10.5555/sim.${corpus.works.length + 1 + i}`;
  if (kind === "arxiv") {
    let n = 99_999 - i;
    const id = () => `${String(year % 100).padStart(2, "0")}07.${n}`;
    while (corpus.byArxiv.has(id())) n--;
    paper.arxiv_id = `${id()}v1`;
  }
  return paper;
}

function base(title: string, names: string[], venue: string, year: number, i: number): SimInputPaper {
  return {
    title,
    authors: names.map((name) => ({ name, affiliations: [], email: "" })),
    venue,
    year,
    paper_id: `${venue}_${year}_${String(i).padStart(4, "0")}`,
  };
}
