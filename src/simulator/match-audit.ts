import type { SimWork } from "./corpus.js";
import type { RequestLogEntry } from "./server.js";

/**
 * Scores a `cf consolidate` output against the simulator's ground truth: per source, how many of
 * the papers it could resolve it matched to the right work (recall), how many it matched to a
 * wrong work or matched although the paper is in no API (wrong), and requests per paper.
 */

/** One source's figures. */
export interface SourceAudit {
  /** Papers whose work the source holds (every corpus work is in both simulated APIs). */
  resolvable: number;
  correct: number;
  /** Matched to another work than the truth, or matched although the paper is absent. */
  wrong: number;
  missed: number;
  /** correct / resolvable (1 when nothing is resolvable). */
  recall: number;
  /** correct / (correct + wrong) (1 when nothing matched). */
  precision: number;
  requests: number;
  /** Requests per input paper. */
  requestsPerPaper: number;
  /** Up to 10 descriptions of wrong matches, for a failing test's message. */
  wrongExamples: string[];
  /** Up to 10 titles of missed papers. */
  missedExamples: string[];
}

export interface MatchAudit {
  papers: number;
  openalex: SourceAudit;
  semantic_scholar: SourceAudit;
}

interface OutputPaper {
  title?: unknown;
  openalex_id?: unknown;
  identifiers?: Array<{ source?: unknown; data?: { identifier_type?: unknown; identifier_value?: unknown } }>;
}

/** The OpenAlex work id a paper was matched to (`https://openalex.org/W…`), if any. */
function openAlexIdOf(paper: OutputPaper): string | undefined {
  return typeof paper.openalex_id === "string" && paper.openalex_id !== "" ? paper.openalex_id : undefined;
}

/** The S2 paperId a paper was matched to (its `s2_paper` identifier record), if any. */
function s2IdOf(paper: OutputPaper): string | undefined {
  const record = (paper.identifiers ?? []).find(
    (r) => r.source === "semantic_scholar" && r.data?.identifier_type === "s2_paper",
  );
  const value = record?.data?.identifier_value;
  return typeof value === "string" ? value : undefined;
}

function auditSource(
  papers: readonly OutputPaper[],
  truth: readonly (SimWork | undefined)[],
  matchedId: (paper: OutputPaper) => string | undefined,
  expectedId: (work: SimWork) => string,
  requests: number,
): SourceAudit {
  let [resolvable, correct, wrong, missed] = [0, 0, 0, 0];
  const wrongExamples: string[] = [];
  const missedExamples: string[] = [];
  papers.forEach((paper, i) => {
    const work = truth[i];
    const got = matchedId(paper);
    if (work) resolvable += 1;
    if (got !== undefined && work && got === expectedId(work)) correct += 1;
    else if (got !== undefined) {
      wrong += 1;
      if (wrongExamples.length < 10) {
        wrongExamples.push(
          `#${i} ${JSON.stringify(paper.title)} → ${got} (truth: ${work ? work.title : "absent"})`,
        );
      }
    } else if (work) {
      missed += 1;
      if (missedExamples.length < 10)
        missedExamples.push(`#${i} ${JSON.stringify(paper.title)} (${work.title})`);
    }
  });
  return {
    resolvable,
    correct,
    wrong,
    missed,
    recall: resolvable === 0 ? 1 : correct / resolvable,
    precision: correct + wrong === 0 ? 1 : correct / (correct + wrong),
    requests,
    requestsPerPaper: papers.length === 0 ? 0 : requests / papers.length,
    wrongExamples,
    missedExamples,
  };
}

/** Audit an output's papers (in input order) against the truth of the generated input. */
export function auditMatches(
  outputPapers: readonly OutputPaper[],
  truth: readonly (SimWork | undefined)[],
  requestLog: readonly RequestLogEntry[],
): MatchAudit {
  if (outputPapers.length !== truth.length) {
    throw new Error(`the output has ${outputPapers.length} papers, the truth ${truth.length}`);
  }
  const count = (api: RequestLogEntry["api"]) => requestLog.filter((e) => e.api === api).length;
  return {
    papers: outputPapers.length,
    openalex: auditSource(
      outputPapers,
      truth,
      openAlexIdOf,
      (w) => `https://openalex.org/${w.openalexId}`,
      count("openalex"),
    ),
    semantic_scholar: auditSource(outputPapers, truth, s2IdOf, (w) => w.paperId, count("s2")),
  };
}
