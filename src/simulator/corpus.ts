import { type DecoyKind, makeDecoys } from "./decoys.js";
import { accented, MESSY_TITLE_SHARE, messyAuthor, messyTitle } from "./messy.js";
import { hashOf, hex, intIn, mulberry32, pick, type Random } from "./prng.js";
import { addS2IdGaps, type S2Ids, s2Indexes } from "./s2-ids.js";
import { titleKey } from "./search.js";
import * as W from "./words.js";

export type { DecoyKind } from "./decoys.js";
export {
  expectedWork,
  type GeneratedInput,
  type GenerateInputOptions,
  generateInput,
  generateInputFile,
  type SimInputFile,
  type SimInputPaper,
} from "./input-gen.js";
export type { S2Ids } from "./s2-ids.js";

/** One author of a synthetic work; the same name always has the same ids and institutions. */
export interface SimAuthor {
  name: string;
  /** How S2 spells it: some first names are cut to an initial ("A. Tanaka"). */
  s2Name: string;
  openalexId: string;
  s2AuthorId: string;
  institutions: string[];
  /** S2 often has no affiliations at all. */
  s2Affiliations: string[];
  /** OpenAlex `display_name` when it differs from `name` (messy corpus: a middle initial). */
  openalexName?: string;
}

/** One synthetic work, with what both APIs know about it. */
export interface SimWork {
  index: number;
  title: string;
  year: number;
  publicationDate: string;
  /** Short venue (ICML) and its long OpenAlex source name. */
  venue: string;
  venueName: string;
  authors: SimAuthor[];
  /** `10.5555/sim.<n>`, lowercase; absent for arXiv-only works. */
  doi?: string;
  /** New-style arXiv id without version. */
  arxivId?: string;
  /** `W<n>`. */
  openalexId: string;
  /** 40 hex digits. */
  paperId: string;
  corpusId: number;
  dblp?: string;
  /** OpenAlex `cited_by_count` and S2 `citationCount` differ, as in reality. */
  citedByCount: number;
  citationCount: number;
  abstract?: string;
  /** S2 lacks some abstracts OpenAlex has. */
  s2HasAbstract: boolean;
  pdfUrl?: string;
  /** S2 answers `openAccessPdf: null` (2024 style) instead of `{url: "", status: "CLOSED"}`. */
  s2NullPdf: boolean;
  /** For a near-miss decoy: the index of the true work it imitates, and how. */
  decoyOf?: number;
  decoyKind?: DecoyKind;
  /** Added to the search score of a decoy so that it outranks its true work in every search. */
  rankBoost?: number;
  /** What S2 lists instead of the true DOI and arXiv id (corpus option `s2IdGaps`); see s2-ids.ts. */
  s2Ids?: S2Ids;
}

/** A seeded corpus with its lookup indexes. */
export interface Corpus {
  seed: number;
  works: readonly SimWork[];
  /** Lowercase primary DOIs (the journal DOI, else the arXiv DOI). */
  byDoi: ReadonlyMap<string, SimWork>;
  /** Lowercase arXiv DataCite DOIs of works that also have a journal DOI (merged preprints). */
  byMergedDoi: ReadonlyMap<string, SimWork>;
  byArxiv: ReadonlyMap<string, SimWork>;
  byPaperId: ReadonlyMap<string, SimWork>;
  byCorpusId: ReadonlyMap<number, SimWork>;
  byOpenAlexId: ReadonlyMap<string, SimWork>;
  /** S2's DOI index (lowercase keys) when some works have id gaps; else S2 finds works by `byDoi`. */
  s2ByDoi?: ReadonlyMap<string, SimWork>;
  /** S2's arXiv index when some works have id gaps; else S2 finds works by `byArxiv`. */
  s2ByArxiv?: ReadonlyMap<string, SimWork>;
}

