import { createHash } from "node:crypto";
import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SessionCorruptError, SessionLockedError } from "../../src/errors.js";
import { CheckpointManager } from "../../src/storage/checkpoint-manager.js";
import { nodeStorageFs, withOpHook } from "../../src/storage/fs.js";
import { readPapersFile } from "../../src/storage/papers-file.js";
import { sessionDetails } from "../../src/storage/session-details.js";
import { inputHash } from "../../src/storage/session-state.js";
import { makePapers, updateFor } from "../helpers/papers.js";
import { testdir } from "../helpers/testdir.js";

async function newSession(baseDir: string, n = 6) {
  return CheckpointManager.create({
    baseDir,
    sessionId: "s1",
    inputFile: "/data/in.json",
    inputSha256: "a".repeat(64),
    papers: makePapers(n),
    sources: ["openalex", "semantic_scholar"],
    checkpointIntervalMinutes: 5,
    options: { output: "out.json", ssApiKey: "SECRET", openalexRps: 10 },
  });
}

/** sha256 of every file in a directory, to prove a refusal changed nothing. */
async function dirDigest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    out[name] = createHash("sha256")
      .update(await readFile(path.join(dir, name)))
      .digest("hex");
  }
  return out;
}

describe("CheckpointManager", () => {
  it("keeps failed connection attempts by cause: journaled, replayed, snapshotted, summed over runs, listed by show", async () => {
    const base = await testdir();
    const refused = "cannot connect to 127.0.0.1:9 (connection refused: ECONNREFUSED)";
    const dns = "cannot connect to api.openalex.org (DNS lookup failed: ENOTFOUND)";
    const first = await newSession(base);
    await first.setSourceStatus("openalex", "unreachable", refused);
    await first.recordConnectionFailures("openalex", { [refused]: 10 });
    await first.recordConnectionFailures("semantic_scholar", {}); // nothing to keep
    // The status stays as it was.
    expect(first.sourceState("openalex")).toMatchObject({
      status: "unreachable",
      last_error: refused,
      connection_failures: { [refused]: 10 },
    });
    expect(first.sourceState("semantic_scholar").connection_failures).toBeUndefined();
    await first.close(); // in the journal only: the reopen replays it

    const second = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(second.sourceState("openalex").connection_failures).toEqual({ [refused]: 10 });
    await second.recordConnectionFailures("openalex", { [refused]: 2, [dns]: 11 });
    await second.snapshot();
    await second.close();
    const checkpoint = JSON.parse(await readFile(path.join(base, "s1", "checkpoint.json"), "utf8"));
    expect(checkpoint.sources.openalex.connection_failures).toEqual({ [refused]: 12, [dns]: 11 });
    expect(checkpoint.sources.semantic_scholar).not.toHaveProperty("connection_failures");

    const third = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(third.sourceState("openalex").connection_failures).toEqual({ [refused]: 12, [dns]: 11 });
    await third.close();
    const details = await sessionDetails(path.join(base, "s1"));
    expect(details.sources.openalex?.connection_failures).toBe(23);
    expect(details.sources.openalex?.failure_causes).toEqual([
      { cause: refused, count: 12, kind: "connection" },
      { cause: dns, count: 11, kind: "connection" },
    ]);
    expect(details.sources.semantic_scholar).toMatchObject({ connection_failures: 0, failure_causes: [] });
  });

  it("creates a session that continues another (issue 15): papers already done per source are in generation 0, session.json names the origin", async () => {
    const base = await testdir();
    const manager = await CheckpointManager.create({
      baseDir: base,
      sessionId: "adopted",
      inputFile: "/data/in.json",
      inputSha256: "a".repeat(64),
      papers: makePapers(5),
      sources: ["openalex", "semantic_scholar"],
      checkpointIntervalMinutes: 5,
      // P0009 is not a paper of the session: ignored.
      outcomes: { openalex: ["P0000", "P0003", "P0009"], semantic_scholar: new Set(["P0001"]) },
      adoptedFrom: { session_id: "consolidate_20250719_201418_d9bb5987", dir: "/old/state/x" },
    });
    expect(manager.sourceState("openalex")).toMatchObject({
      papers_done: 2,
      papers_enriched: 2,
      api_calls: 0,
    });
    expect(manager.state.pendingPapers("semantic_scholar").map((p) => p.paper_id)).toEqual([
      "P0000",
      "P0002",
      "P0003",
      "P0004",
    ]);
    await manager.close();
    // Written with the first generation: a reopen (no journal) has them.
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "adopted" });
    expect(reopened.state.pendingPapers("openalex").map((p) => p.paper_id)).toEqual([
      "P0001",
      "P0002",
      "P0004",
    ]);
    expect(reopened.sessionFile.adopted_from).toEqual({
      session_id: "consolidate_20250719_201418_d9bb5987",
      dir: "/old/state/x",
    });
    await reopened.close();
  });

  it("keeps the input form's hashes it is given (papers enriched elsewhere), so the same input reconciles to no change", async () => {
    const base = await testdir();
    const input = makePapers(3);
    // The papers as another tool enriched them: not the input's form.
    const enriched = input.map((p) => ({
      ...p,
      citations: [{ ...updateFor(p.paper_id, "openalex").records.citations![0]! }],
    }));
    const manager = await CheckpointManager.create({
      baseDir: base,
      sessionId: "hashed",
      inputFile: "/data/in.json",
      inputSha256: "a".repeat(64),
      papers: enriched,
      sources: ["openalex"],
      checkpointIntervalMinutes: 5,
      inputHashes: Object.fromEntries(input.map((p) => [p.paper_id, inputHash(p)])),
    });
    await manager.close();
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "hashed" });
    expect(reopened.state.previewReconcile(input)).toEqual({ added: [], removed: [], changed: [] });
    await reopened.close();
  });

  it("creates a session: session.json without secrets, generation 0, lock held", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    const dir = path.join(base, "s1");
    expect((await readdir(dir)).sort()).toEqual([
      "checkpoint.json",
      "journal.jsonl",
      "lock",
      "papers_enriched.json",
      "progress.json",
      "session.json",
    ]);
    const session = JSON.parse(await readFile(path.join(dir, "session.json"), "utf8"));
    expect(session).toMatchObject({
      session_id: "s1",
      input_file: "/data/in.json",
      input_papers: 6,
      pid: process.pid,
    });
    expect(session.options).toEqual({ output: "out.json", openalexRps: 10 });
    expect(JSON.stringify(session)).not.toContain("SECRET");
    const checkpoint = JSON.parse(await readFile(path.join(dir, "checkpoint.json"), "utf8"));
    expect(checkpoint.generation).toBe(0);
    expect(checkpoint.sources.openalex.status).toBe("in_progress");
    await manager.close();
    expect(await readdir(dir)).not.toContain("lock");
  });

  it("round-trips papers, outcomes and counters through a snapshot", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    await manager.recordBatch({
      source: "openalex",
      apiCalls: 2,
      outcomes: { P0000: "matched", P0001: "not_found", P0002: "failed" },
      errors: { P0002: "HTTP 503 after 5 attempts" },
      updates: [updateFor("P0000", "openalex")],
    });
    await manager.snapshot();
    const before = JSON.stringify(manager.readAllPapers());
    await manager.close();

    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(reopened.warnings).toEqual([]);
    expect(JSON.stringify(reopened.readAllPapers())).toBe(before);
    expect(reopened.readAllPapers()[0]?.custom_field).toEqual({ kept: 0 });
    expect(reopened.sourceState("openalex")).toMatchObject({
      papers_done: 2,
      papers_enriched: 1,
      papers_not_found: 1,
      papers_failed: 1,
      api_calls: 2,
    });
    expect(reopened.state.pendingPapers("openalex").map((p) => p.paper_id)).toEqual([
      "P0002",
      "P0003",
      "P0004",
      "P0005",
    ]);
    expect(reopened.state.errors.get("openalex")?.get("P0002")).toBe("HTTP 503 after 5 attempts");
    await reopened.close();
  });

  it("keeps journaled batches after a crash without a snapshot, with no duplicate records", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    await manager.recordBatch({
      source: "semantic_scholar",
      apiCalls: 1,
      outcomes: { P0003: "matched" },
      updates: [updateFor("P0003", "semantic_scholar")],
    });
    // Same batch again (a re-fetch): nothing new.
    expect(
      await manager.recordBatch({
        source: "semantic_scholar",
        apiCalls: 1,
        outcomes: { P0003: "matched" },
        updates: [updateFor("P0003", "semantic_scholar")],
      }),
    ).toBe(0);
    // Simulate a crash: drop the lock without closing cleanly.
    await manager.close();
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    const paper = reopened.readAllPapers()[3]!;
    expect(paper.citations).toHaveLength(1);
    expect(paper.openalex_id).toBe("https://openalex.org/WP0003");
    expect(reopened.sourceState("semantic_scholar")).toMatchObject({ papers_done: 1, api_calls: 2 });
    await reopened.close();
  });

  it("group commit: batches wait for the commit delay or a flush, then share one write and fsync", async () => {
    const base = await testdir();
    const fsyncs: string[] = [];
    let failJournalWrite = false;
    const fs = withOpHook(nodeStorageFs, (op, file) => {
      if (!file.endsWith("journal.jsonl")) return;
      if (op === "fsync") fsyncs.push(file);
      if (op === "write" && failJournalWrite)
        throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
    });
    const create = (sessionId: string, journalCommitDelayMs: number, journalMaxGroup?: number) =>
      CheckpointManager.create({
        baseDir: base,
        sessionId,
        inputFile: "/data/in.json",
        inputSha256: "a".repeat(64),
        papers: makePapers(6),
        sources: ["openalex", "semantic_scholar"],
        checkpointIntervalMinutes: 5,
        fs,
        journalCommitDelayMs,
        ...(journalMaxGroup ? { journalMaxGroup } : {}),
      });
    const batch = (id: string) => ({
      source: "openalex" as const,
      apiCalls: 1,
      outcomes: { [id]: "matched" as const },
      updates: [updateFor(id, "openalex")],
    });
    const manager = await create("s1", 60_000); // the delay never runs out in this test
    fsyncs.length = 0;
    const five = ["P0000", "P0001", "P0002", "P0003", "P0004"].map((id) => manager.recordBatch(batch(id)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fsyncs, "nothing is written before the delay or a flush").toHaveLength(0);
    manager.flushJournal();
    const added = await Promise.all(five);
    expect(added.every((n) => n > 0)).toBe(true);
    expect(fsyncs, "five batches, one fsync").toHaveLength(1);
    expect(manager.sourceState("openalex")).toMatchObject({ papers_done: 5, api_calls: 5 });
    // A status change is written after the batches recorded before it, in the same write.
    const waiting = manager.recordBatch(batch("P0005"));
    await manager.setSourceStatus("openalex", "budget_exhausted", "daily budget");
    expect(await waiting).toBeGreaterThan(0);
    expect(fsyncs).toHaveLength(2);
    const lines = (await readFile(path.join(base, "s1", "journal.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).p.type)).toEqual([
      "batch",
      "batch",
      "batch",
      "batch",
      "batch",
      "batch",
      "source_status",
    ]);
    // A failed group rejects every batch in it, and none of them is applied.
    failJournalWrite = true;
    const failing = [manager.recordBatch(batch("P0000")), manager.recordBatch(batch("P0001"))];
    manager.flushJournal();
    expect((await Promise.allSettled(failing)).map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(manager.sourceState("openalex")).toMatchObject({ papers_done: 6, api_calls: 6 });
    await manager.close();

    // At most one batch per write when asked (tests that replay the same operations rely on it),
    // a status change still after every batch recorded before it.
    failJournalWrite = false;
    const single = await create("s3", 0, 1);
    fsyncs.length = 0;
    const three = ["P0000", "P0001", "P0002"].map((id) => single.recordBatch(batch(id)));
    await single.setSourceStatus("openalex", "completed");
    await Promise.all(three);
    expect(fsyncs, "three batches and the status change, one write each").toHaveLength(4);
    const written = (await readFile(path.join(base, "s3", "journal.jsonl"), "utf8")).trim().split("\n");
    expect(written.map((l) => JSON.parse(l).p.type)).toEqual(["batch", "batch", "batch", "source_status"]);
    await single.close();

    // Without a flush, the delay runs out; close() writes what is still waiting.
    const timed = await create("s2", 30);
    const started = performance.now();
    await timed.recordBatch(batch("P0000"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    const last = timed.recordBatch(batch("P0001"));
    await timed.close();
    expect(await last).toBeGreaterThan(0);
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s2" });
    expect(reopened.sourceState("openalex")).toMatchObject({ papers_done: 2, api_calls: 2 });
    await reopened.close();
  });

  it("drops a torn journal tail with a warning and truncates it before appending", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    await manager.recordBatch({
      source: "openalex",
      apiCalls: 1,
      outcomes: { P0000: "not_found" },
      updates: [],
    });
    await manager.close();
    const journal = path.join(base, "s1", "journal.jsonl");
    const good = await readFile(journal);
    await appendFile(journal, '{"seq":2,"len":99,"sha":"00');
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(reopened.warnings.join("\n")).toMatch(/torn last record/);
    expect(reopened.sourceState("openalex").papers_done).toBe(1);
    expect(await readFile(journal)).toEqual(good);
    await reopened.recordBatch({
      source: "openalex",
      apiCalls: 1,
      outcomes: { P0001: "not_found" },
      updates: [],
    });
    await reopened.close();
    const again = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(again.sourceState("openalex").papers_done).toBe(2);
    await again.close();
  });

  it("refuses a journal with a damaged line followed by good ones, changing nothing", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    for (const id of ["P0000", "P0001", "P0002"]) {
      await manager.recordBatch({
        source: "openalex",
        apiCalls: 1,
        outcomes: { [id]: "not_found" },
        updates: [],
      });
    }
    await manager.close();
    const journal = path.join(base, "s1", "journal.jsonl");
    const lines = (await readFile(journal, "utf8")).split("\n");
    lines[1] = lines[1]!.replace("not_found", "not_fOund");
    await writeFile(journal, lines.join("\n"));
    const before = await dirDigest(path.join(base, "s1"));
    const error = await CheckpointManager.open({ baseDir: base, sessionId: "s1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionCorruptError);
    expect((error as Error).message).toMatch(/journal\.jsonl: line 2 .*valid records follow/);
    expect(await dirDigest(path.join(base, "s1"))).toEqual(before);
  });

  it("falls back to checkpoint.json.bak with a warning when checkpoint.json fails its checksum", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    await manager.recordBatch({
      source: "openalex",
      apiCalls: 1,
      outcomes: { P0000: "matched" },
      updates: [updateFor("P0000", "openalex")],
    });
    await manager.snapshot();
    await manager.close();
    const file = path.join(base, "s1", "checkpoint.json");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace('"api_calls": 1', '"api_calls": 7'));
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(reopened.warnings.join("\n")).toMatch(
      /checksum does not match.*recovered generation 0 from checkpoint.json.bak/,
    );
    // The data files are generation 1 and still used: the matched paper is not lost.
    expect(reopened.sourceState("openalex").papers_enriched).toBe(1);
    expect(reopened.readAllPapers()[0]?.citations).toHaveLength(1);
    await reopened.snapshot();
    await reopened.close();
    const healed = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(healed.warnings).toEqual([]);
    await healed.close();
  });

  it("names the file and changes nothing when the papers snapshot is damaged", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    await manager.close();
    const file = path.join(base, "s1", "papers_enriched.json");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace("Paper number 3", "Paper number 8"));
    const before = await dirDigest(path.join(base, "s1"));
    const error = await CheckpointManager.open({ baseDir: base, sessionId: "s1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionCorruptError);
    expect((error as Error).message).toContain("papers_enriched.json: content does not match the sha256");
    expect(await dirDigest(path.join(base, "s1"))).toEqual(before);
  });

  it("refuses a second opener while the first holds the lock (exit code 75)", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    const error = await CheckpointManager.open({ baseDir: base, sessionId: "s1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionLockedError);
    expect((error as SessionLockedError).exitCode).toBe(75);
    await manager.close();
  });

  it("removes stale temp files of interrupted writes when it opens", async () => {
    const base = await testdir();
    const manager = await newSession(base);
    await manager.close();
    const stray = path.join(base, "s1", ".checkpoint.json.4242.deadbeef.tmp");
    await writeFile(stray, "half");
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(await readdir(path.join(base, "s1"))).not.toContain(path.basename(stray));
    await reopened.close();
  });

  it("keeps created_at and rewrites pid/updated_at in session.json on resume", async () => {
    const base = await testdir();
    let clock = new Date("2026-01-01T00:00:00Z");
    const manager = await CheckpointManager.create({
      baseDir: base,
      sessionId: "s1",
      inputFile: "/in.json",
      inputSha256: "b".repeat(64),
      papers: makePapers(2),
      sources: ["openalex"],
      checkpointIntervalMinutes: 5,
      now: () => clock,
    });
    await manager.close();
    clock = new Date("2026-01-02T00:00:00Z");
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1", now: () => clock });
    expect(reopened.sessionFile.created_at).toBe("2026-01-01T00:00:00.000Z");
    expect(reopened.sessionFile.updated_at).toBe("2026-01-02T00:00:00.000Z");
    await reopened.close();
  });

  it("keeps its papers as text (issue 16): the snapshot is cf's one-paper-per-line file, scratch files leave no trace and a killed process's are swept", async () => {
    const base = await testdir();
    const manager = await newSession(base, 8);
    await manager.recordBatch({
      source: "openalex",
      apiCalls: 1,
      outcomes: { P0001: "matched", P0002: "matched" },
      updates: [updateFor("P0001", "openalex"), updateFor("P0002", "openalex")],
    });
    // Before a snapshot the merged papers are in the unlinked scratch file: nothing new in the directory.
    const dir = manager.sessionDir;
    expect((await readdir(dir)).filter((name) => name.includes("scratch"))).toEqual([]);
    const papers = manager.readAllPapers();
    expect(manager.state.store.tally.records).toBe(8);
    await manager.snapshot();
    await manager.close();
    // Same format as ever: readable as a whole, one paper per line, the totals in its metadata.
    const file = await readPapersFile(nodeStorageFs, path.join(dir, "papers_enriched.json"));
    expect(file.papers).toEqual(papers);
    expect(file.metadata?.tally?.records).toBe(8);
    const lines = (await readFile(path.join(dir, "papers_enriched.json"), "utf8")).split("\n");
    expect(lines.slice(2, 10).map((line) => JSON.parse(line.replace(/,$/, "")))).toEqual(papers);
    // A scratch file left by a process killed between creating and unlinking it is swept on open.
    const leftover = path.join(dir, ".papers.4242.0badc0de.scratch");
    await writeFile(leftover, "x");
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(await readdir(dir)).not.toContain(".papers.4242.0badc0de.scratch");
    expect(reopened.readAllPapers()).toEqual(papers);
    expect(reopened.state.store.tally.records).toBe(8);
    await reopened.close();
  });

  it("a journaled batch that cannot be merged fails its group (no hang) and no snapshot follows; a resume replays it", async () => {
    const base = await testdir();
    const manager = await newSession(base, 4);
    const records = manager.state.store.tally.records;
    // The scratch file becomes unwritable (as on a full disk): the merge after the journal write fails.
    (manager.state.store as unknown as { scratch: { close(): void } }).scratch.close();
    const batch = {
      source: "openalex" as const,
      apiCalls: 1,
      outcomes: { P0001: "matched" as const },
      updates: [updateFor("P0001", "openalex")],
    };
    await expect(manager.recordBatch(batch)).rejects.toThrow(/scratch/);
    expect(manager.state.store.tally.records).toBe(records); // totals untouched by the failed merge
    await expect(manager.snapshot()).rejects.toThrow(/scratch/);
    await manager.close();
    const reopened = await CheckpointManager.open({ baseDir: base, sessionId: "s1" });
    expect(reopened.state.paper("P0001")?.abstracts).toHaveLength(1); // replayed from the journal
    expect(reopened.state.outcomes.get("openalex")?.get("P0001")).toBe("matched");
    await reopened.close();
  });
});
