import type { SimWork } from "./corpus.js";
import type { SimInputPaper } from "./input-gen.js";
import { intIn, pick, type Random } from "./prng.js";
import * as W from "./words.js";

/**
 * The flat input format of the original Python project: a plain JSON list of papers with singular
 * author affiliations, `citations` as a number, `abstract` as a string, a `source`, scraper-side
 * analysis keys and no DOI or arXiv id.
 */

/** An author object of a legacy paper (`email` is missing from some). */
export interface LegacyAuthor {
  name: string;
  affiliation: string;
  author_id: string;
  email?: string;
}

/** One paper of a legacy input list. */
export interface LegacyPaper {
  title: string;
  authors: LegacyAuthor[] | string[];
  year: number;
  venue: string;
  citations: number;
  abstract: string;
  source: "semantic_scholar" | "semanticscholar" | "openalex";
  paper_id: string;
  domain: string;
  mila_domain: string;
  collection_year: number;
  collection_timestamp?: string;
  computational_analysis: Record<string, unknown>;
  venue_score: number;
}

const SOURCES = ["semantic_scholar", "semanticscholar", "openalex"] as const;
const DOMAINS: ReadonlyArray<readonly [string, string]> = [
  ["Machine Learning", "machine_learning"],
  ["Computer Vision", "computer_vision"],
  ["Natural Language Processing", "nlp"],
  ["Reinforcement Learning", "reinforcement_learning"],
  ["Graph Learning", "graph_learning"],
];

const two = (n: number) => String(n).padStart(2, "0");
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Python `datetime.isoformat()` with microseconds, in 2025. */
function pythonTimestamp(random: Random): string {
  const [month, day] = [intIn(random, 1, 12), intIn(random, 1, 28)];
  const [h, m, s] = [intIn(random, 0, 23), intIn(random, 0, 59), intIn(random, 0, 59)];
  return `2025-${two(month)}-${two(day)}T${two(h)}:${two(m)}:${two(s)}.${String(intIn(random, 0, 999_999)).padStart(6, "0")}`;
}

function computationalAnalysis(random: Random): Record<string, unknown> {
  const gpus = intIn(random, 0, 64);
  return {
    computational_richness: round(random(), 3),
    keyword_matches: {
      gpu: intIn(random, 0, 12),
      training: intIn(random, 0, 30),
      dataset: intIn(random, 0, 20),
    },
    resource_metrics: { gpu_count: gpus, training_hours: gpus === 0 ? 0 : intIn(random, 1, 2000) },
    experimental_indicators: { has_ablation: random() < 0.6, num_benchmarks: intIn(random, 0, 8) },
    confidence_score: round(random(), 3),
  };
}

function legacyAuthors(
  random: Random,
  names: string[],
  work: SimWork | undefined,
): LegacyAuthor[] | string[] {
  if (random() < 0.25) return names;
  return names.map((name, k) => {
    const author = work?.authors[k];
    const affiliation = author?.institutions[0] && random() < 0.6 ? author.institutions[0] : "";
    const id = author && random() < 0.7 ? author.s2AuthorId : String(intIn(random, 1_000_000, 2_999_999_999));
    return { name, affiliation, author_id: id, ...(random() < 0.2 ? {} : { email: "" }) };
  });
}

function abstractOf(random: Random, work: SimWork | undefined): string {
  if (random() < 0.3) return "";
  if (work?.abstract) return work.abstract;
  return Array.from({ length: 3 }, () => pick(random, W.ABSTRACT_SENTENCES))
    .join(" ")
    .replace(/\{\w+\}/g, "this problem");
}

/** The papers in the legacy flat format; `truth[i]` is the work paper `i` refers to, if any. */
export function toLegacy(
  random: Random,
  papers: readonly SimInputPaper[],
  truth: ReadonlyArray<SimWork | undefined>,
): LegacyPaper[] {
  return papers.map((paper, i) => {
    const work = truth[i];
    const names = paper.authors.map((a) => a.name);
    const [domain, milaDomain] = pick(random, DOMAINS);
    const stale = work ? Math.round(work.citationCount * (0.5 + random() / 2)) : intIn(random, 1, 400);
    const timestamp = random() < 0.85 ? { collection_timestamp: pythonTimestamp(random) } : {};
    const source = pick(random, SOURCES);
    return {
      title: paper.title,
      authors: legacyAuthors(random, names, work),
      year: paper.year,
      venue: random() < 0.15 ? "" : paper.venue,
      citations: random() < 0.3 ? 0 : stale,
      abstract: abstractOf(random, work),
      source,
      paper_id: random() < 0.8 ? "" : `${source}_${String(i).padStart(6, "0")}`,
      domain,
      mila_domain: milaDomain,
      collection_year: pick(random, [2024, 2025]),
      ...timestamp,
      computational_analysis: computationalAnalysis(random),
      venue_score: round(random(), 2),
    };
  });
}
