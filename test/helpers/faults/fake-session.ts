import path from "node:path";
import { consolidate } from "../../../src/core/consolidate.js";
import { toBatchInput } from "../../../src/core/engine.js";
import { canonicalJson } from "../../../src/model/canonical-json.js";
import type { LoadedInput } from "../../../src/model/input-file.js";
import type { Paper } from "../../../src/model/paper.js";
import type { SourceClient } from "../../../src/sources/types.js";
import { CheckpointManager } from "../../../src/storage/checkpoint-manager.js";
import { nodeStorageFs, type StorageFs } from "../../../src/storage/fs.js";
import { fakeSource } from "../fake-source.js";
import { comparableOutput } from "../output.js";
import { makePapers } from "../papers.js";

/**
 * A deterministic in-process session built from fake sources: generations 0, 1 and 2 (so
 * checkpoint.json.bak exists), a non-empty journal (batches and a source status change), matched,
 * not-found and failed outcomes. Resuming it with `finalClients` gives the golden output.
 */

export const SESSION_ID = "fault_session";

/**
 * The real file system without fsync (flush calls return at once). These suites test damage and error
 * handling, not durability (the crash suites do): skipping the flushes keeps thousands of cases fast.
 * Fault hooks wrapped around it still see (and can fail) every fsync.
 */
export const noSyncFs: StorageFs = {
  ...nodeStorageFs,
  syncDir: async () => undefined,
  async open(file, flags) {
    const handle = await nodeStorageFs.open(file, flags);
    return {
      write: (data) => handle.write(data),
      sync: async () => undefined,
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
};
export const PAPER_COUNT = 24;
const INPUT_SHA = "d".repeat(64);
const NOW = () => new Date("2026-02-01T00:00:00Z");

export function fakeInput(count = PAPER_COUNT): LoadedInput {
  return {
    file: "/data/input.json",
    sha256: INPUT_SHA,
    papers: makePapers(count),
    collectionMetadata: undefined,
    warnings: [],
    migrated: { citations: 0, abstracts: 0 },
  };
}

/** The sources of every resume and of the golden run (P0004 unknown to OpenAlex, nothing failing). */
export function finalClients(): SourceClient[] {
  return [
    fakeSource("openalex", { unknown: new Set(["P0004"]) }).client,
    fakeSource("semantic_scholar").client,
  ];
}

/** The logical content of a session: what must survive any fault. */
export interface Fingerprint {
  generation: number;
  outcomes: Record<string, Record<string, string>>;
  counters: Record<string, unknown>;
  papers: Paper[];
}

export function fingerprint(manager: CheckpointManager): Fingerprint {
  return JSON.parse(
    JSON.stringify({
      generation: manager.currentGeneration,
      outcomes: Object.fromEntries([...manager.state.outcomes].map(([s, m]) => [s, Object.fromEntries(m)])),
      counters: Object.fromEntries(manager.state.sources),
      papers: manager.readAllPapers(),
    }),
  );
}

/** Equal logical content (generation aside: a snapshot changes where the data lives, not what it is). */
export function sameContent(a: Fingerprint, b: Fingerprint): boolean {
  return canonicalJson({ ...a, generation: 0 }) === canonicalJson({ ...b, generation: 0 });
}

const LISTS = ["citations", "abstracts", "urls", "identifiers"] as const;

/** What `state` lacks of `min`: finished outcomes changed or gone, records or filled ids missing. */
export function missingFrom(min: Fingerprint, state: Fingerprint): string[] {
  const missing: string[] = [];
  for (const [source, outcomes] of Object.entries(min.outcomes)) {
    for (const [id, outcome] of Object.entries(outcomes)) {
      if (outcome === "failed") continue;
      const now = state.outcomes[source]?.[id];
      if (now !== outcome) missing.push(`${source} ${id}: ${outcome} became ${now ?? "undone"}`);
    }
  }
  const byId = new Map(state.papers.map((p) => [p.paper_id, p]));
  for (const paper of min.papers) {
    const other = byId.get(paper.paper_id);
    if (!other) {
      missing.push(`paper ${paper.paper_id} is gone`);
      continue;
    }
    for (const list of LISTS) {
      const have = new Set((other[list] as unknown[]).map((r) => canonicalJson(r)));
      for (const record of paper[list] as unknown[]) {
        if (!have.has(canonicalJson(record))) missing.push(`${paper.paper_id}.${list} lost a record`);
      }
    }
    for (const key of ["doi", "arxiv_id", "openalex_id"] as const) {
      if (paper[key] && other[key] !== paper[key]) missing.push(`${paper.paper_id}.${key} lost`);
    }
  }
  return missing;
}

export interface FakeSession {
  baseDir: string;
  sessionDir: string;
  /** The state of generation 1 (what checkpoint.json.bak commits). */
  generation1: Fingerprint;
  /** Everything: generation 2 plus the journal. */
  full: Fingerprint;
}

/** Build the session under `baseDir` and close it (no lock left). */
export async function buildFakeSession(baseDir: string): Promise<FakeSession> {
  const input = fakeInput();
  const manager = await CheckpointManager.create({
    baseDir,
    sessionId: SESSION_ID,
    inputFile: input.file,
    inputSha256: input.sha256,
    papers: input.papers,
    sources: ["openalex", "semantic_scholar"],
    checkpointIntervalMinutes: 0,
    options: { output: "/data/out.json" },
    now: NOW,
    fs: noSyncFs,
  });
  const oa = fakeSource("openalex", { unknown: new Set(["P0004"]), failing: new Set(["P0007"]) }).client;
  const s2 = fakeSource("semantic_scholar").client;
  const batches = oa.planBatches(input.papers);
  const run = async (client: SourceClient, indexes: number[]) => {
    for (const i of indexes) {
      await manager.recordBatch(toBatchInput(client.name, await client.lookupBatch(batches[i] ?? [])));
    }
  };
  await run(oa, [0, 1, 2]);
  await run(s2, [0, 1]);
  await manager.snapshot();
  const generation1 = fingerprint(manager);
  await run(oa, [3, 4]);
  await run(s2, [2, 3, 4]);
  await manager.snapshot();
  await run(oa, [5]);
  await run(s2, [5]);
  await manager.setSourceStatus("semantic_scholar", "budget_exhausted", "budget", "2030-01-01T00:00:00.000Z");
  const full = fingerprint(manager);
  await manager.close();
  return { baseDir, sessionDir: path.join(baseDir, SESSION_ID), generation1, full };
}

/** Run (new) or resume a session to the end with the final sources; returns the output's papers. */
export async function runToEnd(
  baseDir: string,
  outputFile: string,
  session: { kind: "new" | "resume"; sessionId: string },
  fs?: StorageFs,
  papers = PAPER_COUNT,
): Promise<string> {
  const result = await consolidate({
    input: fakeInput(papers),
    baseDir,
    session,
    clients: finalClients(),
    outputFile,
    checkpointIntervalMinutes: 0,
    options: {},
    fs: fs ?? noSyncFs,
  });
  if (!result.complete) throw new Error(`run of ${session.sessionId} did not complete`);
  return comparableOutput(outputFile);
}
