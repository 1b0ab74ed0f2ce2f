import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { consolidate } from "../../src/core/consolidate.js";
import type { LoadedInput } from "../../src/model/input-file.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { inspectSession } from "../../src/storage/session-catalog.js";
import { budgetError, fakeSource } from "../helpers/fake-source.js";
import { comparableOutput } from "../helpers/output.js";
import { makePapers } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";

function input(n: number): LoadedInput {
  return {
    file: "/data/input.json",
    sha256: "d".repeat(64),
    papers: makePapers(n),
    collectionMetadata: undefined,
    warnings: [],
    migrated: { citations: 0, abstracts: 0 },
  };
}

describe("consolidate (core, fake sources)", () => {
  it("runs both sources to the end, writes the output in input order and completes the session", async () => {
    const base = await testdir();
    const out = path.join(base, "out", "result.json");
    const oa = fakeSource("openalex", { unknown: new Set(["P0004"]) });
    const s2 = fakeSource("semantic_scholar");
    const result = await consolidate({
      input: input(10),
      baseDir: base,
      session: { kind: "new", sessionId: "run" },
      clients: [oa.client, s2.client],
      outputFile: out,
      checkpointIntervalMinutes: 5,
      options: {},
    });
    expect(result.complete).toBe(true);
    const data = JSON.parse(await readFile(out, "utf8"));
    expect(data.consolidation_metadata).toMatchObject({
      session_id: "run",
      input_file: "/data/input.json",
      complete: true,
    });
    expect(data.consolidation_metadata.stats.sources.openalex).toMatchObject({
      papers_enriched: 9,
      papers_not_found: 1,
    });
    expect(data.papers.map((p: { paper_id: string }) => p.paper_id)).toEqual(
      makePapers(10).map((p) => p.paper_id),
    );
    expect(data.papers[0].citations.map((c: { source: string }) => c.source)).toEqual([
      "openalex",
      "semantic_scholar",
    ]);
    expect(data.papers[0].custom_field).toEqual({ kept: 0 });
    expect(oa.calls.flat()).toHaveLength(10);
    expect((await inspectSession(path.join(base, "run"))).status).toBe("completed");
  });

  it("an interrupted run resumes without re-requesting done papers and ends equal to an uninterrupted one", async () => {
    const golden = await testdir();
    await consolidate({
      input: input(30),
      baseDir: golden,
      session: { kind: "new", sessionId: "g" },
      clients: [fakeSource("openalex").client, fakeSource("semantic_scholar").client],
      outputFile: path.join(golden, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
    });

    const base = await testdir();
    const controller = new AbortController();
    const first = [fakeSource("openalex", { delayMs: 20 }), fakeSource("semantic_scholar", { delayMs: 30 })];
    setTimeout(() => controller.abort(), 120);
    const interrupted = await consolidate({
      input: input(30),
      baseDir: base,
      session: { kind: "new", sessionId: "s" },
      clients: first.map((f) => f.client),
      outputFile: path.join(base, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
      signal: controller.signal,
      graceMs: 1000,
      concurrency: 1,
    });
    expect(interrupted.engine.interrupted).toBe(true);
    expect(interrupted.outputWritten).toBe(false);
    expect((await inspectSession(path.join(base, "s"))).status).toBe("interrupted");
    const doneFirst = first.map((f) => new Set(f.calls.flat()));

    const second = [fakeSource("openalex"), fakeSource("semantic_scholar")];
    const resumed = await consolidate({
      // Same input bytes as the session's: its papers are never needed (nor parsed, in the CLI).
      input: {
        ...input(30),
        papers: () => {
          throw new Error("papers of an unchanged input were parsed on resume");
        },
      },
      baseDir: base,
      session: { kind: "resume", sessionId: "s" },
      clients: second.map((f) => f.client),
      outputFile: path.join(base, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
    });
    expect(resumed.complete).toBe(true);
    second.forEach((f, i) => {
      const again = f.calls.flat().filter((id) => doneFirst[i]?.has(id));
      expect(again, "no completed paper is requested twice").toEqual([]);
      expect(f.calls.flat().length + (doneFirst[i]?.size ?? 0)).toBe(30);
    });
    // Same process, same code path: the key order must match too.
    expect(await comparableOutput(path.join(base, "out.json"), { keyOrder: "as-written" })).toBe(
      await comparableOutput(path.join(golden, "out.json"), { keyOrder: "as-written" }),
    );
  });

  it("keeps other sources running when one runs out of budget, and leaves the session resumable", async () => {
    const base = await testdir();
    const oa = fakeSource("openalex", { throwAt: { call: 2, error: budgetError() } });
    const s2 = fakeSource("semantic_scholar");
    const result = await consolidate({
      input: input(9),
      baseDir: base,
      session: { kind: "new", sessionId: "b" },
      clients: [oa.client, s2.client],
      outputFile: path.join(base, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
      concurrency: 1,
    });
    expect(result.complete).toBe(false);
    expect(result.engine.stops).toMatchObject([{ source: "openalex", kind: "budget_exhausted" }]);
    expect(result.engine.sources.semantic_scholar?.status).toBe("completed");
    expect(result.engine.sources.openalex).toMatchObject({ status: "budget_exhausted", papers_done: 3 });
    expect((await inspectSession(path.join(base, "b"))).status).toBe("interrupted");
    const resumed = await consolidate({
      input: input(9),
      baseDir: base,
      session: { kind: "resume", sessionId: "b" },
      clients: [fakeSource("openalex").client, fakeSource("semantic_scholar").client],
      outputFile: path.join(base, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
    });
    expect(resumed.complete).toBe(true);
  });

  it("records failed lookups as failed (not not-found) and retries only them on resume", async () => {
    const base = await testdir();
    const failing = new Set(["P0001", "P0005"]);
    const first = await consolidate({
      input: input(6),
      baseDir: base,
      session: { kind: "new", sessionId: "f" },
      clients: [fakeSource("openalex", { failing }).client],
      outputFile: path.join(base, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
    });
    expect(first.complete).toBe(false);
    expect(first.engine.sources.openalex).toMatchObject({
      status: "failed",
      papers_failed: 2,
      papers_done: 4,
    });
    expect((await inspectSession(path.join(base, "f"))).status).toBe("failed");
    const retry = fakeSource("openalex");
    const second = await consolidate({
      input: input(6),
      baseDir: base,
      session: { kind: "resume", sessionId: "f" },
      clients: [retry.client],
      outputFile: path.join(base, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
    });
    expect(retry.calls.flat().sort()).toEqual(["P0001", "P0005"]);
    expect(second.complete).toBe(true);
  });

  it("adopts a changed input on resume when confirmed: added looked up, removed dropped, changed redone", async () => {
    const base = await testdir();
    const original = input(6);
    await consolidate({
      input: original,
      baseDir: base,
      session: { kind: "new", sessionId: "c" },
      clients: [fakeSource("openalex").client],
      outputFile: path.join(base, "out.json"),
      checkpointIntervalMinutes: 0,
      options: {},
    });
    const [p0, p1, p2, p3, p4] = makePapers(7);
    const changedP1 = { ...p1!, title: "A new title" };
    const extra = makePapers(8)[7]!;
    const next: LoadedInput = {
      ...original,
      sha256: "e".repeat(64),
      papers: [p0!, changedP1, p2!, p3!, p4!, extra],
    };
    // The finished session is not resumable, so re-open it explicitly by id.
    const manager = await CheckpointManager.open({ baseDir: base, sessionId: "c" });
    await manager.close();
    const seen: Array<{ added: string[]; removed: string[]; changed: string[] }> = [];
    const again = fakeSource("openalex");
    const result = await consolidate({
      input: next,
      baseDir: base,
      session: { kind: "resume", sessionId: "c" },
      clients: [again.client],
      outputFile: path.join(base, "out2.json"),
      checkpointIntervalMinutes: 0,
      options: {},
      callbacks: {
        confirmInputChange: async (changes) => {
          seen.push(changes);
          return true;
        },
      },
    });
    expect(seen).toEqual([{ added: ["P0007"], removed: ["P0005"], changed: ["P0001"] }]);
    expect(again.calls.flat().sort()).toEqual(["P0001", "P0007"]);
    const data = JSON.parse(await readFile(path.join(base, "out2.json"), "utf8"));
    expect(data.papers.map((p: { paper_id: string }) => p.paper_id)).toEqual([
      "P0000",
      "P0001",
      "P0002",
      "P0003",
      "P0004",
      "P0007",
    ]);
    expect(data.papers[1].title).toBe("A new title");
    expect(result.complete).toBe(true);
  });
});
