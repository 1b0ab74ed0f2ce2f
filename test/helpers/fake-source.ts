import type { Paper } from "../../src/model/paper.js";
import type { SourceName } from "../../src/model/records.js";
import { HttpError } from "../../src/sources/http.js";
import type { BatchResult, LookupResult, SourceClient } from "../../src/sources/types.js";
import { updateFor } from "./papers.js";

export interface FakeSourceOptions {
  batchSize?: number;
  delayMs?: number;
  /** Papers whose lookup fails (transient after retries). */
  failing?: Set<string>;
  /** Papers the source does not know. */
  unknown?: Set<string>;
  /** Throw this from the N-th lookupBatch call (1-based). */
  throwAt?: { call: number; error: Error };
}

/** An in-memory source: deterministic results, a call log, optional delay, failures and stops. */
export function fakeSource(name: SourceName, options: FakeSourceOptions = {}) {
  const calls: string[][] = [];
  const client: SourceClient = {
    name,
    planBatches(papers: readonly Paper[]) {
      const size = options.batchSize ?? 3;
      const batches: Paper[][] = [];
      for (let i = 0; i < papers.length; i += size) batches.push(papers.slice(i, i + size));
      return batches;
    },
    async lookupBatch(batch, signal): Promise<BatchResult> {
      calls.push(batch.map((p) => p.paper_id));
      if (options.throwAt && calls.length === options.throwAt.call) throw options.throwAt.error;
      if (options.delayMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, options.delayMs);
          signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new Error("aborted"));
          });
        });
      }
      const results: LookupResult[] = batch.map((paper) => {
        if (options.failing?.has(paper.paper_id))
          return { paper_id: paper.paper_id, outcome: "failed", error: "HTTP 503" };
        const fetchedAt = new Date();
        if (options.unknown?.has(paper.paper_id)) {
          const answer = { status: "not_found" as const, payload: null, fetchedAt };
          return { paper_id: paper.paper_id, outcome: "not_found", answer };
        }
        const answer = { status: "found" as const, payload: { id: paper.paper_id, count: 7 }, fetchedAt };
        return {
          paper_id: paper.paper_id,
          outcome: "matched",
          update: updateFor(paper.paper_id, name, 7),
          answer,
        };
      });
      return { results, apiCalls: 1 };
    },
    /** A cached answer is served only for the paper it was fetched for (by its `id`). */
    fromCache(paper, answer): LookupResult | undefined {
      if (answer.status === "not_found") return { paper_id: paper.paper_id, outcome: "not_found" };
      const payload = answer.payload as { id?: string; count?: number } | null;
      if (payload?.id !== paper.paper_id || typeof payload.count !== "number") return undefined;
      return {
        paper_id: paper.paper_id,
        outcome: "matched",
        update: updateFor(paper.paper_id, name, payload.count),
      };
    },
  };
  return { client, calls };
}

/** The HttpError a source throws when its daily budget runs out. */
export function budgetError(): HttpError {
  return new HttpError({
    kind: "budget_exhausted",
    url: "http://127.0.0.1/works",
    status: 429,
    message: "budget exhausted",
    resetsAt: new Date("2030-01-01T00:00:00Z"),
  });
}
