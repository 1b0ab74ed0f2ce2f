// Resume: time from `cf consolidate --resume` to its first new request, for a large session.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, benchUpdate, dist, median, writeBenchInput } from "./util.mjs";

/** Build a session of `count` papers, half done by both sources, with its input file (streamed: 1,000,000 fit). */
async function halfDoneSession(dir, count) {
  const { CheckpointManager } = await dist("storage/checkpoint-manager.js");
  const { scanInputFile } = await dist("model/input-stream.js");
  const input = path.join(dir, "in.json");
  await writeBenchInput(input, count);
  const scanned = await scanInputFile(input);
  const manager = await CheckpointManager.create({
    baseDir: path.join(dir, "state"),
    sessionId: "resume-bench",
    inputFile: scanned.file,
    inputSha256: scanned.sha256,
    papers: scanned.papers(),
    sources: ["openalex", "semantic_scholar"],
    checkpointIntervalMinutes: 5,
  });
  const half = manager.state.paperIds().slice(0, Math.floor(count / 2));
  for (let i = 0; i < half.length; i += 1000) {
    const batch = half.slice(i, i + 1000);
    for (const source of ["openalex", "semantic_scholar"]) {
      await manager.recordBatch({
        source,
        apiCalls: 1,
        outcomes: Object.fromEntries(batch.map((id) => [id, "matched"])),
        updates: batch.map((id, k) => benchUpdate(id, source, i + k)),
      });
    }
  }
  await manager.snapshot();
  await manager.close();
  return input;
}

/** Median ms from starting `cf consolidate --resume` to the simulator's first request. */
export async function resumeTime(count, repeats = 3) {
  const { startSimulator } = await dist("simulator/server.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-rs-"));
  try {
    const input = await halfDoneSession(dir, count);
    const times = [];
    for (let r = 0; r < repeats; r++) {
      let started = 0;
      let first;
      let child;
      const sim = await startSimulator({
        corpusSize: 100,
        onRequest: () => {
          if (first === undefined) {
            first = performance.now() - started;
            child?.kill("SIGKILL");
          }
        },
      });
      started = performance.now();
      child = spawn(
        process.execPath,
        [
          BIN,
          "consolidate",
          "--input",
          input,
          "--resume",
          "--session-id",
          "resume-bench",
          "--no-progress",
          "--checkpoint-dir",
          path.join(dir, "state"),
          "--output",
          path.join(dir, "out.json"),
          "--openalex-url",
          sim.openalexUrl,
          "--s2-url",
          sim.s2Url,
          "--openalex-rps",
          "10",
          "--s2-rps",
          "10",
        ],
        { stdio: "ignore" },
      );
      await new Promise((resolve) => child.on("close", resolve));
      await sim.close();
      if (first === undefined) throw new Error("the resumed run made no request");
      times.push(first);
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