/** Options of {@link createCorpus}. */
export interface CorpusOptions {
  seed?: number;
  /** Number of works (default 3000, at most 80000). */
  size?: number;
  /** Words per abstract (default 120). */
  abstractWords?: number;
  /** Real papers to include as works (the demo's examples), with synthetic counts and abstracts. */
  known?: readonly KnownPaper[];
  /** Share of the ordinary works that get a near-miss decoy work (default 0); see decoys.ts. */
  decoyShare?: number;
  /** Unicode math and symbols in some titles, accented and noisy author names (default false); see messy.ts. */
  messy?: boolean;
  /**
   * Share (0 to 1) of the ordinary works whose S2 record lacks the ids OpenAlex knows (default 0): no
   * DOI nor arXiv id (about 60 %), a DOI only S2 knows (25 %), or another work's DOI (15 %). S2 lacks
   * usable ids for about a third of title-only papers in real collections, so an OpenAlex search stays
   * necessary for them. S2 then finds such a work only by title; OpenAlex is unaffected. See s2-ids.ts.
   */
  s2IdGaps?: number;
}

/** A paper the corpus must contain, as an input file describes it. */
export interface KnownPaper {
  title: string;
  year: number;
  venue: string;
  authors: readonly string[];
  doi?: string;
  arxivId?: string;
}

/** The arXiv DataCite DOI of an id, lowercase as OpenAlex serves it. */
export const arxivDoiOf = (arxivId: string): string => `10.48550/arxiv.${arxivId.toLowerCase()}`;

/** The DOI OpenAlex lists for a work: its own DOI, else its arXiv DOI. */
export function primaryDoi(work: SimWork): string | undefined {
  return work.doi ?? (work.arxivId ? arxivDoiOf(work.arxivId) : undefined);
}

/** Build a deterministic synthetic corpus: same options, same works. */
export function createCorpus(options: CorpusOptions = {}): Corpus {
  const seed = options.seed ?? 1;
  const size = Math.min(80_000, Math.max(1, options.size ?? 3000));
  const random = mulberry32(hashOf("corpus", seed));
  const messy = options.messy ?? false;
  const build = (r: Random, index: number, title: string, year?: number) =>
    makeWork(r, { seed, index, title, abstractWords: options.abstractWords ?? 120, messy, year });
  const seenTitles = new Set<string>();
  const works: SimWork[] = [];
  for (let index = 0; index < size; index++) {
    let title = makeTitle(random, messy);
    while (seenTitles.has(titleKey(title))) title = makeTitle(random, messy);
    seenTitles.add(titleKey(title));
    works.push(build(random, index, title));
  }
  for (const [i, known] of (options.known ?? []).entries()) {
    if (seenTitles.has(titleKey(known.title))) continue;
    seenTitles.add(titleKey(known.title));
    works.push(knownWork(build(random, size + i, known.title), known));
  }
  if ((options.decoyShare ?? 0) > 0) {
    const decoys = makeDecoys(works.slice(0, size), {
      seed,
      share: options.decoyShare ?? 0,
      seenTitles,
      arxivIds: new Set(works.flatMap((w) => w.arxivId ?? [])),
      firstIndex: works.length,
      build,
    });
    works.push(...decoys);
  }
  const gaps = options.s2IdGaps ?? 0;
  if (gaps > 0) addS2IdGaps(works.slice(0, size), seed, gaps);
  const byMergedDoi = new Map<string, SimWork>();
  for (const w of works) if (w.doi && w.arxivId) byMergedDoi.set(arxivDoiOf(w.arxivId), w);
  return {
    seed,
    works,
    byDoi: new Map(works.flatMap((w) => (primaryDoi(w) ? [[primaryDoi(w)!, w] as const] : []))),
    byMergedDoi,
    byArxiv: new Map(works.flatMap((w) => (w.arxivId ? [[w.arxivId, w] as const] : []))),
    byPaperId: new Map(works.map((w) => [w.paperId, w])),
    byCorpusId: new Map(works.map((w) => [w.corpusId, w])),
    byOpenAlexId: new Map(works.map((w) => [w.openalexId, w])),
    ...(gaps > 0 ? s2Indexes(works) : {}),
  };
}

