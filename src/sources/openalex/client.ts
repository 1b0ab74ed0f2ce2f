import type { z } from "zod";
import type { Paper } from "../../model/paper.js";
import { borrowedIds, inputView } from "../../model/paper-update.js";
import { zodProblem } from "../../model/zod-problem.js";
import { countingApiCalls } from "../api-calls.js";
import {
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpEvent,
  refusedKeyError,
  stopsTheSource,
  withPartial,
} from "../http.js";
import { lookupDoi } from "../identifiers.js";
import { createRateLimiter } from "../rate-limiter.js";
import { scrubSecrets } from "../redact.js";
import { cleanTitle, plainSearchWords } from "../title-clean.js";
import { compareTitles, type MatchType } from "../title-matcher.js";
import type { BatchResult, LookupResult, RawAnswer, SourceClient } from "../types.js";
import { mapWork, workDoi } from "./mapping.js";
import { openAlexPrice, SpendCap, titleLookupPrice } from "./pricing.js";
import {
  type OpenAlexWork,
  type OpenAlexWorksList,
  WORK_SELECT_FIELDS,
  workSchema,
  worksListSchema,
} from "./schema.js";
import { OPENALEX_BASE_URL, openalex } from "./source.js";

/** Most values one OR filter may hold, and the most papers per DOI batch. */
export const MAX_DOIS_PER_REQUEST = 100;
/** Every URL stays below this many bytes (the server refuses request lines over 8190). */
export const MAX_URL_BYTES = 8000;
/** Candidates fetched per title search. */
export const TITLE_SEARCH_PER_PAGE = 5;
/** Candidates fetched by the fallback `search=` (title and text match more works). */
export const FALLBACK_SEARCH_PER_PAGE = 10;

const ACCEPTED: ReadonlySet<MatchType> = new Set<MatchType>(["exact", "high_confidence"]);
const MAX_QUERY_CHARS = 300;
const OR_SEPARATOR = encodeURIComponent("|");

/** Options of {@link createOpenAlexClient}; `http`, `httpOptions` and `now` are for tests. */
export interface OpenAlexClientOptions {
  baseUrl?: string;
  /** Sent as the `api_key` query parameter; never logged. */
  apiKey?: string;
  /** Sent as `mailto` (the old polite pool). */
  email?: string;
  ratePerSecond?: number;
  http?: HttpClient;
  httpOptions?: Pick<
    HttpClientOptions,
    | "timeoutMs"
    | "maxAttempts"
    | "baseDelayMs"
    | "maxDelayMs"
    | "sleep"
    | "random"
    | "health"
    | "fetch"
    | "proxy"
    | "maxBodyBytes"
  >;
  version: string;
  now?: () => Date;
  onEvent?: (event: HttpEvent) => void;
  /** `--openalex-max-cost`: the most this run may spend, in USD (default: no cap but the API's). */
  maxCostUsd?: number;
}

