import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { runEngine, type SourceProgress } from "../../src/core/engine.js";
import { writeOutputFile } from "../../src/core/output-file.js";
import { StorageError } from "../../src/errors.js";
import type { Paper } from "../../src/model/paper.js";
import type { SourceName } from "../../src/model/records.js";
import { HttpError } from "../../src/sources/http.js";
import type { RawAnswer, SourceClient } from "../../src/sources/types.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { nodeStorageFs, type StorageFs, withOpHook } from "../../src/storage/fs.js";
import { JOURNAL_COMMIT_DELAY_MS } from "../../src/storage/group-commit.js";
import { JOURNAL_FILE } from "../../src/storage/journal.js";
import type { CacheEntry } from "../../src/storage/response-cache.js";
import { budgetError, fakeSource } from "../helpers/fake-source.js";
import { comparableOutput } from "../helpers/output.js";
import { makePapers } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";

/** The engine on its own: a real session on disk, fake source clients, no CLI. */

const BOTH: readonly SourceName[] = ["openalex", "semantic_scholar"];

/** A new session of `n` papers in a fresh temp directory, closed when the test ends. */
async function newSession(
  n: number,
  options: { sources?: readonly SourceName[]; fs?: StorageFs; journalCommitDelayMs?: number } = {},
) {
  const baseDir = await testdir("cf-engine-");
  const manager = await CheckpointManager.create({
    baseDir,
    sessionId: "engine",
    inputFile: "/data/input.json",
    inputSha256: "d".repeat(64),
    papers: makePapers(n),
    sources: options.sources ?? BOTH,
    checkpointIntervalMinutes: 0,
    // Each batch written as soon as the previous write is done, unless a test asks for group commit.
    journalCommitDelayMs: options.journalCommitDelayMs ?? 0,
    ...(options.fs ? { fs: options.fs } : {}),
  });
  onTestFinished(() => manager.close().catch(() => undefined));
  return { baseDir, manager };
}

const ids = (n: number) => makePapers(n).map((p) => p.paper_id);

/** Paper ids per source in the complete lines of the session's journal, as they are on disk now. */
function journaledIds(sessionDir: string): Record<string, Set<string>> {
  const text = readFileSync(path.join(sessionDir, JOURNAL_FILE), "utf8");
  const found: Record<string, Set<string>> = {};
  for (const line of text.split("\n")) {
    let frame: { p?: { type: string; source: string; outcomes: Record<string, string> } };
    try {
      frame = JSON.parse(line);
    } catch {
      continue; // the empty tail, or a line another commit is writing right now
    }
    if (frame.p?.type !== "batch") continue;
    found[frame.p.source] ??= new Set();
    for (const id of Object.keys(frame.p.outcomes)) found[frame.p.source]?.add(id);
  }
  return found;
}

