import { formatLocalTimestamp } from "../../model/local-timestamp.js";
import type { Paper } from "../../model/paper.js";
import { borrowedIds, inputView } from "../../model/paper-update.js";
import { zodProblem } from "../../model/zod-problem.js";
import { countingApiCalls } from "../api-calls.js";
import {
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpEvent,
  type RequestOptions,
  refusedKeyError,
  stopsTheSource,
} from "../http.js";
import { arxivDoi, normalizeArxivId, normalizeDoi } from "../identifiers.js";
import { createRateLimiter } from "../rate-limiter.js";
import { scrubSecrets } from "../redact.js";
import { cleanTitle, plainSearchWords } from "../title-clean.js";
import { compareTitles, isSameTitle, type TitleCandidate } from "../title-matcher.js";
import type { BatchResult, LookupResult, RawAnswer, SourceClient } from "../types.js";
import { mapS2Paper } from "./mapping.js";
import {
  type S2Paper,
  s2MatchResponseSchema,
  s2PaperSchema,
  s2SearchResponseSchema,
  TITLE_MATCH_NOT_FOUND,
} from "./schema.js";
import { S2_BASE_URL, semanticScholar } from "./source.js";

/** Most ids `POST /paper/batch` accepts in one request. */
export const S2_BATCH_SIZE = 500;
/** The fields every lookup asks for. */
export const S2_FIELDS =
  "paperId,corpusId,externalIds,title,year,abstract,citationCount,openAccessPdf,authors.name,authors.affiliations";

/** Options of {@link createSemanticScholarClient}. */
export interface SemanticScholarClientOptions {
  baseUrl?: string;
  /** Sent as `x-api-key`; never logged, put in an error message or written to a file. */
  apiKey?: string;
  ratePerSecond?: number;
  /** A ready HTTP client (tests); then `apiCalls` counts requests, not retries. */
  http?: HttpClient;
  /** Extra options for the HTTP client built here (tests: `sleep`, `maxAttempts`, `random`). */
  httpOptions?: Omit<HttpClientOptions, "version" | "limiter" | "onEvent">;
  version: string;
  now?: () => Date;
  onEvent?: (event: HttpEvent) => void;
}

/** The id a paper is looked up by in a batch: `DOI:<doi>`, else `ARXIV:<id without version>`. */
export function s2LookupId(paper: Paper): string | undefined {
  const doi = normalizeDoi(paper.doi);
  if (doi) return `DOI:${doi}`;
  const arxiv = normalizeArxivId(paper.arxiv_id);
  return arxiv ? `ARXIV:${arxiv}` : undefined;
}