/** Title words only: commas, filter syntax and wildcard characters become spaces; AND/OR/NOT lose their power. */
export function titleSearchQuery(title: string): string {
  const words = title
    .normalize("NFKC")
    .replace(/[^\p{L}\p{M}\p{N}'.-]+/gu, " ")
    .split(" ")
    .filter((w) => w !== "" && !/^[-.']+$/.test(w))
    .map((w) => (/^(AND|OR|NOT)$/.test(w) ? w.toLowerCase() : w.replace(/^-+/, "")));
  let query = words.join(" ");
  if (query.length > MAX_QUERY_CHARS) query = query.slice(0, MAX_QUERY_CHARS).replace(/\s+\S*$/, "");
  return query;
}

/**
 * `unasked`: known not found without a request (nothing to search for): no answer to cache.
 * `byTitle`: a paper with a borrowed id that was answered by a title search after all.
 */
type Outcome = ({ work: OpenAlexWork } | { notFound: true; unasked?: true } | { error: string }) & {
  byTitle?: true;
};

/** The OpenAlex SourceClient: DOI/arXiv papers by OR-filter lists plus free singletons, others by title. */
export function createOpenAlexClient(options: OpenAlexClientOptions): SourceClient {
  const base = (options.baseUrl ?? OPENALEX_BASE_URL).replace(/\/+$/, "");
  const now = options.now ?? (() => new Date());
  const secrets = [options.apiKey, options.email].filter((s): s is string => !!s);
  const authParams = new URLSearchParams();
  if (options.apiKey) authParams.set("api_key", options.apiKey);
  if (options.email) authParams.set("mailto", options.email);
  const { withKey, withoutKey } = openalex.rate;
  const limiter = createRateLimiter({
    ratePerSecond: options.ratePerSecond ?? (options.apiKey ? withKey : withoutKey),
  });
  const select = WORK_SELECT_FIELDS.join(",");

  // Keys go into the URL here (not via the HTTP client) so the URL length we measure is the one sent.
  const buildUrl = (path: string, params: Record<string, string>): string => {
    const query = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    if (authParams.size > 0) query.push(authParams.toString());
    return `${base}${path}?${query.join("&")}`;
  };
  const listUrl = (dois: readonly string[]) =>
    buildUrl("/works", { filter: `doi:${dois.join("|")}`, per_page: String(MAX_DOIS_PER_REQUEST), select });
  const emptyListBytes = Buffer.byteLength(listUrl([]));
  const doiBytes = (doi: string) => Buffer.byteLength(encodeURIComponent(doi));
  // A comma or pipe would split the filter, so such DOIs are only asked for alone.
  const listable = (doi: string) => !/[,|]/.test(doi) && emptyListBytes + doiBytes(doi) < MAX_URL_BYTES;

  /** Split in order into chunks of ≤ 100 items whose list URL stays under MAX_URL_BYTES. */
  function chunkByUrl<T>(items: readonly T[], doiOf: (item: T) => string | undefined): T[][] {
    const chunks: T[][] = [];
    let chunk: T[] = [];
    let seen = new Set<string>();
    let bytes = emptyListBytes;
    for (const item of items) {
      const doi = doiOf(item);
      const isNew = doi !== undefined && listable(doi) && !seen.has(doi);
      const extra = () => (isNew ? doiBytes(doi) + (seen.size > 0 ? OR_SEPARATOR.length : 0) : 0);
      if (chunk.length >= MAX_DOIS_PER_REQUEST || (chunk.length > 0 && bytes + extra() >= MAX_URL_BYTES)) {
        chunks.push(chunk);
        [chunk, seen, bytes] = [[], new Set(), emptyListBytes];
      }
      bytes += extra();
      if (isNew) seen.add(doi);
      chunk.push(item);
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  const cap = options.maxCostUsd === undefined ? undefined : new SpendCap(options.maxCostUsd);
  const onEvent = options.onEvent;
  const httpOptions: HttpClientOptions = {
    ...options.httpOptions,
    version: options.version,
    limiter,
    secrets,
    // OpenAlex documents 403 as "rate limit exceeded; slow down", not as a bad key.
    forbiddenIsThrottle: true,
    // An answer without a cost header (a proxy dropped it) is counted at the documented price.
    priceOf: (_method, url) => openAlexPrice(url),
    ...(cap || onEvent
      ? {
          onEvent: (event: HttpEvent) => {
            cap?.observe(event);
            onEvent?.(event);
          },
        }
      : {}),
  };

  function lookupBatch(
    batch: readonly Paper[],
    signal?: AbortSignal,
    stopSignal?: AbortSignal,
  ): Promise<BatchResult> {
    return countingApiCalls(options.http, httpOptions, async (http) => {
      const fetchJson = (url: string): Promise<unknown> => http.getJson(url, { signal, stopSignal });
      // Lists and singletons are held at their own price; a title lookup holds both its searches.
      const get = (url: string): Promise<unknown> =>
        cap ? cap.within(openAlexPrice(url), url, () => fetchJson(url)) : fetchJson(url);
      const describe = (what: string, error: unknown): string => {
        if (!(error instanceof HttpError) || stopsTheSource(error))
          throw refusedKeyError(error, openalex.label, !!options.apiKey);
        const at = error.message.indexOf(`${error.url}: `);
        const detail = at >= 0 ? error.message.slice(at + error.url.length + 2) : error.message;
        // Secrets are removed before truncating, so a cut can never leave part of a key behind.
        const text = scrubSecrets(`OpenAlex ${what} (${error.kind}): ${detail}`, secrets);
        return text.length > 300 ? `${text.slice(0, 299)}…` : text;
      };

      const outcomes = new Map<string, Outcome>();
      const doiOf = (paper: Paper) => lookupDoi(paper);
      for (const chunk of chunkByUrl(batch.filter(doiOf), doiOf)) {
        const dois = new Set(
          chunk.map(doiOf).filter((d): d is string => !!d && listable(d) && !outcomes.has(d)),
        );
        // One DOI is asked for alone: a singleton is free, a list of one costs a list request. So
        // are all of them when the run's cap has no room for a list (the singletons are free).
        if (dois.size <= 1 || (cap && !cap.fits(openAlexPrice(listUrl([...dois]))))) continue;
        let list: OpenAlexWorksList | string;
        try {
          list = parse(worksListSchema, await get(listUrl([...dois])), "DOI list");
        } catch (error) {
          list = describe("DOI list", error);
        }
        if (typeof list === "string") {
          for (const doi of dois) outcomes.set(doi, { error: list });
          continue;
        }
        for (const work of list.results) {
          const doi = workDoi(work);
          if (doi && work.id && dois.has(doi) && !outcomes.has(doi)) outcomes.set(doi, { work });
        }
      }

      // DOIs the list did not return (merged preprints, odd DOIs) are asked for alone: free at OpenAlex.
      const missing = [...new Set(batch.map(doiOf))].filter((d): d is string => !!d && !outcomes.has(d));
      const singles = await Promise.allSettled(
        missing.map(async (doi): Promise<Outcome> => {
          try {
            const url = buildUrl(`/works/doi:${encodeURIComponent(doi)}`, { select });
            const work = parse(workSchema, await get(url), "DOI lookup");
            if (typeof work === "string") return { error: work };
            return work.id ? { work } : { error: "OpenAlex DOI lookup: unexpected response (no work id)" };
          } catch (error) {
            if (error instanceof HttpError && error.kind === "not_found") return { notFound: true };
            return { error: describe("DOI lookup", error) };
          }
        }),
      );
      for (const [i, settled] of singles.entries()) {
        if (settled.status === "rejected") throw settled.reason;
        outcomes.set(missing[i]!, settled.value);
      }

      // Throws only what stops the source (describe rethrows it); other errors fail the paper.
      const search = async (paper: Paper): Promise<Outcome> => {
        try {
          const lookup = () => searchTitle(paper, fetchJson);
          return await (cap ? cap.within(titleLookupPrice(), `${base}/works`, lookup) : lookup());
        } catch (error) {
          return { error: describe("title search", error) };
        }
      };
      const results: LookupResult[] = [];
      // A stop (the cap, the budget) met by one paper's search: the papers answered without a
      // search are still kept (see HttpError.partial), so a DOI batch is not lost to one search.
      let stop: unknown;
      const searchUnlessStopped = async (paper: Paper): Promise<Outcome | undefined> => {
        if (stop !== undefined) return undefined;
        try {
          return await search(paper);
        } catch (error) {
          stop = error;
          return undefined;
        }
      };
      for (const paper of batch) {
        const doi = doiOf(paper);
        let outcome: Outcome | undefined;
        if (!doi) {
          outcome = await searchUnlessStopped(paper);
        } else {
          outcome = outcomes.get(doi) ?? { error: "OpenAlex: no answer for this DOI" };
          // An id another source found is checked against the paper: a work that is not this paper
          // (a wrong DOI at that source), or no work at all, leaves the title search to decide.
          if (borrowedIds(paper).length > 0 && !("error" in outcome) && !verifiedById(paper, outcome)) {
            const searched = await searchUnlessStopped(inputView(paper));
            outcome = searched && { ...searched, byTitle: true };
          }
        }
        if (outcome) results.push(toResult(paper, outcome));
      }
      if (stop !== undefined) throw withPartial(stop, results);
      return results;
    });
  }

  /**
   * A title-only paper: `title.search` with the cleaned title; when that finds no verified match (its
   * search needs every word, so one stray word finds nothing), one `search=` query over title and text.
   */
  async function searchTitle(paper: Paper, get: (url: string) => Promise<unknown>): Promise<Outcome> {
    const cleaned = cleanTitle(paper.title);
    const query = titleSearchQuery(cleaned);
    if (query === "") return { notFound: true, unasked: true };
    const years = `publication_year:${paper.year - 1}-${paper.year + 1}`;
    const attempts: Record<string, string>[] = [
      { filter: `title.search:${query},${years}`, per_page: String(TITLE_SEARCH_PER_PAGE), select },
      {
        search: titleSearchQuery(plainSearchWords(cleaned)),
        filter: years,
        per_page: String(FALLBACK_SEARCH_PER_PAGE),
        select,
      },
    ];
    for (const [i, params] of attempts.entries()) {
      const list = parse(
        worksListSchema,
        await get(buildUrl("/works", params)),
        i === 0 ? "title search" : "search",
      );
      if (typeof list === "string") return { error: list };
      const work = bestVerifiedWork(paper, list.results);
      if (work) return { work };
    }
    return { notFound: true };
  }

  function toResult(paper: Paper, outcome: Outcome): LookupResult {
    const paper_id = paper.paper_id;
    if ("error" in outcome) return { paper_id, outcome: "failed", error: outcome.error };
    // The records' timestamp and the cached answer's fetch time are one instant.
    const fetchedAt = now();
    const byTitle = outcome.byTitle ? { byTitle: true as const } : {};
    if ("notFound" in outcome) {
      if (outcome.unasked) return { paper_id, outcome: "not_found" };
      const answer = { status: "not_found" as const, payload: null, fetchedAt, ...byTitle };
      return { paper_id, outcome: "not_found", answer };
    }
    return {
      paper_id,
      outcome: "matched",
      // Fills are proposed against the input's ids, never against a borrowed one.
      update: mapWork(inputView(paper), outcome.work, () => fetchedAt),
      answer: { status: "found", payload: outcome.work, fetchedAt, ...byTitle },
    };
  }

  /**
   * A cached answer replayed as a lookup would: a work found by DOI is that DOI's work (as the
   * singleton lookup trusts it); a work found by title must still pass the matcher for this paper.
   */
  function fromCache(paper: Paper, answer: RawAnswer): LookupResult | undefined {
    const paper_id = paper.paper_id;
    const borrowed = borrowedIds(paper).length > 0;
    // A borrowed id that OpenAlex does not know leads to a title search, which this answer is not.
    if (answer.status === "not_found") return borrowed ? undefined : { paper_id, outcome: "not_found" };
    const parsed = workSchema.safeParse(answer.payload);
    if (!parsed.success || !parsed.data.id) return undefined;
    const work = parsed.data;
    if ((!lookupDoi(paper) || borrowed) && !bestVerifiedWork(paper, [work])) return undefined;
    return { paper_id, outcome: "matched", update: mapWork(inputView(paper), work, () => answer.fetchedAt) };
  }

  return {
    name: openalex.name,
    // A search costs ten DOI lists: title-only papers wait for Semantic Scholar, which may identify them.
    waitsForIdsFrom: ["semantic_scholar"],
    titleOnly: (paper) => !lookupDoi(paper),
    planBatches(papers) {
      const titleOnly = papers.filter((p) => !lookupDoi(p)).map((p) => [p]);
      return [...chunkByUrl(papers.filter(lookupDoi), lookupDoi), ...titleOnly];
    },
    lookupBatch,
    fromCache,
  };
}

/** A work found by a borrowed id that is this paper by title and year (see `bestVerifiedWork`). */
function verifiedById(paper: Paper, outcome: Outcome): boolean {
  return "work" in outcome && bestVerifiedWork(paper, [outcome.work]) !== undefined;
}

/** The result whose title (with year and authors) matches the paper best at high confidence, if any. */
function bestVerifiedWork(paper: Paper, results: readonly OpenAlexWork[]): OpenAlexWork | undefined {
  const ours = { title: paper.title, year: paper.year, authors: paper.authors.map((a) => a.name) };
  let best: { work: OpenAlexWork; score: number } | undefined;
  for (const work of results) {
    const authors = (work.authorships ?? []).flatMap((a) => a.author?.display_name ?? []);
    const theirs = { title: work.title ?? work.display_name, year: work.publication_year, authors };
    const match = compareTitles(ours, theirs);
    if (work.id && ACCEPTED.has(match.type) && (!best || match.score > best.score)) {
      best = { work, score: match.score };
    }
  }
  return best?.work;
}

/** The parsed value, or a short message saying why the body does not fit the schema. */
function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T | string {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const { where, message } = zodProblem(result.error);
  return `OpenAlex ${what}: unexpected response (${where ? `${where}: ` : ""}${message})`;
}
