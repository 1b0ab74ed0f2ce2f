import { setTimeout as delay } from "node:timers/promises";
import { expect } from "vitest";
import { type Paper, parsePaper } from "../../src/model/paper.js";
import type { Corpus } from "../../src/simulator/corpus.js";
import { expectedWork, type SimInputFile } from "../../src/simulator/input-gen.js";
import type { Simulator } from "../../src/simulator/server.js";
import type { HttpClientOptions } from "../../src/sources/http.js";
import { createOpenAlexClient, type OpenAlexClientOptions } from "../../src/sources/openalex/client.js";
import {
  createSemanticScholarClient,
  type SemanticScholarClientOptions,
} from "../../src/sources/semantic-scholar/client.js";
import type { LookupResult, SourceClient } from "../../src/sources/types.js";

/** Fast retries: short backoff, and every wait (Retry-After too) capped at 20 ms. */
export const FAST: Pick<
  HttpClientOptions,
  "maxAttempts" | "baseDelayMs" | "maxDelayMs" | "timeoutMs" | "sleep"
> = {
  maxAttempts: 8,
  baseDelayMs: 5,
  maxDelayMs: 40,
  timeoutMs: 3000,
  sleep: (ms, signal) => delay(Math.min(ms, 20), undefined, { signal }),
};

/** The real OpenAlex client pointed at the simulator. */
export function openAlexFor(sim: Simulator, extra: Partial<OpenAlexClientOptions> = {}) {
  return createOpenAlexClient({
    baseUrl: sim.openalexUrl,
    version: "0.0.0-sim",
    ratePerSecond: 1000,
    httpOptions: FAST,
    ...extra,
  });
}

/** The real Semantic Scholar client pointed at the simulator. */
export function s2For(sim: Simulator, extra: Partial<SemanticScholarClientOptions> = {}) {
  return createSemanticScholarClient({
    baseUrl: sim.s2Url,
    version: "0.0.0-sim",
    ratePerSecond: 1000,
    httpOptions: FAST,
    ...extra,
  });
}

/** The generated input parsed the way `cf` parses its input. */
export function papersOf(file: SimInputFile): Paper[] {
  return file.papers.map((raw, i) => {
    const parsed = parsePaper(raw, i);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.paper;
  });
}

/** Run every planned batch, `parallel` at a time, like the engine; results in input order plus API calls. */
export async function runAll(client: SourceClient, papers: readonly Paper[], parallel = 8) {
  const batches = client.planBatches(papers);
  const byId = new Map<string, LookupResult>();
  let apiCalls = 0;
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const out = await client.lookupBatch(batch);
      apiCalls += out.apiCalls;
      for (const r of out.results) byId.set(r.paper_id, r);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { results: papers.map((p) => byId.get(p.paper_id)!), apiCalls };
}

/** The id a matched update carries for its source: the OpenAlex work id or the S2 paperId. */
export function matchedId(result: LookupResult): string | undefined {
  if (result.outcome !== "matched") return undefined;
  if (result.update.source === "openalex") return result.update.fill?.openalex_id ?? undefined;
  const ids = result.update.records.identifiers ?? [];
  return ids.find((r) => r.data.identifier_type === "s2_paper")?.data.identifier_value;
}

/** Outcome counts; fails the test on any paper matched to the wrong work or a corpus paper not found. */
export function audit(corpus: Corpus, file: SimInputFile, results: readonly LookupResult[]) {
  const counts = { matched: 0, not_found: 0, failed: 0, corpus: 0 };
  results.forEach((result, i) => {
    const paper = file.papers[i]!;
    expect(result.paper_id).toBe(paper.paper_id);
    const work = expectedWork(corpus, paper);
    if (work) counts.corpus++;
    counts[result.outcome]++;
    const where = `${paper.paper_id} ${JSON.stringify(result).slice(0, 300)}`;
    if (result.outcome === "matched") {
      expect(work, where).toBeDefined();
      const source = result.update.source;
      expect(matchedId(result), where).toBe(
        source === "openalex" ? `https://openalex.org/${work!.openalexId}` : work!.paperId,
      );
    }
    if (result.outcome === "not_found") expect(work, where).toBeUndefined();
  });
  return counts;
}
