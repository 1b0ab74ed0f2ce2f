// Memory: peak RSS of `cf consolidate --dry-run` on large inputs and of snapshotting enriched papers.

import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN, ROOT, runTimed, writeBenchInput } from "./util.mjs";

/** Peak RSS (MB) and input size (MB) of a dry run on `count` papers. */
export async function dryRunMemory(count) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cf-bench-mem-"));
  try {
    const file = path.join(dir, "in.json");
    await writeBenchInput(file, count);
    const run = await runTimed(process.execPath, [BIN, "consolidate", "--input", file, "--dry-run"], {
      cwd: dir,
    });
    if (run.code !== 0) throw new Error(`dry run exited ${run.code}: ${run.stderr.slice(-300)}`);
    return { rssMb: run.rssKb / 1024, inputMb: statSync(file).size / 1024 / 1024, ms: run.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS (MB) of a process that builds `count` enriched papers and snapshots them. */
export async function snapshotMemory(count) {
  const run = await runTimed(process.execPath, [
    path.join(ROOT, "bench", "checkpoint.mjs"),
    "snapshot",
    String(count),
  ]);
  if (run.code !== 0) throw new Error(`snapshot child exited ${run.code}: ${run.stderr.slice(-300)}`);
  return { rssMb: run.rssKb / 1024, ...JSON.parse(run.stdout) };
}