/** A plausible ML title from the word lists; `messy` makes some with Unicode math and symbols. */
export function makeTitle(random: Random, messy = false): string {
  const name = `${pick(random, W.NAME_PREFIXES)}${pick(random, W.NAME_SUFFIXES)}`;
  const [adj, model, task] = [pick(random, W.ADJECTIVES), pick(random, W.MODELS), pick(random, W.TASKS)];
  const [technique, setting] = [pick(random, W.TECHNIQUES), pick(random, W.SETTINGS)];
  if (messy && random() < MESSY_TITLE_SHARE)
    return messyTitle(random, { name, adj, model, task, technique, setting });
  const templates = [
    () => `${name}: ${adj} ${model} for ${task}`,
    () => `${adj} ${model} for ${task}`,
    () => `${pick(random, W.VERBS)} ${task} with ${adj} ${model}`,
    () => `Towards ${adj} ${task} via ${technique}`,
    () => `On the ${pick(random, W.PROPERTIES)} of ${model} in ${setting}`,
    () => `${name}: ${pick(random, W.VERBS)} ${task} via ${technique}`,
    () => `${technique} Improves ${task} in ${setting}`,
    () => `Rethinking ${technique} for ${adj} ${task}`,
    () => `When Does ${technique} Help ${task}?`,
    () => `${name}: Scalable ${technique} for ${task} under ${setting}`,
  ];
  return pick(random, templates)();
}

/** An author by name: ids and institutions follow from the name alone. */
export function makeAuthor(name: string): SimAuthor {
  const r = mulberry32(hashOf("author", name));
  const institution = () => pick(r, W.INSTITUTION_PATTERNS).replace("{}", pick(r, W.PLACES));
  const count = r() < 0.1 ? 0 : r() < 0.85 ? 1 : 2;
  const institutions = [...new Set(Array.from({ length: count }, institution))];
  const [first = "", ...rest] = name.split(" ");
  return {
    name,
    s2Name: r() < 0.25 ? [`${first[0]}.`, ...rest].join(" ") : name,
    openalexId: `A5${String(hashOf("oa-author", name) % 1e9).padStart(9, "0")}`,
    s2AuthorId: String(1e8 + (hashOf("s2-author", name) % 2e9)),
    institutions,
    s2Affiliations: r() < 0.4 ? [] : institutions,
  };
}

interface WorkSpec {
  seed: number;
  index: number;
  title: string;
  abstractWords: number;
  messy: boolean;
  /** Overrides the drawn year (decoys); the draw still happens. */
  year?: number | undefined;
}

function makeWork(random: Random, spec: WorkSpec): SimWork {
  const { seed, index, title, abstractWords } = spec;
  const drawnYear = 2015 + Math.min(10, Math.floor(11 * Math.sqrt(random())));
  const year = spec.year ?? drawnYear;
  const [venue, venueName] = pick(random, W.VENUES);
  const names = new Set<string>();
  const authorCount = intIn(random, 1, 6);
  while (names.size < authorCount) names.add(`${pick(random, W.FIRST_NAMES)} ${pick(random, W.LAST_NAMES)}`);
  const authors = spec.messy
    ? [...names].map((n) => messyAuthor(makeAuthor(accented(n))))
    : [...names].map(makeAuthor);
  const arxivOnly = random() < 0.15;
  const hasArxiv = arxivOnly || random() < 0.3;
  const month = intIn(random, 1, 12);
  const arxivId = hasArxiv
    ? `${String(year % 100).padStart(2, "0")}${String(month).padStart(2, "0")}.${10000 + ((index * 7919) % 89999)}`
    : undefined;
  const base = Math.floor(Math.exp(random() * 7.5 * Math.min(1, (2026 - year) / 6)));
  const withAbstract = random() < 0.9;
  const pdf = random() < 0.45;
  const last = authors.at(-1)?.name.split(" ").at(-1) ?? "Anon";
  const work: SimWork = {
    index,
    title,
    year,
    publicationDate: `${year}-${String(month).padStart(2, "0")}-${String(intIn(random, 1, 28)).padStart(2, "0")}`,
    venue,
    venueName,
    authors,
    ...(arxivOnly ? {} : { doi: `10.5555/sim.${index + 1}` }),
    ...(arxivId ? { arxivId } : {}),
    openalexId: `W${4_300_000_000 + index * 17 + (seed % 17)}`,
    paperId: hex(random, 40),
    corpusId: 200_000_000 + index * 31 + (seed % 31),
    ...(random() < 0.6 ? { dblp: `conf/${venue.toLowerCase()}/${last}${year % 100}` } : {}),
    citedByCount: Math.max(0, base - 1),
    citationCount: Math.round(Math.max(0, base - 1) * (1 + random() * 0.8)),
    s2HasAbstract: random() < 0.85,
    s2NullPdf: random() < 0.2,
  };
  if (withAbstract) work.abstract = makeAbstract(random, title, abstractWords);
  if (pdf) {
    work.pdfUrl = arxivId
      ? `https://arxiv.org/pdf/${arxivId}`
      : `https://proceedings.sim.example.org/${venue.toLowerCase()}/${year}/sim-${index + 1}.pdf`;
  }
  return work;
}

