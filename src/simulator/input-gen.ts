import { noisyAuthors } from "./author-noise.js";
import type { Corpus, SimWork } from "./corpus.js";
import { type LegacyPaper, toLegacy } from "./legacy-format.js";
import { nearMiss, yearsByKey } from "./near-miss.js";
import { hashOf, intIn, mulberry32, pick, type Random, shuffle } from "./prng.js";
import { titleKey } from "./search.js";
import { noisyTitle } from "./title-noise.js";
import * as W from "./words.js";

/** Options of {@link generateInput}; the noise options and `legacy` are off by default. */
export interface GenerateInputOptions {
  count: number;
  /** `doi`: every paper has a DOI; `title`: titles only; `mixed`: 55% DOI, 15% arXiv id, 30% title only. */
  mix: "doi" | "title" | "mixed";
  seed?: number;
  /** Share of papers that are not in the corpus (default 0.05). */
  notFoundShare?: number;
  /** Share (0..1) of title-only corpus papers with one or two title noise forms and author noise (default 0). */
  titleNoise?: number;
  /** Share (0..1) of title-only absent papers titled as a near miss of a corpus work (default 0). */
  nearMissShare?: number;
  /** Write the legacy flat list of the Python project instead of the `cf collect` envelope. */
  legacy?: boolean;
}

/** A generated input and, per input position, the corpus work the paper refers to (undefined: absent). */
export interface GeneratedInput<F = SimInputFile | LegacyPaper[]> {
  file: F;
  truth: Array<SimWork | undefined>;
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
export function generateInputFile(
  corpus: Corpus,
  options: GenerateInputOptions & { legacy?: false | undefined },
): SimInputFile {
  return generateInput(corpus, options).file;
}

/**
 * A deterministic input plus its truth. Noise, near misses and the legacy rendering draw from their
 * own random streams, so the same options without them give the same papers and truth.
 */
export function generateInput(
  corpus: Corpus,
  options: GenerateInputOptions & { legacy: true },
): GeneratedInput<LegacyPaper[]>;
export function generateInput(
  corpus: Corpus,
  options: GenerateInputOptions & { legacy?: false | undefined },
): GeneratedInput<SimInputFile>;
export function generateInput(corpus: Corpus, options: GenerateInputOptions): GeneratedInput;
export function generateInput(corpus: Corpus, options: GenerateInputOptions): GeneratedInput {
  const { papers, truth, kinds } = generatePapers(corpus, options);
  const stream = (name: string) =>
    mulberry32(hashOf(name, corpus.seed, options.seed ?? 0, options.mix, options.count));
  const share = (x: number | undefined) => Math.min(1, Math.max(0, x ?? 0));
  if (share(options.titleNoise) > 0) {
    const random = stream("title-noise");
    papers.forEach((paper, i) => {
      if (kinds[i] !== "title" || !truth[i] || random() >= share(options.titleNoise)) return;
      paper.title = noisyTitle(random, paper.title).title;
      const names = noisyAuthors(
        random,
        paper.authors.map((a) => a.name),
      ).names;
      paper.authors = names.map((name) => ({ name, affiliations: [], email: "" }));
    });
  }
  if (share(options.nearMissShare) > 0) {
    const random = stream("near-miss");
    const years = yearsByKey(corpus);
    const bases = corpus.works.filter((w) => w.decoyOf === undefined);
    papers.forEach((paper, i) => {
      if (kinds[i] !== "title" || truth[i] || random() >= share(options.nearMissShare)) return;
      const miss = nearMiss(random, bases, years);
      if (!miss) return;
      // Half keep the imitated work's authors: only the title or year tells them apart.
      const names = random() < 0.5 ? miss.base.authors.map((a) => a.name) : paper.authors.map((a) => a.name);
      papers[i] = base(miss.title, names, miss.base.venue, miss.year, i);
    });
  }
  if (options.legacy) return { file: toLegacy(stream("legacy"), papers, truth), truth };
  return { file: envelope(papers), truth };
}

function envelope(papers: SimInputPaper[]): SimInputFile {
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

/** The papers of an input (present and absent, in input order), the work of each and its kind. */
function generatePapers(corpus: Corpus, options: GenerateInputOptions) {
  const random = mulberry32(hashOf("input", corpus.seed, options.seed ?? 0, options.mix, options.count));
  const absent = Math.round(options.count * Math.min(1, Math.max(0, options.notFoundShare ?? 0.05)));
  const kindOf = (): Kind => {
    if (options.mix !== "mixed") return options.mix;
    const r = random();
    return r < 0.55 ? "doi" : r < 0.7 ? "arxiv" : "title";
  };
  // Decoys are never the paper an input means.
  const pool = shuffle(
    random,
    corpus.works.filter((w) => w.decoyOf === undefined),
  );
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
  const truth: Array<SimWork | undefined> = [];
  const kinds: Kind[] = [];
  const papers = slots.map((isAbsent, i) => {
    const kind = kindOf();
    kinds.push(kind);
    if (isAbsent) {
      truth.push(undefined);
      return absentPaper(random, corpus, kind, i);
    }
    const work = takeWork(kind);
    truth.push(work);
    return presentPaper(random, work, kind, i);
  });
  return { papers, truth, kinds };
}

/**
 * The corpus work a clean generated paper refers to (by DOI, arXiv id or title), or undefined when it
 * has none; noisy inputs need the `truth` of {@link generateInput}.
 */
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
