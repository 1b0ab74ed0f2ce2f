import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { runEngine, type SourceProgress } from "../../src/core/engine.js";
import type { Paper } from "../../src/model/paper.js";
import { borrowedIds } from "../../src/model/paper-update.js";
import type { SourceName } from "../../src/model/records.js";
import type { BatchResult, LookupResult, SourceClient } from "../../src/sources/types.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { budgetError } from "../helpers/fake-source.js";
import { makePapers, updateFor } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Ids found by one source serve the other (IdSharing): OpenAlex's title-only papers wait until
 * Semantic Scholar has answered for them, then are looked up by the DOI it found.
 */

async function newSession(n: number, sources: readonly SourceName[] = ["openalex", "semantic_scholar"]) {
  const manager = await CheckpointManager.create({
    baseDir: await testdir("cf-sharing-"),
    sessionId: "sharing",
    inputFile: "/data/input.json",
    inputSha256: "d".repeat(64),
    papers: makePapers(n),
    sources,
    checkpointIntervalMinutes: 0,
    journalCommitDelayMs: 0,
  });
  onTestFinished(() => manager.close().catch(() => undefined));
  return manager;
}

interface Seen {
  paper_id: string;
  doi: string | null | undefined;
  borrowed: string[];
  /** Semantic Scholar had journaled an answer for the paper when OpenAlex asked. */
  s2Answered: boolean;
}

/**
 * A Semantic Scholar stand-in: title-only papers one per batch (slowly, like `/search/match`); it
 * finds a DOI for the papers in `identifies`, nothing for the others.
 */
function fakeS2(identifies: ReadonlySet<string>, options: { delayMs?: number; stopAt?: number } = {}) {
  let calls = 0;
  const client: SourceClient = {
    name: "semantic_scholar",
    titleOnly: (paper) => !paper.doi,
    planBatches: (papers) => papers.map((p) => [p]),
    async lookupBatch(batch): Promise<BatchResult> {
      calls += 1;
      if (options.stopAt !== undefined && calls >= options.stopAt) throw budgetError();
      await sleep(options.delayMs ?? 2);
      const results: LookupResult[] = batch.map((paper) => {
        if (paper.doi || identifies.has(paper.paper_id)) {
          const update = updateFor(paper.paper_id, "semantic_scholar");
          if (!paper.doi) {
            // As the real client: the DOI in the source's identifier records (and filled in).
            const doi = `10.7777/${paper.paper_id.toLowerCase()}`;
            update.fill = { doi };
            const record = update.records.identifiers![0]!;
            update.records.identifiers!.push({
              ...record,
              data: { identifier_type: "doi", identifier_value: doi },
            });
          }
          return { paper_id: paper.paper_id, outcome: "matched", update };
        }
        return { paper_id: paper.paper_id, outcome: "not_found" };
      });
      return { results, apiCalls: 1 };
    },
    fromCache: () => undefined,
  };
  return client;
}

/** An OpenAlex stand-in that waits for Semantic Scholar and records what each lookup saw. */
function fakeOpenAlex(manager: CheckpointManager, delayMs = 0) {
  const seen: Seen[] = [];
  const client: SourceClient = {
    name: "openalex",
    waitsForIdsFrom: ["semantic_scholar"],
    titleOnly: (paper) => !paper.doi,
    planBatches: (papers) => {
      const batches: Paper[][] = [];
      for (let i = 0; i < papers.length; i += 3) batches.push(papers.slice(i, i + 3));
      return batches;
    },
    async lookupBatch(batch): Promise<BatchResult> {
      if (delayMs > 0) await sleep(delayMs);
      for (const paper of batch) {
        const s2 = manager.state.outcomes.get("semantic_scholar")?.get(paper.paper_id);
        seen.push({
          paper_id: paper.paper_id,
          doi: paper.doi,
          borrowed: borrowedIds(paper),
          s2Answered: s2 !== undefined && s2 !== "failed",
        });
      }
      const results: LookupResult[] = batch.map((paper) => ({
        paper_id: paper.paper_id,
        outcome: "matched",
        update: updateFor(paper.paper_id, "openalex"),
      }));
      return { results, apiCalls: 1 };
    },
    fromCache: () => undefined,
  };
  return { client, seen };
}

const titleOnly = (n: number) => makePapers(n).filter((p) => !p.doi);

