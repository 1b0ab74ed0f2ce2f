import type { Paper } from "../model/paper.js";
import type { PaperUpdate } from "../model/paper-update.js";
import type { SourceName } from "../model/records.js";

/**
 * The contract every API client implements. The engine plans batches with `planBatches`, runs each
 * through `lookupBatch` at the source's rate, journals the result, and never sees HTTP details.
 */

/**
 * The API's own answer behind a found or not-found result, as the response cache keeps it: the
 * object the lookup resolved to (a work, a paper) and when it was fetched, so that `fromCache`
 * can produce the same result later without a request (and a better mapping needs no refetch).
 */
export interface RawAnswer {
  status: "found" | "not_found";
  /** The API's object for a found answer (JSON); null for not found. */
  payload: unknown;
  fetchedAt: Date;
  /**
   * Set when a paper with an id another source found was answered by a title lookup after all (the
   * id led nowhere usable): the cache keeps the answer under the paper's title key, not the id's.
   */
  byTitle?: true;
}

/** What one lookup found for one paper; `answer` is what the response cache may keep of it. */
export type LookupResult =
  | { paper_id: string; outcome: "matched"; update: PaperUpdate; answer?: RawAnswer }
  | { paper_id: string; outcome: "not_found"; answer?: RawAnswer }
  /** Still failing after the HTTP layer's retries (transient) or refused (permanent): retried on resume. */
  | { paper_id: string; outcome: "failed"; error: string };

export interface BatchResult {
  /** One result per paper of the batch, in the batch's order. */
  results: LookupResult[];
  /** HTTP requests made for this batch, retries included. */
  apiCalls: number;
  /** What those requests cost in USD (a metered API's cost headers); absent when nothing was reported. */
  costUsd?: number;
  /** The API's budget as its last answer of the batch reported it (today's limit and what is left). */
  budget?: { remainingUsd?: number; limitUsd?: number };
}

export interface SourceClient {
  readonly name: SourceName;
  /**
   * Sources whose answers this client's title-only papers wait for in a run: they may find the
   * paper's DOI or arXiv id, which makes its lookup here cheap (OpenAlex bills searches, not ids).
   */
  readonly waitsForIdsFrom?: readonly SourceName[];
  /** True when this client can only look `paper` up by its title (it has no id the client uses). */
  titleOnly?(paper: Paper): boolean;
  /**
   * Split papers into request batches: papers with a DOI or arXiv id together (up to the API's
   * batch size), title-only papers one per batch. Deterministic for a given input order.
   */
  planBatches(papers: readonly Paper[]): Paper[][];
  /**
   * Look up one planned batch. Per-paper failures are results, not exceptions. Throws `HttpError`
   * only for errors that stop the whole source: kind `auth` or `budget_exhausted`. `signal` aborts
   * requests in flight; once `stopSignal` is aborted no new request starts (the batch then throws
   * that signal's reason and is redone on resume).
   */
  lookupBatch(batch: readonly Paper[], signal?: AbortSignal, stopSignal?: AbortSignal): Promise<BatchResult>;
  /**
   * The result a lookup of `paper` would give from a cached answer (see `RawAnswer`), its records
   * timestamped with the answer's fetch time; undefined when the answer cannot serve this paper
   * (a title answer the matcher does not accept for it, a shape this build does not read): then
   * the paper is looked up.
   */
  fromCache(paper: Paper, answer: RawAnswer): LookupResult | undefined;
  /**
   * The attempts of this client's requests so far that got no HTTP answer at all (DNS, refused,
   * unreachable, TLS, proxy, timeout), by cause in plain words (`cannot connect to host (…)`).
   * They fail no paper (the source stops, its papers stay pending): this is how they are told.
   */
  connectionFailures?(): Readonly<Record<string, number>>;
}
