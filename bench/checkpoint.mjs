// Checkpoint cost: journaling one batch as the session grows; full snapshot save and load.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchPapers, benchUpdate, dist, median } from "./util.mjs";

async function enrichedSession(baseDir, count) {
  const { CheckpointManager } = await dist("storage/checkpoint-manager.js");
  const { parsePaper } = await dist("model/paper.js");
  const papers = benchPapers(count).map((raw, i) => parsePaper(raw, i).paper);
  const manager = await CheckpointManager.create({
    baseDir,
    sessionId: "bench",
    inputFile: "/bench/in.json",
    inputSha256: "0".repeat(64),
    papers,
    sources: ["openalex", "semantic_scholar"],
    checkpointIntervalMinutes: 5,
  });
  return { manager, papers };
}

/**
 * Journaling one batch of 100 papers' records (8 per paper) in a session of `count` papers, medians in
 * ms: `append` is what makes it durable (fencing check, framing, write, fsync: the manager's own
 * journal clock), `total` is all of recordBatch (append, then merging the records into memory).
 * The first batches only warm the JIT up.
 */
export async function journalCost(count, repeats = 25, warmup = 5) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-jr-"));
  try {
    const { manager, papers } = await enrichedSession(dir, count);
    const totals = [];
    const appends = [];
    for (let r = 0; r < warmup + repeats; r++) {
      const from = (r * 100) % count;
      const batch = papers.slice(from, from + 100);
      const updates = batch.flatMap((p, i) => [
        benchUpdate(p.paper_id, "openalex", from + i),
        benchUpdate(p.paper_id, "semantic_scholar", from + i),
      ]);
      const outcomes = Object.fromEntries(batch.map((p) => [p.paper_id, "matched"]));
      const journalBefore = manager.journalTimeMs;
      const t = performance.now();
      await manager.recordBatch({ source: "openalex", apiCalls: 1, outcomes, updates });
      if (r < warmup) continue;
      totals.push(performance.now() - t);
      appends.push(manager.journalTimeMs - journalBefore);
    }
    await manager.close();
    return { total: median(totals), append: median(appends) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Median ms of a full snapshot (save) and of opening the session (load) with `count` enriched papers;
 * `loads: 0` skips the loads (the memory benchmark measures a process that only saves).
 */
export async function snapshotCost(count, repeats = 3, loads = repeats) {
  const { CheckpointManager } = await dist("storage/checkpoint-manager.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-ss-"));
  try {
    const { manager, papers } = await enrichedSession(dir, count);
    for (let i = 0; i < count; i += 1000) {
      const batch = papers.slice(i, i + 1000);
      for (const source of ["openalex", "semantic_scholar"]) {
        await manager.recordBatch({
          source,
          apiCalls: 1,
          outcomes: Object.fromEntries(batch.map((p) => [p.paper_id, "matched"])),
          updates: batch.map((p, k) => benchUpdate(p.paper_id, source, i + k)),
        });
      }
    }
    const saves = [];
    for (let r = 0; r < repeats; r++) saves.push((await manager.snapshot()).durationMs);
    const output = loads > 0 ? await outputCost(manager, dir, repeats) : undefined;
    await manager.close();
    const loadTimes = [];
    for (let r = 0; r < loads; r++) {
      const t = performance.now();
      const reopened = await CheckpointManager.open({ baseDir: dir, sessionId: "bench" });
      loadTimes.push(performance.now() - t);
      await reopened.close();
    }
    return { save: median(saves), load: loadTimes.length > 0 ? median(loadTimes) : null, ...output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Median ms to write the output file of the session's papers: `fromStore` as a run writes it (each
 * paper's line read from the snapshot and printed without parsing it, PaperStore.printable, issue
 * 16), `fromList` as runs wrote it before issue 16:
 * papers already in memory, each pretty-printed and then indented by a second pass over its text
 * (the baseline the store must not fall behind).
 */
async function outputCost(manager, dir, repeats) {
  const { writeOutputFile, withStableRecordOrder } = await dist("core/output-file.js");
  const { writeFileAtomic } = await dist("storage/atomic-write.js");
  const { nodeStorageFs } = await dist("storage/fs.js");
  const file = path.join(dir, "out.json");
  const metadata = { session_id: "bench" };
  const nest = (text, pad) => text.replace(/\n/g, `\n${pad}`);
  function* before(papers) {
    yield `{\n  "consolidation_metadata": ${nest(JSON.stringify(metadata, null, 2), "  ")},\n  "papers": [`;
    let first = true;
    for (const paper of papers) {
      yield `${first ? "\n" : ",\n"}    ${nest(JSON.stringify(withStableRecordOrder(paper), null, 2), "    ")}`;
      first = false;
    }
    yield first ? "]\n}\n" : "\n  ]\n}\n";
  }
  const time = async (write) => {
    const t = performance.now();
    await write();
    return performance.now() - t;
  };
  const fromStore = [];
  for (let r = 0; r < repeats; r++)
    fromStore.push(
      await time(() => writeOutputFile(nodeStorageFs, file, metadata, manager.state.store.printable())),
    );
  const list = manager.state.readAllPapers();
  const fromList = [];
  for (let r = 0; r < repeats; r++)
    fromList.push(await time(() => writeFileAtomic(nodeStorageFs, file, before(list))));
  return { outputFromStore: median(fromStore), outputFromList: median(fromList) };
}

// As a child process (for peak RSS): node bench/checkpoint.mjs snapshot <count>
if (process.argv[2] === "snapshot") {
  const result = await snapshotCost(Number(process.argv[3]), 1, 0);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
