// CLI costs: `cf consolidate-sessions list` with many sessions, and `cf --help` start-up time.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, benchPapers, dist, median, runTimed } from "./util.mjs";

/** Median ms of `cf consolidate-sessions list --all --json` over `count` sessions. */
export async function listTime(count, repeats = 5) {
  const { CheckpointManager } = await dist("storage/checkpoint-manager.js");
  const { parsePaper } = await dist("model/paper.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-ls-"));
  try {
    const papers = () => benchPapers(20).map((raw, i) => parsePaper(raw, i).paper);
    for (let i = 0; i < count; i++) {
      const manager = await CheckpointManager.create({
        baseDir: dir,
        sessionId: `s${String(i).padStart(5, "0")}`,
        inputFile: `/bench/in-${i}.json`,
        inputSha256: "0".repeat(64),
        papers: papers(),
        sources: ["openalex", "semantic_scholar"],
        checkpointIntervalMinutes: 5,
      });
      await manager.close();
    }
    const times = [];
    for (let r = 0; r < repeats; r++) {
      const run = await runTimed(process.execPath, [
        BIN,
        "consolidate-sessions",
        "list",
        "--all",
        "--json",
        "--checkpoint-dir",
        dir,
      ]);
      if (run.code !== 0 || JSON.parse(run.stdout).length !== count)
        throw new Error(`list failed: ${run.stderr}`);
      times.push(run.ms);
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median ms of `cf --help`, and of a bare `node -e 0` (the floor on this machine), interleaved. */
export async function startupTime(repeats = 20) {
  const help = [];
  const bare = [];
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    const run = await runTimed(process.execPath, [BIN, "--help"], { rss: false });
    if (run.code !== 0) throw new Error("cf --help failed");
    help.push(performance.now() - t);
    t = performance.now();
    await runTimed(process.execPath, ["-e", "0"], { rss: false });
    bare.push(performance.now() - t);
  }
  return { help: median(help), bare: median(bare) };
}