describe("ids found by Semantic Scholar serve OpenAlex", () => {
  it("holds OpenAlex's title-only papers until S2 answered, then looks them up by the DOI S2 found", async () => {
    const manager = await newSession(12);
    const identified = new Set(["P0001", "P0003", "P0007"]);
    const oa = fakeOpenAlex(manager);
    const progress: SourceProgress[] = [];
    const result = await runEngine({
      manager,
      clients: [oa.client, fakeS2(identified)],
      checkpointIntervalMs: 0,
      callbacks: { onProgress: (p) => progress.push(p) },
    });
    expect(result.interrupted).toBe(false);
    expect(oa.seen.map((s) => s.paper_id).sort()).toEqual(makePapers(12).map((p) => p.paper_id));
    for (const paper of titleOnly(12)) {
      const seen = oa.seen.find((s) => s.paper_id === paper.paper_id)!;
      expect(seen.s2Answered, paper.paper_id).toBe(true);
      if (identified.has(paper.paper_id)) {
        expect(seen).toMatchObject({ doi: `10.7777/${paper.paper_id.toLowerCase()}`, borrowed: ["doi"] });
      } else {
        expect(seen).toMatchObject({ doi: "", borrowed: [] });
      }
    }
    // Papers with their own DOI never wait, and keep being asked for by it.
    const own = oa.seen.filter((s) => /^10\.1000\//.test(s.doi ?? ""));
    expect(own).toHaveLength(6);
    expect(own.every((s) => s.borrowed.length === 0)).toBe(true);
    // Progress says how many wait: all six title-only papers at first, none at the end.
    const oaProgress = progress.filter((p) => p.source === "openalex");
    expect(oaProgress[0]?.waiting).toBe(6);
    expect(oaProgress.at(-1)?.waiting).toBe(0);
    expect(manager.sourceState("openalex").status).toBe("completed");
  });

  it("looks every paper up at once when Semantic Scholar is not among the run's sources", async () => {
    const manager = await newSession(8, ["openalex"]);
    const oa = fakeOpenAlex(manager);
    await runEngine({ manager, clients: [oa.client], checkpointIntervalMs: 0 });
    expect(oa.seen).toHaveLength(8);
    expect(oa.seen.filter((s) => !s.doi)).toHaveLength(4);
    expect(oa.seen.every((s) => s.borrowed.length === 0)).toBe(true);
  });

  it("lets the held papers go when Semantic Scholar stops (budget): OpenAlex searches them", async () => {
    const manager = await newSession(10);
    const oa = fakeOpenAlex(manager);
    const result = await runEngine({
      manager,
      clients: [oa.client, fakeS2(new Set(["P0001"]), { stopAt: 3 })],
      checkpointIntervalMs: 0,
    });
    expect(result.stops.map((s) => s.source)).toEqual(["semantic_scholar"]);
    expect(oa.seen).toHaveLength(10);
    expect(manager.sourceState("openalex").status).toBe("completed");
    // Those S2 never answered were looked up by title.
    const unanswered = oa.seen.filter((s) => !s.s2Answered);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(unanswered.every((s) => !s.doi || /^10\.1000\//.test(s.doi))).toBe(true);
  });

  it("keeps the rule on resume: a paper S2 identified in an earlier run is looked up by that id", async () => {
    const manager = await newSession(6);
    // First run: Semantic Scholar alone identifies P0001 and P0005.
    await runEngine({ manager, clients: [fakeS2(new Set(["P0001", "P0005"]))], checkpointIntervalMs: 0 });
    const oa = fakeOpenAlex(manager);
    await runEngine({ manager, clients: [oa.client, fakeS2(new Set())], checkpointIntervalMs: 0 });
    expect(oa.seen.find((s) => s.paper_id === "P0001")).toMatchObject({
      doi: "10.7777/p0001",
      borrowed: ["doi"],
    });
    expect(oa.seen.find((s) => s.paper_id === "P0003")).toMatchObject({ doi: "", borrowed: [] });
  });

  it("ends an interrupted run with the held papers still pending", async () => {
    const manager = await newSession(10);
    const oa = fakeOpenAlex(manager);
    const controller = new AbortController();
    const run = runEngine({
      manager,
      clients: [oa.client, fakeS2(new Set(), { delayMs: 200 })],
      checkpointIntervalMs: 0,
      signal: controller.signal,
      graceMs: 1000,
    });
    await sleep(100);
    controller.abort();
    const result = await run;
    expect(result.interrupted).toBe(true);
    const pending = manager.state.pendingPapers("openalex").map((p) => p.paper_id);
    expect(pending.length).toBeGreaterThan(0);
    expect(oa.seen.every((s) => s.s2Answered || /^10\.1000\//.test(s.doi ?? ""))).toBe(true);
  });
});

describe("held papers when Semantic Scholar is interrupted", () => {
  it("stay pending: not answered from the cache by title, nor looked up, while the run stops", async () => {
    const manager = await newSession(10);
    // OpenAlex's id batches are still in flight when Semantic Scholar's last batch ends.
    const oa = fakeOpenAlex(manager, 1200);
    // Every OpenAlex key has a cached answer the client would accept: a released paper would be served.
    oa.client.fromCache = (paper) => ({
      paper_id: paper.paper_id,
      outcome: "matched",
      update: updateFor(paper.paper_id, "openalex"),
    });
    // Title answers only: the papers with a DOI are looked up (and still in flight at the stop).
    const read = (_source: SourceName, keys: readonly string[]) =>
      new Map(
        keys
          .filter((key) => key.startsWith("title:"))
          .map((key) => [key, { status: "found" as const, payload: {}, fetchedAt: new Date() }]),
      );
    const controller = new AbortController();
    const run = runEngine({
      manager,
      clients: [oa.client, fakeS2(new Set(), { delayMs: 150 })],
      checkpointIntervalMs: 0,
      signal: controller.signal,
      graceMs: 3000,
      cache: { read, keep: false },
    });
    await sleep(200);
    controller.abort();
    const result = await run;
    expect(result.interrupted).toBe(true);
    const s2 = manager.state.outcomes.get("semantic_scholar")!;
    const oaDone = manager.state.outcomes.get("openalex")!;
    const heldAndUnanswered = titleOnly(10).filter((p) => !s2.has(p.paper_id));
    expect(heldAndUnanswered.length).toBeGreaterThan(0);
    for (const paper of heldAndUnanswered) expect(oaDone.has(paper.paper_id), paper.paper_id).toBe(false);
  });
});