/** `inner` with each batch's answer delayed by `delayOf(call number, batch)` ms, and calls in flight counted. */
function delayed(inner: SourceClient, delayOf: (call: number, firstId: string) => number) {
  let calls = 0;
  let inFlight = 0;
  const seen = { maxInFlight: 0 };
  const client: SourceClient = {
    name: inner.name,
    planBatches: (papers) => inner.planBatches(papers),
    fromCache: (paper, answer) => inner.fromCache(paper, answer),
    async lookupBatch(batch, signal, stop) {
      calls += 1;
      inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
      try {
        await sleep(delayOf(calls, batch[0]?.paper_id ?? ""));
        return await inner.lookupBatch(batch, signal, stop);
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { client, seen };
}

describe("runEngine", () => {
  it("looks up every paper exactly once per source and completes both", async () => {
    const { manager } = await newSession(20);
    const oa = fakeSource("openalex", { batchSize: 3, unknown: new Set(["P0004", "P0011"]) });
    const s2 = fakeSource("semantic_scholar", { batchSize: 7 });
    const result = await runEngine({ manager, clients: [oa.client, s2.client], checkpointIntervalMs: 0 });

    for (const source of [oa, s2]) {
      const looked = source.calls.flat();
      expect(looked.sort()).toEqual(ids(20));
      expect(new Set(looked).size).toBe(looked.length);
    }
    expect(oa.calls).toHaveLength(7); // ceil(20 / 3)
    expect(s2.calls).toHaveLength(3); // ceil(20 / 7)
    expect(result.interrupted).toBe(false);
    expect(result.stops).toEqual([]);
    expect(result.sources.openalex).toMatchObject({
      status: "completed",
      papers_done: 20,
      papers_enriched: 18,
      papers_not_found: 2,
      papers_failed: 0,
      api_calls: 7,
    });
    expect(result.sources.semantic_scholar).toMatchObject({
      status: "completed",
      papers_done: 20,
      papers_enriched: 20,
      api_calls: 3,
    });
    expect(manager.state.pendingPapers("openalex")).toEqual([]);
    // Both sources' records were applied to the papers.
    expect(
      manager
        .readAllPapers()[0]
        ?.citations.map((c) => c.source)
        .sort(),
    ).toEqual(["openalex", "semantic_scholar"]);
    expect(manager.readAllPapers()[4]?.citations.map((c) => c.source)).toEqual(["semantic_scholar"]);
  });

  it("with a cache: fresh answers serve papers without a request, counted as cached (also after a reopen); the rest are looked up and their answers kept", async () => {
    const stored = new Map<string, CacheEntry>();
    const store = {
      putMany(entries: readonly CacheEntry[]) {
        for (const e of entries) stored.set(`${e.source}|${e.key}`, e);
      },
    };
    const read = (source: string, keys: readonly string[]) =>
      new Map(
        keys.flatMap((key) => {
          const entry = stored.get(`${source}|${key}`);
          return entry ? [[key, entry] as const] : [];
        }),
      );
    // First session: 8 papers, 2 unknown: every answer (found and not found) is kept.
    const first = await newSession(8, { sources: ["openalex"] });
    first.manager.storeAnswersIn(store);
    const cold = fakeSource("openalex", { unknown: new Set(["P0003"]) });
    await runEngine({
      manager: first.manager,
      clients: [cold.client],
      checkpointIntervalMs: 0,
      cache: { keep: true },
    });
    expect(stored.size).toBe(8);
    expect([...stored.values()].filter((e) => e.status === "not_found").map((e) => e.key)).toHaveLength(1);

    // Second session on 10 papers: the 8 known ones are served, 2 are looked up; a reply that
    // throws is a miss, not a failure of the run.
    const second = await newSession(10, { sources: ["openalex"] });
    second.manager.storeAnswersIn(store);
    const warm = fakeSource("openalex");
    const client = {
      ...warm.client,
      fromCache: (paper: Paper, answer: RawAnswer) => {
        if (paper.paper_id === "P0005") throw new Error("a mapping bug");
        return warm.client.fromCache(paper, answer);
      },
    };
    const result = await runEngine({
      manager: second.manager,
      clients: [client],
      checkpointIntervalMs: 0,
      cache: { keep: true, read },
    });
    expect(warm.calls.flat().sort()).toEqual(["P0005", "P0008", "P0009"]);
    expect(result.sources.openalex).toMatchObject({
      status: "completed",
      papers_done: 10,
      papers_not_found: 1,
      papers_cached: 7,
      api_calls: 1,
    });
    await second.manager.snapshot();
    await second.manager.close();
    const reopened = await CheckpointManager.open({ baseDir: second.baseDir, sessionId: "engine" });
    expect(reopened.sourceState("openalex")).toMatchObject({ papers_done: 10, papers_cached: 7 });
    await reopened.close();
  });

  it("a journal group's answers reach the cache just before the group's journal write, never after", async () => {
    const events: string[] = [];
    const fs = withOpHook(nodeStorageFs, (op, file) => {
      if (op === "write" && path.basename(file) === JOURNAL_FILE) events.push("journal");
    });
    const { manager } = await newSession(12, { fs, journalCommitDelayMs: JOURNAL_COMMIT_DELAY_MS });
    manager.storeAnswersIn({ putMany: (entries) => events.push(`cache ${entries.length}`) });
    const oa = fakeSource("openalex", { batchSize: 2 });
    const s2 = fakeSource("semantic_scholar", { batchSize: 5 });
    await runEngine({
      manager,
      clients: [oa.client, s2.client],
      checkpointIntervalMs: 0,
      cache: { keep: true },
    });
    const puts = events.flatMap((e, i) => (e.startsWith("cache") ? [i] : []));
    expect(puts.length).toBeGreaterThan(0);
    for (const i of puts) expect(events[i + 1]).toBe("journal");
    expect(puts.reduce((n, i) => n + Number(events[i]!.split(" ")[1]), 0)).toBe(24);
  });

  it("looks up only the papers still pending: done ones are skipped, failed ones retried", async () => {
    const { manager } = await newSession(9, { sources: ["openalex"] });
    const first = fakeSource("openalex", { failing: new Set(["P0002", "P0007"]) });
    const before = await runEngine({ manager, clients: [first.client], checkpointIntervalMs: 0 });
    expect(before.sources.openalex).toMatchObject({
      status: "failed",
      papers_done: 7,
      papers_failed: 2,
      last_error: "2 paper(s) failed after retries; resume to retry them",
    });

    const again = fakeSource("openalex");
    const after = await runEngine({ manager, clients: [again.client], checkpointIntervalMs: 0 });
    expect(again.calls.flat()).toEqual(["P0002", "P0007"]);
    expect(after.sources.openalex).toMatchObject({
      status: "completed",
      papers_done: 9,
      papers_failed: 0,
      api_calls: 4, // 3 batches, then 1 for the two retried papers
    });
  });

  for (const delayMs of [0, JOURNAL_COMMIT_DELAY_MS])
    it(`counts a batch only once it is written and fsynced to the journal (commit delay ${delayMs} ms)`, async () => {
      // Before each journal write and fsync, what the session counts must already be on disk: the
      // batch being written must not count yet.
      let manager: CheckpointManager | undefined;
      let beforeWrite: Record<string, Set<string>> = {};
      const checks: string[] = [];
      const fs = withOpHook(nodeStorageFs, (op, file) => {
        if (!manager || path.basename(file) !== JOURNAL_FILE || (op !== "write" && op !== "fsync")) return;
        if (op === "write") beforeWrite = journaledIds(manager.sessionDir);
        for (const source of BOTH) {
          const counted = manager.sourceState(source).papers_done;
          checks.push(`${op} ${source} ${counted} <= ${beforeWrite[source]?.size ?? 0}`);
          if (counted > (beforeWrite[source]?.size ?? 0))
            throw new Error(`counted before journaled: ${checks.at(-1)}`);
        }
      });
      const session = await newSession(24, { fs, journalCommitDelayMs: delayMs });
      manager = session.manager;
      const reports: Array<{ source: SourceName; done: number; onDisk: number }> = [];
      const oa = delayed(fakeSource("openalex", { batchSize: 2 }).client, (call) => (call % 3) * 2);
      const s2 = delayed(fakeSource("semantic_scholar", { batchSize: 5 }).client, (call) => (call % 2) * 3);
      await runEngine({
        manager,
        clients: [oa.client, s2.client],
        checkpointIntervalMs: 0,
        concurrency: 3,
        callbacks: {
          onProgress(progress) {
            const onDisk = journaledIds(session.manager.sessionDir)[progress.source]?.size ?? 0;
            reports.push({ source: progress.source, done: progress.done, onDisk });
          },
        },
      });
      expect(checks.length).toBeGreaterThan(10);
      expect(reports.length).toBeGreaterThan(10);
      for (const report of reports) expect(report.done).toBeLessThanOrEqual(report.onDisk);
      expect(reports.filter((r) => r.done === 24).map((r) => r.source)).toEqual(
        expect.arrayContaining(["openalex", "semantic_scholar"]),
      );
    });

  it("a batch whose journal write fails never counts, and the run stops with the storage error", async () => {
    let journalWrites = 0;
    const fs = withOpHook(nodeStorageFs, (op, file) => {
      if (op === "write" && path.basename(file) === JOURNAL_FILE) {
        journalWrites += 1;
        if (journalWrites === 3) throw Object.assign(new Error("ENOSPC: injected"), { code: "ENOSPC" });
      }
    });
    const { baseDir, manager } = await newSession(12, { sources: ["openalex"], fs });
    const oa = fakeSource("openalex", { batchSize: 2 });
    await expect(
      runEngine({ manager, clients: [oa.client], checkpointIntervalMs: 0, concurrency: 1 }),
    ).rejects.toBeInstanceOf(StorageError);
    // Two batches were journaled; the third was looked up but its write failed.
    expect(oa.calls.length).toBeGreaterThanOrEqual(3);
    expect(manager.sourceState("openalex").papers_done).toBe(4);
    await manager.close();
    // What a resume finds is what counted.
    const reopened = await CheckpointManager.open({ baseDir, sessionId: "engine" });
    onTestFinished(() => reopened.close());
    expect(reopened.sourceState("openalex").papers_done).toBe(4);
    expect(reopened.state.pendingPapers("openalex").map((p) => p.paper_id)).toEqual(ids(12).slice(4));
  });

  it("reports progress per source from the start, after every batch, up to the final counts", async () => {
    const { manager } = await newSession(10);
    const progress: SourceProgress[] = [];
    const snapshots: string[] = [];
    const oa = fakeSource("openalex", {
      batchSize: 4,
      unknown: new Set(["P0001"]),
      failing: new Set(["P0009"]),
    });
    const s2 = fakeSource("semantic_scholar", { batchSize: 5 });
    await runEngine({
      manager,
      clients: [oa.client, s2.client],
      checkpointIntervalMs: 0,
      concurrency: 1, // batches journaled in order: a fixed sequence of counts
      callbacks: {
        onProgress: (p) => progress.push(p),
        onSnapshot: (s) => snapshots.push(s.reason),
      },
    });
    const of = (source: SourceName) => progress.filter((p) => p.source === source);
    // One report when the source starts, then one per journaled batch.
    expect(of("openalex")).toHaveLength(1 + 3);
    expect(of("semantic_scholar")).toHaveLength(1 + 2);
    expect(of("openalex")[0]).toEqual({
      source: "openalex",
      total: 10,
      doneAtStart: 0,
      done: 0,
      enriched: 0,
      notFound: 0,
      failed: 0,
      apiCalls: 0,
      cached: 0,
      cachedAtStart: 0,
      waiting: 0,
      waitingFor: [],
      costUsd: 0,
      costUsdAtStart: 0,
    });
    expect(of("openalex").map((p) => p.done)).toEqual([0, 4, 8, 9]);
    expect(of("openalex").at(-1)).toEqual({
      source: "openalex",
      total: 10,
      doneAtStart: 0,
      done: 9,
      enriched: 8,
      notFound: 1,
      failed: 1,
      apiCalls: 3,
      cached: 0,
      cachedAtStart: 0,
      waiting: 0,
      waitingFor: [],
      costUsd: 0,
      costUsdAtStart: 0,
    });
    expect(of("semantic_scholar").map((p) => [p.done, p.apiCalls])).toEqual([
      [0, 0],
      [5, 1],
      [10, 2],
    ]);
    expect(snapshots).toEqual(["final"]);

    // A second run starts from what was done: doneAtStart says so.
    progress.length = 0;
    await runEngine({
      manager,
      clients: [fakeSource("openalex").client],
      checkpointIntervalMs: 0,
      callbacks: { onProgress: (p) => progress.push(p) },
    });
    expect(progress.map((p) => [p.doneAtStart, p.done, p.failed])).toEqual([
      [9, 9, 1],
      [9, 10, 0],
    ]);
  });

  const stops = [
    {
      kind: "auth",
      error: () =>
        new HttpError({ kind: "auth", url: "http://127.0.0.1/works", status: 403, message: "key refused" }),
      status: "failed",
      message: "key refused",
    },
    { kind: "budget_exhausted", error: budgetError, status: "budget_exhausted", message: "HTTP 429" },
    {
      kind: "unreachable",
      error: () =>
        new HttpError({
          kind: "unreachable",
          url: "http://127.0.0.1/works",
          message: "GET http://127.0.0.1/works: connection refused",
          connection: { host: "api.openalex.org", code: "ECONNREFUSED", description: "connection refused" },
        }),
      status: "unreachable",
      message: "cannot connect to api.openalex.org (connection refused)",
    },
  ] as const;
  for (const stop of stops) {
    it(`a ${stop.kind} HttpError stops that source, leaves its papers pending, and the other source finishes`, async () => {
      const { manager } = await newSession(12);
      const error = stop.error();
      error.apiCalls = 2; // requests the failed batch had sent
      const oa = fakeSource("openalex", { batchSize: 3, throwAt: { call: 2, error } });
      const s2 = fakeSource("semantic_scholar", { batchSize: 2, delayMs: 2 });
      const stopped: string[] = [];
      const result = await runEngine({
        manager,
        clients: [oa.client, s2.client],
        checkpointIntervalMs: 0,
        concurrency: 1,
        callbacks: { onSourceStopped: (s) => stopped.push(`${s.source}:${s.kind}`) },
      });
      expect(oa.calls).toHaveLength(2); // nothing is asked after the stop
      expect(stopped).toEqual([`openalex:${stop.kind}`]);
      expect(result.stops).toHaveLength(1);
      expect(result.stops[0]).toMatchObject({ source: "openalex", kind: stop.kind });
      expect(result.stops[0]?.message).toContain(stop.message);
      if (stop.kind === "budget_exhausted") {
        expect(result.stops[0]?.resetsAt?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
        expect(result.sources.openalex?.resets_at).toBe("2030-01-01T00:00:00.000Z");
      }
      expect(result.interrupted).toBe(false);
      expect(result.sources.openalex).toMatchObject({
        status: stop.status,
        papers_done: 3,
        papers_failed: 0,
        api_calls: 1 + 2,
      });
      expect(result.sources.openalex?.last_error).toContain(stop.message);
      // The stopped batch and every later one are still to do, not failed.
      expect(manager.state.pendingPapers("openalex").map((p) => p.paper_id)).toEqual(ids(12).slice(3));
      expect(s2.calls.flat().sort()).toEqual(ids(12));
      expect(result.sources.semantic_scholar).toMatchObject({ status: "completed", papers_done: 12 });
    });
  }

  it("an unreachable source aborts its own requests in flight and sends no other (not only at Ctrl-C)", async () => {
    const { manager } = await newSession(12, { sources: ["openalex"] });
    const error = new HttpError({
      kind: "unreachable",
      url: "http://127.0.0.1/works",
      message: "GET http://127.0.0.1/works: DNS lookup failed",
      connection: {
        host: "api.openalex.invalid",
        code: "ENOTFOUND",
        description: "DNS lookup failed: ENOTFOUND",
      },
    });
    const oa = fakeSource("openalex", { batchSize: 3, delayMs: 5000, throwAt: { call: 4, error } });
    const stopSignals: (AbortSignal | undefined)[] = [];
    const client: SourceClient = {
      ...oa.client,
      lookupBatch: (batch, signal, stopSignal) => {
        stopSignals.push(stopSignal);
        return oa.client.lookupBatch(batch, signal, stopSignal);
      },
    };
    const started = Date.now();
    const result = await runEngine({ manager, clients: [client], checkpointIntervalMs: 0, concurrency: 4 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(oa.calls).toHaveLength(4);
    expect(stopSignals.every((signal) => signal?.aborted)).toBe(true);
    expect(result.interrupted).toBe(false);
    expect(result.sources.openalex).toMatchObject({
      status: "unreachable",
      papers_done: 0,
      papers_failed: 0,
    });
    expect(manager.state.pendingPapers("openalex")).toHaveLength(12);
  });

  it("reports a client's failed connection attempts by cause and keeps them in the source's state, summed over runs", async () => {
    const { manager } = await newSession(6);
    const refused = "cannot connect to 127.0.0.1:9 (connection refused: ECONNREFUSED)";
    const error = new HttpError({
      kind: "unreachable",
      url: "http://127.0.0.1:9/works",
      message: refused,
      connection: {
        host: "127.0.0.1:9",
        code: "ECONNREFUSED",
        description: "connection refused: ECONNREFUSED",
      },
    });
    const runWith = (counts: Record<string, number>) => {
      const oa = fakeSource("openalex", { batchSize: 3, throwAt: { call: 1, error } });
      const s2 = fakeSource("semantic_scholar", { batchSize: 3 });
      const client: SourceClient = { ...oa.client, connectionFailures: () => counts };
      // Semantic Scholar's client has none to tell: it gets no entry.
      const quiet: SourceClient = { ...s2.client, connectionFailures: () => ({}) };
      return runEngine({ manager, clients: [client, quiet], checkpointIntervalMs: 0, concurrency: 1 });
    };
    const first = await runWith({ [refused]: 10 });
    expect(first.connectionFailures).toEqual({ openalex: { [refused]: 10 } });
    expect(first.sources.openalex).toMatchObject({
      status: "unreachable",
      last_error: refused,
      papers_failed: 0,
      connection_failures: { [refused]: 10 },
    });
    expect(first.sources.semantic_scholar).not.toHaveProperty("connection_failures");
    const second = await runWith({ [refused]: 4 });
    // This run's in the result, the session's in the state.
    expect(second.connectionFailures).toEqual({ openalex: { [refused]: 4 } });
    expect(second.sources.openalex?.connection_failures).toEqual({ [refused]: 14 });
  });

  it("any other error from a client stops that source as failed, with its message", async () => {
    const { manager } = await newSession(6);
    const oa = fakeSource("openalex", { throwAt: { call: 1, error: new Error("schema mismatch") } });
    const result = await runEngine({
      manager,
      clients: [oa.client, fakeSource("semantic_scholar").client],
      checkpointIntervalMs: 0,
      concurrency: 1,
    });
    expect(result.stops).toEqual([{ source: "openalex", kind: "error", message: "schema mismatch" }]);
    expect(result.sources.openalex).toMatchObject({ status: "failed", papers_done: 0, api_calls: 0 });
    expect(result.sources.semantic_scholar?.status).toBe("completed");
  });

  it("an abort lets the batch in flight finish and be journaled, then starts no other", async () => {
    const { baseDir, manager } = await newSession(15, { sources: ["openalex"] });
    const controller = new AbortController();
    const inner = fakeSource("openalex", { batchSize: 3 });
    const client: SourceClient = {
      ...inner.client,
      async lookupBatch(batch, signal, stop) {
        if (inner.calls.length === 1) controller.abort(); // the signal arrives during the 2nd batch
        return inner.client.lookupBatch(batch, signal, stop);
      },
    };
    const result = await runEngine({
      manager,
      clients: [client],
      checkpointIntervalMs: 0,
      signal: controller.signal,
      concurrency: 1,
    });
    expect(inner.calls).toHaveLength(2);
    expect(result.interrupted).toBe(true);
    expect(result.sources.openalex).toMatchObject({ status: "in_progress", papers_done: 6 });
    expect(manager.state.pendingPapers("openalex").map((p) => p.paper_id)).toEqual(ids(15).slice(6));
    // On disk too: a resume finds both batches done.
    await manager.close();
    const reopened = await CheckpointManager.open({ baseDir, sessionId: "engine" });
    onTestFinished(() => reopened.close());
    expect(reopened.sourceState("openalex").papers_done).toBe(6);
  });

  it("a batch still in flight when the grace period ends is abandoned, not counted", async () => {
    const { manager } = await newSession(6, { sources: ["openalex"] });
    const controller = new AbortController();
    const oa = fakeSource("openalex", { batchSize: 3, delayMs: 5_000 });
    setTimeout(() => controller.abort(), 20);
    const started = performance.now();
    const result = await runEngine({
      manager,
      clients: [oa.client],
      checkpointIntervalMs: 0,
      signal: controller.signal,
      graceMs: 30,
      concurrency: 1,
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(oa.calls).toHaveLength(1);
    expect(result.interrupted).toBe(true);
    expect(result.sources.openalex).toMatchObject({ status: "in_progress", papers_done: 0, api_calls: 0 });
  });

  it("an aborted signal before the start sends nothing; one after the end interrupts nothing", async () => {
    const { manager } = await newSession(6);
    const oa = fakeSource("openalex");
    const before = await runEngine({
      manager,
      clients: [oa.client],
      checkpointIntervalMs: 0,
      signal: AbortSignal.abort(),
    });
    expect(oa.calls).toEqual([]);
    expect(before.interrupted).toBe(true);

    const controller = new AbortController();
    const after = await runEngine({
      manager,
      clients: [oa.client],
      checkpointIntervalMs: 0,
      signal: controller.signal,
      callbacks: { onSnapshot: () => controller.abort() },
    });
    expect(oa.calls.flat().sort()).toEqual(ids(6));
    expect(after.interrupted).toBe(false);
    expect(after.sources.openalex?.status).toBe("completed");
  });

  it("writes the same papers whatever the concurrency and the order answers arrive in", async () => {
    /** s2 fills the same field as OpenAlex with another value: OpenAlex's must win whoever comes first. */
    const competing = (client: SourceClient): SourceClient => ({
      ...client,
      async lookupBatch(batch, signal, stop) {
        const result = await client.lookupBatch(batch, signal, stop);
        for (const item of result.results) {
          if (item.outcome === "matched")
            item.update.fill = { openalex_id: `https://openalex.org/S2-${item.paper_id}` };
        }
        return result;
      },
    });
    const run = async (
      concurrency: number | Partial<Record<SourceName, number>>,
      delayOf: (call: number, firstId: string) => number,
    ) => {
      const { baseDir, manager } = await newSession(30);
      const oa = delayed(
        fakeSource("openalex", { batchSize: 4, unknown: new Set(["P0003"]) }).client,
        delayOf,
      );
      const s2 = delayed(competing(fakeSource("semantic_scholar", { batchSize: 3 }).client), delayOf);
      const result = await runEngine({
        manager,
        clients: [oa.client, s2.client],
        checkpointIntervalMs: 0,
        concurrency,
      });
      const out = path.join(baseDir, "out.json");
      await writeOutputFile(nodeStorageFs, out, {}, manager.readAllPapers());
      const inFlight = { openalex: oa.seen.maxInFlight, semantic_scholar: s2.seen.maxInFlight };
      return { output: await comparableOutput(out, { keyOrder: "as-written" }), result, inFlight };
    };
    const serial = await run(1, () => 1);
    // Later batches answer first.
    const reversed = await run(8, (call) => 40 - call * 4);
    // Per source widths, answers in a scrambled order.
    const scrambled = await run({ openalex: 2, semantic_scholar: 5 }, (call) => (call * 7) % 11);

    expect(serial.inFlight).toEqual({ openalex: 1, semantic_scholar: 1 });
    expect(reversed.inFlight.openalex).toBeGreaterThan(1);
    expect(reversed.inFlight.openalex).toBeLessThanOrEqual(8);
    expect(scrambled.inFlight.openalex).toBeLessThanOrEqual(2);
    expect(scrambled.inFlight.semantic_scholar).toBeLessThanOrEqual(5);
    expect(scrambled.inFlight.semantic_scholar).toBeGreaterThan(2);

    const papers = JSON.parse(serial.output);
    expect(papers[0].openalex_id).toBe("https://openalex.org/WP0000");
    expect(papers[3].openalex_id).toBe("https://openalex.org/S2-P0003"); // OpenAlex did not know it
    expect(reversed.output).toBe(serial.output);
    expect(scrambled.output).toBe(serial.output);
    for (const other of [reversed, scrambled]) {
      for (const source of BOTH) expect(other.result.sources[source]).toEqual(serial.result.sources[source]);
    }
  });
});