/** Create the Semantic Scholar client: DOI/arXiv batches via `POST /paper/batch`, titles via `/paper/search/match`. */
export function createSemanticScholarClient(options: SemanticScholarClientOptions): SourceClient {
  const baseUrl = (options.baseUrl ?? S2_BASE_URL).replace(/\/+$/, "");
  const apiKey = options.apiKey?.trim() || undefined;
  const now = options.now ?? (() => new Date());
  const headers = apiKey ? { "x-api-key": apiKey } : undefined;
  const { withKey, withoutKey } = semanticScholar.rate;
  // Each batch gets its own HTTP client over this shared limiter (see countingApiCalls).
  const httpOptions: HttpClientOptions = {
    ...options.httpOptions,
    version: options.version,
    secrets: [...(options.httpOptions?.secrets ?? []), ...(apiKey ? [apiKey] : [])],
    limiter: createRateLimiter({ ratePerSecond: options.ratePerSecond ?? (apiKey ? withKey : withoutKey) }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };

  /** A short, key-free failure text: "<kind>: <what went wrong>". */
  function failureText(error: HttpError): string {
    const prefix = /^(GET|POST) \S+: /.exec(error.message)?.[0] ?? "";
    // Scrubbed before the cut, so a cut can never leave part of the key behind.
    const text = scrubSecrets(`${error.kind}: ${error.message.slice(prefix.length)}`, apiKey ? [apiKey] : []);
    return text.slice(0, 200);
  }

  /**
   * Papers by id through `/paper/batch`. A paper whose id another source found gets undefined when
   * the answer is not this paper by title and year, or there is none: its title lookup decides.
   */
  async function lookupIds(
    http: HttpClient,
    papers: Paper[],
    init: RequestOptions,
  ): Promise<Array<LookupResult | undefined>> {
    const ids = papers.map((p) => s2LookupId(p)!);
    const failAll = (error: string) =>
      papers.map((p): LookupResult => ({ paper_id: p.paper_id, outcome: "failed", error }));
    let answer: unknown;
    try {
      answer = await http.postJson(`${baseUrl}/paper/batch`, { ids }, init);
    } catch (error) {
      if (!(error instanceof HttpError) || stopsTheSource(error)) throw error;
      return failAll(failureText(error));
    }
    if (!Array.isArray(answer)) return failAll("permanent: batch answer is not a list");
    // Answers are matched by position only, so a list of the wrong length cannot be assigned safely.
    if (answer.length !== ids.length) {
      return failAll(`permanent: batch answer has ${answer.length} entries for ${ids.length} ids`);
    }
    const fetchedAt = now();
    const timestamp = formatLocalTimestamp(fetchedAt);
    return papers.map((paper, i): LookupResult | undefined => {
      const item: unknown = answer[i];
      const borrowed = borrowedIds(paper).length > 0;
      if (item === null) {
        if (borrowed) return undefined;
        return { paper_id: paper.paper_id, outcome: "not_found", answer: notFoundAnswer(fetchedAt) };
      }
      const parsed = s2PaperSchema.safeParse(item);
      if (!parsed.success)
        return { paper_id: paper.paper_id, outcome: "failed", error: shapeError(parsed.error) };
      // Answers come by position: one that names another paper (a broken server, a shifted list) is no match.
      const mismatch = otherPaper(ids[i]!, parsed.data);
      if (borrowed && (mismatch || !bestCandidate(paper, [parsed.data]))) return undefined;
      if (mismatch) return { paper_id: paper.paper_id, outcome: "failed", error: mismatch };
      return {
        paper_id: paper.paper_id,
        outcome: "matched",
        // Fills are proposed against the input's ids, never against a borrowed one.
        update: mapS2Paper(inputView(paper), parsed.data, timestamp),
        answer: { status: "found", payload: parsed.data, fetchedAt },
      };
    });
  }

  /**
   * A title-only paper: `/paper/search/match` with the cleaned title; it answers one candidate, so when
   * the matcher rejects it (a better-cited near miss outranks the true paper) or there is none, one
   * `/paper/search` over the year range, whose verified best candidate is taken.
   */
  async function lookupTitle(http: HttpClient, paper: Paper, init: RequestOptions): Promise<LookupResult> {
    const { paper_id } = paper;
    const cleaned = cleanTitle(paper.title);
    if (!/[\p{L}\p{N}]/u.test(cleaned)) return { paper_id, outcome: "not_found" };
    const matched = (best: S2Paper): LookupResult => {
      const fetchedAt = now();
      return {
        paper_id,
        outcome: "matched",
        update: mapS2Paper(inputView(paper), best, formatLocalTimestamp(fetchedAt)),
        answer: { status: "found", payload: best, fetchedAt },
      };
    };
    let answer: unknown;
    try {
      answer = await http.getJson(`${baseUrl}/paper/search/match`, {
        ...init,
        query: { ...init.query, query: cleaned },
      });
    } catch (error) {
      if (!(error instanceof HttpError) || stopsTheSource(error)) throw error;
      // Only S2's own "no match" 404 means not found; any other 404 (a wrong base URL) is a failure.
      if (!(error.kind === "not_found" && error.excerpt?.includes(TITLE_MATCH_NOT_FOUND))) {
        return { paper_id, outcome: "failed", error: failureText(error) };
      }
      answer = { data: [] };
    }
    const parsed = s2MatchResponseSchema.safeParse(answer);
    if (!parsed.success) return { paper_id, outcome: "failed", error: shapeError(parsed.error) };
    const best = bestCandidate(paper, parsed.data.data ?? []);
    if (best) return matched(best);

    // S2's search finds nothing for hyphenated words (api-facts B2), so words only.
    const words = plainSearchWords(cleaned);
    try {
      answer = await http.getJson(`${baseUrl}/paper/search`, {
        ...init,
        query: { ...init.query, query: words, year: `${paper.year - 1}-${paper.year + 1}`, limit: "10" },
      });
    } catch (error) {
      if (!(error instanceof HttpError) || stopsTheSource(error)) throw error;
      return { paper_id, outcome: "failed", error: failureText(error) };
    }
    const found = s2SearchResponseSchema.safeParse(answer);
    if (!found.success) return { paper_id, outcome: "failed", error: shapeError(found.error) };
    const verified = bestCandidate(paper, found.data.data ?? []);
    return verified ? matched(verified) : { paper_id, outcome: "not_found", answer: notFoundAnswer(now()) };
  }

  /**
   * A cached answer replayed as a lookup would: an answer by id must still name the paper asked
   * for, an answer by title must still pass the matcher for this paper (its authors, its year).
   */
  function fromCache(paper: Paper, answer: RawAnswer): LookupResult | undefined {
    const paper_id = paper.paper_id;
    const borrowed = borrowedIds(paper).length > 0;
    // A borrowed id S2 does not know leads to a title lookup, which this answer is not.
    if (answer.status === "not_found") return borrowed ? undefined : { paper_id, outcome: "not_found" };
    const parsed = s2PaperSchema.safeParse(answer.payload);
    if (!parsed.success) return undefined;
    const id = s2LookupId(paper);
    const byId = id !== undefined && otherPaper(id, parsed.data) === undefined;
    const byTitle = bestCandidate(paper, [parsed.data]) !== undefined;
    if (!(id && !borrowed ? byId : byTitle && (id === undefined || byId))) return undefined;
    const timestamp = formatLocalTimestamp(answer.fetchedAt);
    return { paper_id, outcome: "matched", update: mapS2Paper(inputView(paper), parsed.data, timestamp) };
  }

  return {
    name: semanticScholar.name,
    titleOnly: (paper) => s2LookupId(paper) === undefined,
    planBatches(papers) {
      const withId = papers.filter((p) => s2LookupId(p) !== undefined);
      const batches: Paper[][] = [];
      for (let i = 0; i < withId.length; i += S2_BATCH_SIZE) batches.push(withId.slice(i, i + S2_BATCH_SIZE));
      for (const paper of papers) if (s2LookupId(paper) === undefined) batches.push([paper]);
      return batches;
    },
    async lookupBatch(batch, signal, stopSignal): Promise<BatchResult> {
      try {
        return await lookUp(batch, signal, stopSignal);
      } catch (error) {
        throw refusedKeyError(error, semanticScholar.label, apiKey !== undefined);
      }
    },
    fromCache,
  };

  function lookUp(
    batch: readonly Paper[],
    signal?: AbortSignal,
    stopSignal?: AbortSignal,
  ): Promise<BatchResult> {
    return countingApiCalls(options.http, httpOptions, async (http) => {
      const init: RequestOptions = { headers, signal, stopSignal, query: { fields: S2_FIELDS } };
      // Undefined: still to look up by title (a title-only paper, or a borrowed id that led nowhere).
      const results: Array<LookupResult | undefined> = new Array(batch.length);
      const idIndexes = batch.flatMap((p, i) => (s2LookupId(p) === undefined ? [] : [i]));
      for (let start = 0; start < idIndexes.length; start += S2_BATCH_SIZE) {
        const chunk = idIndexes.slice(start, start + S2_BATCH_SIZE);
        const found = await lookupIds(
          http,
          chunk.map((i) => batch[i]!),
          init,
        );
        chunk.forEach((i, k) => {
          results[i] = found[k];
        });
      }
      for (const [i, paper] of batch.entries()) {
        if (results[i] !== undefined) continue;
        if (s2LookupId(paper) === undefined) {
          results[i] = await lookupTitle(http, paper, init);
          continue;
        }
        // A borrowed id that led nowhere usable: the title decides, and the cache keeps it by title.
        const result = await lookupTitle(http, inputView(paper), init);
        results[i] =
          result.outcome !== "failed" && result.answer
            ? { ...result, answer: { ...result.answer, byTitle: true } }
            : result;
      }
      return results as LookupResult[];
    });
  }
}

const ARXIV_DOI_PREFIX = "10.48550/arxiv.";

/**
 * Why a batch answer is not the paper asked for by `id` (`DOI:<doi>` or `ARXIV:<id>`), or undefined
 * when it is or cannot be told. Only identifiers of the kind asked are compared: a DOI with a DOI, an
 * arXiv id with the arXiv id or its DataCite DOI `10.48550/arXiv.<id>`; an answer without them is trusted.
 */
export function otherPaper(id: string, answer: S2Paper): string | undefined {
  const gotDoi = normalizeDoi(idText(answer.externalIds?.DOI));
  const gotArxiv = normalizeArxivId(idText(answer.externalIds?.ArXiv));
  const askedDoi = id.startsWith("DOI:") ? normalizeDoi(id.slice(4)) : undefined;
  const askedArxiv = id.startsWith("ARXIV:")
    ? normalizeArxivId(id.slice(6))
    : askedDoi?.startsWith(ARXIV_DOI_PREFIX)
      ? normalizeArxivId(askedDoi.slice(ARXIV_DOI_PREFIX.length))
      : undefined;
  const dois = new Set([askedDoi, askedArxiv && arxivDoi(askedArxiv)].filter((d): d is string => !!d));
  const arxivOf = (doi: string) =>
    doi.startsWith(ARXIV_DOI_PREFIX) ? normalizeArxivId(doi.slice(ARXIV_DOI_PREFIX.length)) : undefined;
  if (
    (gotDoi && dois.has(gotDoi)) ||
    (gotArxiv && askedArxiv && gotArxiv.toLowerCase() === askedArxiv.toLowerCase())
  ) {
    return undefined;
  }
  // Comparable evidence: a DOI answering a DOI request (or an arXiv DOI answering an arXiv request),
  // an arXiv id answering an arXiv request.
  const doiSays = gotDoi !== undefined && (askedDoi !== undefined || arxivOf(gotDoi) !== undefined);
  const arxivSays = gotArxiv !== undefined && askedArxiv !== undefined;
  if (!doiSays && !arxivSays) return undefined;
  const got = doiSays ? `DOI ${gotDoi}` : `arXiv ${gotArxiv}`;
  return `answer is another paper: asked ${id}, got ${got}`;
}

function notFoundAnswer(fetchedAt: Date): RawAnswer {
  return { status: "not_found", payload: null, fetchedAt };
}

function idText(value: string | number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function shapeError(error: Parameters<typeof zodProblem>[0]): string {
  const { where, message } = zodProblem(error);
  return `permanent: unexpected answer shape at ${where || "answer"}: ${message}`.slice(0, 200);
}

/** The candidate whose title (with year and authors) matches ours best, if any reaches high confidence. */
function bestCandidate<C extends S2Paper>(paper: Paper, candidates: readonly C[]): C | undefined {
  const ours: TitleCandidate = {
    title: paper.title,
    year: paper.year,
    authors: paper.authors.map((a) => a.name),
  };
  const scored = candidates
    .map((c) => {
      const theirs = {
        title: c.title,
        year: c.year,
        authors: (c.authors ?? []).flatMap((a) => a.name ?? []),
      };
      return { c, theirs, score: compareTitles(ours, theirs).score };
    })
    .filter(({ theirs }) => isSameTitle(ours, theirs))
    .sort((a, b) => b.score - a.score);
  return scored[0]?.c;
}