/** A synthetic work made to carry a known paper's title, year, venue, authors and ids. */
function knownWork(work: SimWork, known: KnownPaper): SimWork {
  const { doi: _syntheticDoi, arxivId: _syntheticArxiv, ...rest } = work;
  const arxivId = known.arxivId?.replace(/v\d+$/, "");
  return {
    ...rest,
    year: known.year,
    publicationDate: `${known.year}${work.publicationDate.slice(4)}`,
    venue: known.venue,
    authors: known.authors.map(makeAuthor),
    ...(known.doi ? { doi: known.doi.toLowerCase() } : {}),
    ...(arxivId ? { arxivId } : {}),
    ...(work.pdfUrl ? { pdfUrl: arxivId ? `https://arxiv.org/pdf/${arxivId}` : work.pdfUrl } : {}),
  };
}

/** About `words` words of abstract in sentences about the work's topic. */
function makeAbstract(random: Random, title: string, words: number): string {
  const fill: Record<string, string> = {
    task: pick(random, W.TASKS).toLowerCase(),
    model: pick(random, W.MODELS).toLowerCase(),
    technique: pick(random, W.TECHNIQUES).toLowerCase(),
    setting: pick(random, W.SETTINGS).toLowerCase(),
    name: title.includes(":") ? title.slice(0, title.indexOf(":")) : "our method",
  };
  const out: string[] = [];
  let count = 0;
  while (count < words) {
    const sentence = pick(random, W.ABSTRACT_SENTENCES).replace(/\{(\w+)\}/g, (_, k: string) => fill[k] ?? k);
    out.push(sentence);
    count += sentence.split(" ").length;
  }
  return out.join(" ");
}

/** The papers of an input file (`{papers: [...]}` or a list) as known works: title, year, venue, authors, ids. */
export function knownPapers(data: unknown): KnownPaper[] {
  const list = Array.isArray(data) ? data : ((data as { papers?: unknown[] } | null)?.papers ?? []);
  return list.flatMap((raw): KnownPaper[] => {
    const p = raw as Record<string, unknown>;
    if (typeof p.title !== "string" || typeof p.year !== "number") return [];
    const authors = (Array.isArray(p.authors) ? p.authors : []).map((a) =>
      typeof a === "string" ? a : String((a as { name?: unknown }).name ?? ""),
    );
    return [
      {
        title: p.title,
        year: p.year,
        venue: typeof p.venue === "string" ? p.venue : "",
        authors: authors.filter(Boolean),
        ...(typeof p.doi === "string" && p.doi ? { doi: p.doi } : {}),
        ...(typeof p.arxiv_id === "string" && p.arxiv_id ? { arxivId: p.arxiv_id } : {}),
      },
    ];
  });
}

/**
 * The work a synthetic corpus (synthetic-corpus.ts) answers for DOI `doi` at `index`: made like any
 * work, from a random stream of its own, titled like the benchmark's papers and always with that DOI.
 */
export function syntheticWork(seed: number, index: number, doi: string): SimWork {
  const random = mulberry32(hashOf("synthetic", seed, index));
  const title = `Benchmark paper ${index} on scalable consolidation of records`;
  const { arxivId: _arxiv, ...work } = makeWork(random, {
    seed,
    index,
    title,
    abstractWords: 120,
    messy: false,
    year: 2023,
  });
  return {
    ...work,
    doi,
    ...(work.pdfUrl?.includes("arxiv.org")
      ? { pdfUrl: `https://proceedings.sim.example.org/bench/${index}.pdf` }
      : {}),
  };
}
